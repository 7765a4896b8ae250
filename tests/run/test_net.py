"""With --net, AF_INET sockets are the kernel's: TCP and UDP between two programs
each under its own `sysproxy run`, on the kernel's loopback (not the host's)."""
from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path


from .conftest import Target, make_runner, run_env

SERVER = """
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0)); s.listen(1)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
print(s.getsockname()[1], u.getsockname()[1], flush=True)
c, a = s.accept()
data = b""
while not data.endswith(b"."):
    data += c.recv(100)
c.sendall(data.upper()); c.close()
d, a = u.recvfrom(100); u.sendto(d[::-1], a)
print("served", data.decode(), d.decode(), a[0], flush=True)
"""
CLIENT = """
import socket, sys
tport, uport = int(sys.argv[1]), int(sys.argv[2])
c = socket.create_connection(("127.0.0.1", tport))
peer = c.getpeername()[1]
c.sendall(b"kernel tcp."); print(c.recv(100).decode(), peer == tport)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.settimeout(10)
u.sendto(b"udp", ("127.0.0.1", uport)); d, a = u.recvfrom(100)
print(d.decode(), a[1] == uport)
"""


def test_tcp_and_udp_between_two_programs(target: Target, tmp_path: Path) -> None:
    (tmp_path / "s.py").write_text(SERVER)
    (tmp_path / "c.py").write_text(CLIENT)
    srv = subprocess.Popen([sys.executable, "-m", "sysproxy", "run", "--net", "--server",
                            target.url, "--", "python3", str(tmp_path / "s.py")],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=run_env())
    try:
        assert srv.stdout is not None
        line = srv.stdout.readline().split()
        assert len(line) == 2, srv.stderr.read() if srv.stderr else line
        tport, uport = line
        # The host's loopback has no such listener: the socket is in the kernel.
        with socket.socket() as h:
            h.settimeout(5)
            assert h.connect_ex(("127.0.0.1", int(tport))) != 0
        r = make_runner(target.url)("python3", str(tmp_path / "c.py"), tport.decode(),
                                    uport.decode(), extra=("--net",))
        assert r.returncode == 0, r.stderr
        assert r.stdout.decode() == "KERNEL TCP. True\npdu True\n"
        out, err = srv.communicate(timeout=30)
        assert out.decode() == "served kernel tcp. udp 127.0.0.1\n", err
    finally:
        if srv.poll() is None:
            srv.kill()
            srv.wait()


def test_without_net_sockets_stay_on_the_host(ours: Target) -> None:
    with socket.socket() as ls:
        ls.bind(("127.0.0.1", 0))
        ls.listen(1)
        port = ls.getsockname()[1]
        code = (f"import socket; c = socket.create_connection(('127.0.0.1', {port})); "
                "c.sendall(b'host'); c.close()")
        r = make_runner(ours.url)("python3", "-c", code)
        assert r.returncode == 0, r.stderr
        c, _ = ls.accept()
        assert c.recv(10) == b"host"
        c.close()




AIO_SERVER = """
import asyncio
async def handle(r, w):
    w.write((await r.readline()).upper()); await w.drain(); w.close()
async def main():
    srv = await asyncio.start_server(handle, "127.0.0.1", 0)
    print(srv.sockets[0].getsockname()[1], flush=True)
    async with srv:
        try:
            await asyncio.wait_for(srv.serve_forever(), 20)
        except asyncio.TimeoutError:
            pass
asyncio.run(main())
"""
AIO_CLIENT = """
import asyncio, sys
async def main():
    r, w = await asyncio.open_connection("127.0.0.1", int(sys.argv[1]))
    w.write(b"async kernel\\n"); await w.drain()
    print((await r.readline()).decode().strip()); w.close()
asyncio.run(main())
"""


def test_asyncio_epoll_over_kernel_sockets(target: Target, tmp_path: Path) -> None:
    """asyncio waits with epoll: kernel sockets in it are polled in the kernel."""
    (tmp_path / "s.py").write_text(AIO_SERVER)
    (tmp_path / "c.py").write_text(AIO_CLIENT)
    srv = subprocess.Popen([sys.executable, "-m", "sysproxy", "run", "--net", "--server",
                            target.url, "--", "python3", str(tmp_path / "s.py")],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=run_env())
    try:
        assert srv.stdout is not None
        port = srv.stdout.readline().strip()
        assert port.isdigit(), srv.stderr.read() if srv.stderr else port
        r = make_runner(target.url)("python3", str(tmp_path / "c.py"), port.decode(),
                                    extra=("--net",))
        assert r.returncode == 0, r.stderr
        assert r.stdout == b"ASYNC KERNEL\n"
    finally:
        srv.kill()
        srv.wait()
