"""Every system call with hostile arguments: the kernel answers with an errno,
never with an internal error, and the server stays up.

Arguments mix small ints, -1, huge values, NULL, unmapped addresses (the
client refuses those copies: EFAULT) and buffers of random bytes. A handler
that raises a Python exception instead of a KernelError is logged by the
server as "system call N of pid P failed": the test fails on any such line.
"""
from __future__ import annotations

import random

from support.rawclient import RawClient
from support.server import ServerProcess
from sysproxy.abi.syscalls import SYSCALLS

# reboot would end the server; kill could signal this test's own processes' peers.
SKIP = {"reboot", "kill"}


def _slot(rng: random.Random, c: RawClient) -> int:
    r = rng.random()
    if r < 0.25:
        return rng.choice([0, 1, 2, 3, 0xFFFFFFFF, 0x7FFFFFFF, 1 << 63, (1 << 64) - 1, 100000])
    if r < 0.45:
        return rng.randrange(0, 64)
    if r < 0.65:
        return 0xDEAD0000 + rng.randrange(0, 4096)  # not mapped: the client refuses
    data = bytes(rng.randrange(256) for _ in range(rng.choice([1, 8, 16, 64, 200])))
    if rng.random() < 0.5:
        data += b"\0"
    return c.mem.buf(data)


def test_every_syscall_survives_garbage(server: ServerProcess) -> None:
    rng = random.Random(1234)
    blocked = 0
    for num, info in sorted(SYSCALLS.items()):
        if info.name in SKIP:
            continue
        c = RawClient(server.url, "fuzz")  # a fresh process: no state leaks between calls
        c.sock.settimeout(1.0)
        try:
            for _ in range(12):
                args = [_slot(rng, c) for _ in range(info.nargs)]
                err, _, _ = c.call(num, *args)
                assert 0 <= err <= 96, (info.name, err)
        except TimeoutError:
            blocked += 1  # a call that legitimately blocks: vanish mid-call instead
        finally:
            c.close()
    assert blocked < 40
    with RawClient(server.url) as probe:
        assert probe.call("getpid")[0] == 0
    probe_log = _stop_and_log(server)
    assert "failed" not in probe_log and "Traceback" not in probe_log, probe_log[-3000:]


def _stop_and_log(server: ServerProcess) -> str:
    server.stop()
    return server.proc.stderr.read() if server.proc.stderr else ""


def test_random_frames_never_take_the_server_down(server: ServerProcess) -> None:
    """Frames of every class and type with random bodies, before and after a handshake."""
    import struct

    from sysproxy import wire
    rng = random.Random(99)
    for _ in range(100):
        c = RawClient(server.url, "ff", handshake=rng.random() < 0.7)
        c.sock.settimeout(0.05)
        try:
            for _ in range(rng.randrange(1, 6)):
                body = bytes(rng.randrange(256) for _ in range(rng.choice([0, 4, 16, 20, 40])))
                c.send(wire.frame(rng.randrange(1 << 16), rng.randrange(4), rng.randrange(11),
                                  rng.randrange(1 << 32), body))
            if rng.random() < 0.3:  # and a torn frame at the end
                c.send(struct.pack("<Q", 4096) + b"x" * rng.randrange(8, 40))
            while c.sock.recv(65536):
                pass
        except OSError:  # timeouts, and the server hanging up on a bad frame
            pass
        finally:
            c.close()
    with RawClient(server.url) as probe:
        assert probe.call("getpid")[0] == 0
    log = _stop_and_log(server)
    assert "internal error" not in log and "Traceback" not in log, log[-3000:]


def test_sysctl_tree_survives_garbage(server: ServerProcess) -> None:
    """__sysctl with names that reach every handler of the tree (CTL_QUERY, CTL_DESCRIBE,
    kern.proc2, kern.file2, the pcblists) and hostile buffers, lengths and new values."""
    import struct
    rng = random.Random(4321)
    seen: dict[int, int] = {}
    prefixes = [[], [1], [4], [6], [1, 47], [1, 77], [4, 1], [4, 1, 1], [4, 1, 2], [4, 2],
                [4, 2, 6], [4, 2, 17], [4, 2, 255], [4, 24, 6], [4, 24, 255]]
    tails = [[-2], [-7], [], [1024], [1025], [1027], [1031], [0, 0, 640, 10],
             [1, 0, 120, 2147483647], [2, -1, 1, 1], [0, 0, -5, -1], [1, 2, 3]]
    with RawClient(server.url, "sysctl-fuzz") as c:
        for _ in range(600):
            name = rng.choice(prefixes) + rng.choice(tails)
            if rng.random() < 0.3:
                name = name + [rng.randrange(-8, 2000) for _ in range(rng.randrange(1, 4))]
            name = (name or [1])[:12]
            namep = c.mem.buf(struct.pack(f"<{len(name)}i", *name))
            oldlen = rng.choice([0, 1, 12, 96, 120, 640, 4096, 1 << 40])
            oldp = 0 if rng.random() < 0.3 else c.mem.buf(bytes(min(oldlen, 8192) or 1))
            oldlenp = 0 if rng.random() < 0.1 else c.mem.buf(struct.pack("<Q", oldlen))
            if rng.random() < 0.5:
                newp, newlen = 0, 0
            else:
                newlen = rng.choice([1, 12, 96, 100, 1024])
                newp = c.mem.buf(bytes(rng.randrange(256) for _ in range(newlen)))
                newlen = rng.choice([newlen, 96, 0, 1 << 33])
            err, _, _ = c.call("__sysctl", namep, len(name), oldp, oldlenp, newp, newlen)
            assert 0 <= err <= 96, (name, err)
            seen[err] = seen.get(err, 0) + 1
        assert c.call("getpid")[0] == 0
    assert seen.get(0, 0) >= 10 and len(seen) >= 4, seen  # the tree was reached, not refused
    log = _stop_and_log(server)
    assert "failed" not in log and "Traceback" not in log, log[-3000:]
