#!/usr/bin/env python3
"""Pipe and AF_LOCAL stream throughput between two clients through the kernel.

    python benchmarks/ipc_throughput.py [--mib 64] [--chunk 65536] [--server-url URL]

Starts `python -m sysproxy serve` on a fresh unix socket (unless --server-url),
connects a writer client, creates a pipe (then a socketpair), PREFORKs, connects
the reader as the FORK child, and moves --mib MiB from writer to reader in
--chunk-byte write()/read() calls, each client in its own thread speaking raw
RUMPSP. Prints one line per transport: `ipc <kind> <MiB/s> MiB/s <calls/s>`.
Standard library plus the repository's sysproxy.wire; not part of the tests.
"""
from __future__ import annotations

import argparse
import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sysproxy import wire  # noqa: E402
from sysproxy.abi.syscalls import BY_NAME  # noqa: E402

AF_LOCAL, SOCK_STREAM = 1, 1


class Client:
    """A minimal raw client: one buffer in fake memory at BUF, served on demand."""

    BUF = 0x10000000

    def __init__(self, path: str, cookie: bytes | None = None, size: int = 1 << 20) -> None:
        self.s = socket.socket(socket.AF_UNIX)
        self.s.connect(path)
        self.s.recv(wire.MAXBANNER)
        self.dec = wire.Decoder()
        self.frames: list[wire.Frame] = []
        self.reqno = 1
        self.mem = bytearray(size)
        if cookie is None:
            self._hs(wire.HANDSHAKE_GUEST, wire.guest_body("ipcbench"))
        else:
            self._hs(wire.HANDSHAKE_FORK, wire.fork_body(cookie))

    def _next(self) -> wire.Frame:
        while not self.frames:
            data = self.s.recv(1 << 20)
            if not data:
                raise EOFError
            self.frames.extend(self.dec.feed(data))
        return self.frames.pop(0)

    def _wait(self, reqno: int) -> wire.Frame:
        while True:
            f = self._next()
            if f.cls == wire.REQ:
                n, addr = wire.parse_copy_request(f.body) if f.type != wire.RAISE else (0, 0)
                off = addr - self.BUF
                if f.type in (wire.COPYIN, wire.COPYINSTR):
                    self.s.sendall(wire.copy_response(f.reqno, bytes(self.mem[off:off + n])))
                elif f.type == wire.COPYOUT:
                    self.mem[off:off + n] = f.body[16:16 + n]
            elif f.reqno == reqno:
                return f

    def _hs(self, kind: int, body: bytes) -> None:
        r = self.reqno
        self.reqno += 1
        self.s.sendall(wire.handshake_request(r, kind, body))
        self._wait(r)

    def prefork(self) -> bytes:
        r = self.reqno
        self.reqno += 1
        self.s.sendall(wire.prefork_request(r))
        return self._wait(r).body[:16]

    def call(self, name: str, *args: int) -> tuple[int, int, int]:
        r = self.reqno
        self.reqno += 1
        body = b"".join(struct.pack("<Q", a & (2**64 - 1)) for a in args)
        self.s.sendall(wire.syscall_request(r, BY_NAME[name], body))
        return wire.parse_syscall_response(self._wait(r).body)


def run(path: str, kind: str, total: int, chunk: int) -> tuple[float, int]:
    w = Client(path)
    if kind == "pipe":
        err, rfd, wfd = w.call("pipe")
    else:
        err, _, _ = w.call("socketpair", AF_LOCAL, SOCK_STREAM, 0, Client.BUF)
        wfd, rfd = struct.unpack_from("<ii", w.mem, 0)
    assert err == 0, err
    if kind != "pipe":
        for fd in (wfd, rfd):  # let a whole chunk fit: 256 KiB socket buffers
            w.mem[0:4] = struct.pack("<i", 256 * 1024)
            w.call("setsockopt", fd, 0xFFFF, 0x1001, Client.BUF, 4)
            w.call("setsockopt", fd, 0xFFFF, 0x1002, Client.BUF, 4)
    r = Client(path, w.prefork())
    calls = [0]

    def reader() -> None:
        got = 0
        while got < total:
            err, n, _ = r.call("read", rfd, Client.BUF, chunk)
            assert err == 0 and n > 0, (err, n)
            got += n
            calls[0] += 1

    t = threading.Thread(target=reader)
    start = time.perf_counter()
    t.start()
    sent = 0
    while sent < total:
        err, n, _ = w.call("write", wfd, Client.BUF, min(chunk, total - sent))
        assert err == 0, err
        sent += n
        calls[0] += 1
    t.join()
    secs = time.perf_counter() - start
    w.s.close()
    r.s.close()
    return secs, calls[0]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mib", type=int, default=64)
    ap.add_argument("--chunk", type=int, default=65536)
    ap.add_argument("--server-url", default=None)
    o = ap.parse_args()
    proc = None
    if o.server_url is None:
        path = os.path.join(tempfile.mkdtemp(prefix="ipcb"), "s.sock")
        env = dict(os.environ, PYTHONPATH=str(REPO))
        proc = subprocess.Popen([sys.executable, "-m", "sysproxy", "serve", f"unix://{path}"],
                                stdout=subprocess.PIPE, env=env, text=True)
        assert proc.stdout is not None and "listening" in proc.stdout.readline()
    else:
        path = o.server_url[len("unix://"):]
    try:
        total = o.mib << 20
        for kind in ("pipe", "local_stream"):
            secs, calls = run(path, kind, total, o.chunk)
            print(f"ipc {kind} {total / secs / (1 << 20):.1f} MiB/s {calls / secs:.0f} calls/s "
                  f"({o.mib} MiB in {o.chunk}-byte calls)")
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
