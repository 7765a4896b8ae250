"""Who may connect and who they are in the kernel (README: Security), over real sockets
with real host users: the suite runs as root here, and clients of another uid are
subprocesses that drop to it (support/asuser.py); those tests skip otherwise."""
from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import uuid

import pytest
from support.asuser import popen_as, python_for, run_as
from support.fsclient import FS, O_CREAT, O_RDONLY, O_WRONLY
from support.rawclient import RawClient
from support.server import ROOT, ServerProcess, free_tcp_port

from sysproxy import wire

EPERM, EACCES = 1, 13
USER, OTHER = 1000, 1001

needs_users = pytest.mark.skipif(python_for(USER) is None,
                                 reason="needs root to run clients as other host users")

# A client run as another host user: prints [getuid, geteuid, getgid, groups, results...].
IDS = r"""
import json, struct, sys
from support.rawclient import RawClient
from support.fsclient import FS, O_RDONLY, O_WRONLY, O_CREAT
c = RawClient(sys.argv[1], "asuser")
fs = FS(c)
out = c.mem.out(64)
n = c.ok("getgroups", 16, out)
groups = list(struct.unpack(f"<{n}I", c.mem.get(out, 4 * n)))
res = {"uid": c.ok("getuid"), "euid": c.ok("geteuid"), "gid": c.ok("getgid"), "groups": groups}
for what in sys.argv[2:]:
    if what == "read-secret":
        res[what] = fs.open("/secret", O_RDONLY)[0]
    elif what == "mkdir-root":
        res[what] = fs.call("mkdir", "/mine", 0o755)
    elif what == "create-tmp":
        res[what] = fs.create("/tmp/by-user", 0o644)
        res["owner"] = fs.st("/tmp/by-user").uid
    elif what == "prefork":
        res[what] = c.prefork().hex()
print(json.dumps(res))
"""

CONNECT = r"""
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
try:
    s.connect(sys.argv[1])
    print(json.dumps(0))
except OSError as e:
    print(json.dumps(e.errno))
"""


def _path(url: str) -> str:
    return url[len("unix://"):]


def _sock_url(tag: str) -> str:
    return f"unix:///tmp/security-{tag}-{uuid.uuid4().hex[:8]}.sock"


def test_socket_is_0600_by_default(server: ServerProcess) -> None:
    st = os.lstat(_path(server.url))
    assert stat.S_ISSOCK(st.st_mode)
    assert stat.S_IMODE(st.st_mode) == 0o600


def test_socket_mode_option_shares_it(unix_url: str) -> None:
    srv = ServerProcess(unix_url, "--socket-mode", "0660")
    try:
        assert stat.S_IMODE(os.lstat(_path(unix_url)).st_mode) == 0o660
        with RawClient(srv.url) as c:
            assert c.ok("getuid") == 0
    finally:
        srv.stop()


@needs_users
def test_other_user_refused_by_the_mode(server: ServerProcess) -> None:
    assert run_as(USER, USER, CONNECT, _path(server.url)) == EACCES
    with RawClient(server.url) as c:  # the owner still gets in
        assert c.ok("getpid") > 1


@needs_users
def test_creds_peer_makes_a_client_its_host_user(unix_url: str) -> None:
    srv = ServerProcess(unix_url, "--creds", "peer", "--socket-mode", "0666")
    try:
        with RawClient(srv.url) as root:  # the host root is root under peer too (uid 0)
            fs = FS(root)
            assert root.ok("getuid") == 0
            err, fd = fs.open("/secret", O_CREAT | O_WRONLY, 0o600)
            assert err == 0
            root.ok("close", fd)
            res = run_as(USER, USER, IDS, srv.url, "read-secret", "mkdir-root", "create-tmp",
                         groups=(USER, 4242))
            assert (res["uid"], res["euid"], res["gid"]) == (USER, USER, USER)
            assert sorted(res["groups"]) == [USER, 4242]
            assert res["read-secret"] == EACCES    # mode 0600 root's file
            assert res["mkdir-root"] == EACCES     # / is root's 0755
            assert res["create-tmp"] == 0 and res["owner"] == USER  # /tmp is 1777
            assert FS(root).st("/tmp/by-user").uid == USER
            assert FS(root).open("/secret", O_RDONLY)[0] == 0  # root still reads it
    finally:
        srv.stop()


@needs_users
def test_forked_child_keeps_the_parents_creds(unix_url: str) -> None:
    """A FORK handshake names a prefork by its cookie: whoever connects, the child is
    who the parent was (here a root connection claims a uid-1000 parent's prefork)."""
    srv = ServerProcess(unix_url, "--creds", "peer", "--socket-mode", "0666")
    try:
        res = run_as(USER, USER, IDS, srv.url, "prefork")
        child = RawClient(srv.url, handshake=False)
        cookie = bytes.fromhex(res["prefork"])
        assert child.handshake(wire.HANDSHAKE_FORK, wire.fork_body(cookie)) == 0
        assert child.ok("getuid") == USER and child.ok("getgid") == USER
        child.reqno = 0
        assert child.handshake(wire.HANDSHAKE_EXEC, b"newprog\0") == 0
        assert child.ok("geteuid") == USER  # exec keeps them too
        child.close()
    finally:
        srv.stop()


