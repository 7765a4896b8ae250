"""The first calls over a real connection: identity, sysctl, unknown calls, halt."""
from __future__ import annotations

import os
import struct

from support.rawclient import RawClient
from support.server import ServerProcess

ENOSYS, ENOENT, ENOMEM, EINVAL = 78, 2, 12, 22


def test_getpid_is_two_with_parent_one(client: RawClient) -> None:
    assert client.banner == b"RUMPSP-0.4-NetBSD-7.99.34/amd64\n"
    assert client.call("getpid") == (0, 2, 1)


def test_ids_are_root(client: RawClient) -> None:
    assert client.call("getuid") == (0, 0, 0)
    assert client.call("getgid") == (0, 0, 0)
    assert client.ok("geteuid") == 0 and client.ok("getegid") == 0
    assert client.ok("getppid") == 1


def test_unknown_syscall_is_enosys(client: RawClient) -> None:
    assert client.call(999) == (ENOSYS, 0, 0)


def _sysctl(c: RawClient, mib: list[int], oldsize: int | None = 256, new: bytes | None = None):
    m = c.mem
    name = m.buf(struct.pack(f"<{len(mib)}i", *mib))
    oldp = m.out(oldsize) if oldsize else 0
    oldlenp = m.buf(struct.pack("<Q", oldsize or 0))
    newp = m.buf(new) if new is not None else 0
    err = c.err("__sysctl", name, len(mib), oldp, oldlenp, newp, len(new or b""))
    n = struct.unpack("<Q", m.get(oldlenp, 8))[0]
    return err, (m.get(oldp, min(n, oldsize)) if oldp else b""), n


def test_sysctl_strings_and_ints(client: RawClient) -> None:
    assert _sysctl(client, [1, 1]) == (0, b"NetBSD\0", 7)
    assert _sysctl(client, [1, 2]) == (0, b"7.99.34\0", 8)
    assert _sysctl(client, [6, 1]) == (0, b"amd64\0", 6)
    err, val, n = _sysctl(client, [6, 3])
    assert err == 0 and n == 4 and struct.unpack("<i", val)[0] == os.cpu_count()
    err, val, n = _sysctl(client, [6, 7])
    assert (err, struct.unpack("<i", val)[0]) == (0, 4096)


def test_sysctl_hostname_set_and_get(client: RawClient) -> None:
    assert _sysctl(client, [1, 10], oldsize=None, new=b"vectorhost\0")[0] == 0
    assert _sysctl(client, [1, 10]) == (0, b"vectorhost\0", 11)


def test_sysctl_errors(client: RawClient) -> None:
    assert _sysctl(client, [1, 12345])[0] == ENOENT
    err, val, n = _sysctl(client, [1, 1], oldsize=3)
    assert (err, val, n) == (ENOMEM, b"Net", 7)  # needed length written back
    m = client.mem
    assert client.err("__sysctl", m.buf(bytes(4)), 0, 0, 0, 0, 0) == EINVAL


def test_halt_answers_then_exits(server: ServerProcess) -> None:
    c = RawClient(server.url)
    assert c.call("reboot", 0, 0) == (0, 0, 0)
    assert server.proc.wait(5) == 0
    path = server.url[len("unix://"):]
    assert not os.path.exists(path)


def test_unknown_syscall_is_logged_once(server: ServerProcess) -> None:
    with RawClient(server.url) as c:
        for _ in range(3):
            assert c.call(999) == (ENOSYS, 0, 0)
        c.call("reboot", 0, 0)
    server.proc.wait(5)
    log = server.proc.stderr.read()
    assert log.count("unimplemented system call 999") == 1