@needs_users
def test_owner_default_keeps_the_servers_own_user_root() -> None:
    """A server run by uid 1000: its own user and host root are root in the kernel,
    another user (through a shared socket mode) is itself."""
    url = _sock_url("owner")
    p = popen_as(USER, USER, ["-m", "sysproxy", "serve", "--socket-mode", "0666", url],
                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert p.stdout is not None
        assert "listening on" in p.stdout.readline()
        assert os.lstat(_path(url)).st_uid == USER
        assert run_as(USER, USER, IDS, url)["uid"] == 0
        with RawClient(url) as c:
            assert c.ok("getuid") == 0
        other = run_as(OTHER, OTHER, IDS, url, "mkdir-root")
        assert (other["uid"], other["gid"], other["mkdir-root"]) == (OTHER, OTHER, EACCES)
    finally:
        p.terminate()
        p.wait(10)
    assert not os.path.lexists(_path(url))


@needs_users
def test_creds_root_makes_everyone_root(unix_url: str) -> None:
    srv = ServerProcess(unix_url, "--creds", "root", "--socket-mode", "0666")
    try:
        assert run_as(USER, USER, IDS, srv.url)["uid"] == 0
    finally:
        srv.stop()


def test_tcp_creds_for_tcp_peers() -> None:
    srv = ServerProcess(f"tcp://127.0.0.1:{free_tcp_port()}", "--tcp-creds", "1000:100")
    try:
        with RawClient(srv.url) as c:
            assert (c.ok("getuid"), c.ok("getgid")) == (1000, 100)
            assert c.err("setuid", 0) == EPERM
    finally:
        srv.stop()


def test_tcp_default_is_root() -> None:
    srv = ServerProcess(f"tcp://127.0.0.1:{free_tcp_port()}")
    try:
        with RawClient(srv.url) as c:
            assert c.ok("getuid") == 0
    finally:
        srv.stop()


def _serve(*argv: str) -> subprocess.CompletedProcess[str]:
    """A server that is expected to refuse to start (it would run until stopped otherwise)."""
    e = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "sysproxy", "serve", *argv], env=e, text=True,
                          capture_output=True, timeout=30)


def test_non_loopback_tcp_needs_allow_remote() -> None:
    r = _serve(f"tcp://0.0.0.0:{free_tcp_port()}")
    assert r.returncode == 1 and "--allow-remote" in r.stderr


def test_allow_remote_warns_that_every_peer_is_root() -> None:
    port = free_tcp_port()
    srv = ServerProcess(f"tcp://0.0.0.0:{port}", "--allow-remote")
    try:
        with RawClient(f"tcp://127.0.0.1:{port}") as c:
            assert c.ok("getuid") == 0
    finally:
        srv.stop()
    log = srv.stderr_text()
    assert "every peer" in log and "is root in the kernel" in log


def test_stale_socket_is_replaced(unix_url: str) -> None:
    path = _path(unix_url)
    dead = socket.socket(socket.AF_UNIX)
    dead.bind(path)
    dead.close()  # the file stays, nobody listens: a crashed server's leftover
    srv = ServerProcess(unix_url)
    try:
        assert stat.S_IMODE(os.lstat(path).st_mode) == 0o600
        with RawClient(srv.url) as c:
            assert c.ok("getpid") > 1
    finally:
        srv.stop()
    assert not os.path.lexists(path)


def test_live_socket_is_never_stolen(server: ServerProcess) -> None:
    before = os.lstat(_path(server.url))
    r = _serve(server.url)
    assert r.returncode == 1 and "already listening" in r.stderr
    after = os.lstat(_path(server.url))
    assert (before.st_ino, before.st_dev) == (after.st_ino, after.st_dev)
    with RawClient(server.url) as c:
        assert c.ok("getpid") > 1


def test_a_file_that_is_not_a_socket_is_left_alone(unix_url: str) -> None:
    path = _path(unix_url)
    with open(path, "w") as f:
        f.write("precious")
    try:
        r = _serve(unix_url)
        assert r.returncode == 1 and "not a socket" in r.stderr
        with open(path) as f:
            assert f.read() == "precious"
    finally:
        os.unlink(path)


def test_cleanup_leaves_a_replacement_alone(unix_url: str) -> None:
    """A server removes its socket at exit only if the path is still its own socket."""
    srv = ServerProcess(unix_url)
    path = _path(unix_url)
    os.unlink(path)
    with open(path, "w") as f:
        f.write("someone else's")
    srv.stop()
    try:
        with open(path) as f:
            assert f.read() == "someone else's"
    finally:
        os.unlink(path)


def test_serve_help_shows_the_security_options() -> None:
    e = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-m", "sysproxy", "serve", "--help"], env=e,
                         text=True, capture_output=True, timeout=30).stdout
    for opt in ("--socket-mode", "--creds", "--tcp-creds", "--allow-remote", "--limit"):
        assert opt in out


def test_socket_path_too_long_for_the_private_directory_is_still_0600() -> None:
    """Near sun_path's 107 bytes the private directory's path would not fit: the
    server binds under a 0177 umask instead (still never wider than its mode)."""
    base = f"/tmp/security-{uuid.uuid4().hex[:8]}-"
    d = base + "d" * (100 - len(base))
    os.mkdir(d)
    path = f"{d}/s.sock"
    assert 100 < len(path) <= 107
    srv = ServerProcess("unix://" + path)
    try:
        assert stat.S_IMODE(os.lstat(path).st_mode) == 0o600
        with RawClient(srv.url) as c:
            assert c.ok("getpid") > 1
        assert os.listdir(d) == ["s.sock"]
    finally:
        srv.stop()
        os.rmdir(d)
