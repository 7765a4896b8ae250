"""Fairness limits per client process tree (kernel/fairness.py), at their edges:
N-1 fits, N fits, N+1 gets the documented errno, and other trees never notice."""
from __future__ import annotations

import struct
import subprocess
import sys
from collections.abc import Callable, Iterator

import pytest
from support.fsclient import FS, O_CREAT, O_RDONLY, O_WRONLY
from support.rawclient import RawClient, SyscallError
from support.server import ROOT, ServerProcess

from sysproxy import wire

EAGAIN, ENFILE, EMFILE, ENOSPC = 35, 23, 24, 28
PROCS, FDS, CALLS, MEM = 4, 10, 3, 64 * 1024


Serve = Callable[[str], ServerProcess]


@pytest.fixture
def serve(unix_url: str) -> Iterator[Callable[[str], ServerProcess]]:
    """``serve("fds=10")``: a server with that one limit, the others at their defaults,
    so that each edge is reached by its own resource."""
    started: list[ServerProcess] = []

    def start(limit: str) -> ServerProcess:
        started.append(ServerProcess(unix_url, "--limit", limit))
        return started[-1]
    yield start
    for s in started:
        s.stop()


def _child(url: str, parent: RawClient) -> RawClient:
    c = RawClient(url, handshake=False)
    assert c.handshake(wire.HANDSHAKE_FORK, wire.fork_body(parent.prefork())) == 0
    return c


def test_procs_limit_counts_the_whole_tree(serve: Serve) -> None:
    limited = serve(f"procs={PROCS}")
    guest = RawClient(limited.url)                 # 1
    cookies = [guest.prefork() for _ in range(PROCS - 2)]  # up to N-1
    cookies.append(guest.prefork())                # N
    out = guest.mem.out(8)
    guest.ok("pipe2", out, 0)
    r, w = struct.unpack("<ii", guest.mem.get(out, 8))
    with pytest.raises(SyscallError) as e:         # N+1
        guest.prefork()
    assert e.value.errno == EAGAIN
    guest.ok("close", w)  # the refused fork kept no copy of the write end: EOF
    assert guest.ok("read", r, guest.mem.out(1), 1) == 0
    # claiming a prefork at the limit works: the child replaces it
    child = RawClient(limited.url, handshake=False)
    assert child.handshake(wire.HANDSHAKE_FORK, wire.fork_body(cookies.pop())) == 0
    with pytest.raises(SyscallError) as e:         # the child is in the same tree
        child.prefork()
    assert e.value.errno == EAGAIN
    with RawClient(limited.url) as other:          # another tree is not affected
        assert other.prefork()
    child.close()                                  # a process leaves: room for one more
    for _ in range(50):
        try:
            guest.prefork()
            break
        except SyscallError as err:
            assert err.errno == EAGAIN  # until the server has seen the disconnect
    else:
        pytest.fail("the exited child's slot never came back")
    guest.close()


def _open_null(c: RawClient) -> tuple[int, int]:
    err, fd, _ = c.call("open", c.mem.str("/dev/null"), O_RDONLY, 0)
    return err, fd


def test_fds_limit_counts_every_table_of_the_tree(serve: Serve) -> None:
    limited = serve(f"fds={FDS}")
    c = RawClient(limited.url)  # 0-2: the console
    fds = [c.ok("open", c.mem.str("/dev/null"), O_RDONLY, 0) for _ in range(FDS - 4)]
    assert len(fds) + 3 == FDS - 1
    fds.append(_open_null(c)[1])                   # N
    assert _open_null(c)[0] == ENFILE              # N+1
    assert c.err("dup", 0) == ENFILE
    assert c.err("dup2", 0, 40) == ENFILE          # a new slot counts too
    assert c.ok("dup2", 0, fds[-1]) == fds[-1]      # replacing one does not
    with pytest.raises(SyscallError) as e:         # a fork would double them
        c.prefork()
    assert e.value.errno == EAGAIN
    with RawClient(limited.url) as other:
        assert _open_null(other)[0] == 0
    c.ok("close", fds.pop())
    assert _open_null(c)[0] == 0
    c.close()


def test_fds_limit_shared_with_a_forked_child(serve: Serve) -> None:
    limited = serve(f"fds={FDS}")
    c = RawClient(limited.url)                     # 3 descriptors
    child = _child(limited.url, c)                 # 3 more in the child's copy: 6
    for _ in range(FDS - 6):
        assert _open_null(child)[0] == 0           # the child takes the tree to N
    assert _open_null(c)[0] == ENFILE              # the parent is refused
    child.close()
    for _ in range(50):                            # the child's descriptors come back
        err = _open_null(c)[0]
        if err == 0:
            break
        assert err == ENFILE
    else:
        pytest.fail("the child's descriptors were never given back")
    c.close()


def test_process_rlimit_still_answers_emfile_first(serve: Serve) -> None:
    limited = serve(f"fds={FDS}")
    c = RawClient(limited.url)
    c.ok("setrlimit", 8, c.mem.buf(struct.pack("<QQ", 4, 4)))  # RLIMIT_NOFILE 4
    assert _open_null(c)[0] == 0       # descriptor 3
    assert _open_null(c)[0] == EMFILE  # the process's own limit, under the tree's
    c.close()


def test_calls_limit_counts_in_flight_calls_of_the_tree(serve: Serve) -> None:
    limited = serve(f"calls={CALLS}")
    c = RawClient(limited.url)
    out = c.mem.out(8)
    c.ok("pipe2", out, 0)
    r, w = struct.unpack("<ii", c.mem.get(out, 8))
    child = _child(limited.url, c)
    buf = c.mem.out(2)
    reads = [c.start("read", r, buf, 1) for _ in range(CALLS - 2)]  # N-2 in the parent
    child.start("read", r, child.mem.out(1), 1)                     # N-1 in the child
    assert child.ok("getpid") > 1  # answered after the read began (one connection's order)
    reads.append(c.start("read", r, buf, 1))                        # N
    assert c.call("getpid")[0] == EAGAIN                            # N+1, either process
    assert child.call("getpid")[0] == EAGAIN
    with RawClient(limited.url) as other:                           # another tree: fine
        assert other.ok("getpid") > 1
    child.close()  # its blocked read ends with it: one slot back
    for _ in range(50):
        err = c.call("getpid")[0]
        if err == 0:
            break
        assert err == EAGAIN  # until the server has seen the disconnect
    else:
        pytest.fail("the child's call slot never came back")
    assert c.ok("write", w, c.mem.buf(b"ab"), 2) == 2  # wakes the parent's readers
    assert [c.result(x)[:2] for x in reads] == [(0, 1)] * len(reads)
    assert c.ok("getpid") > 1
    c.close()


def _write(fs: FS, path: str, data: bytes, flags: int = O_CREAT | O_WRONLY) -> int:
    err, fd = fs.open(path, flags, 0o644)
    assert err == 0
    err, _ = fs.write(fd, data)
    fs.c.ok("close", fd)
    return err


def test_mem_limit_is_tmpfs_data_of_the_tree(serve: Serve) -> None:
    limited = serve("mem=64k")
    c = RawClient(limited.url)
    fs = FS(c)
    assert _write(fs, "/tmp/a", b"a" * (MEM - 4096)) == 0         # N-1 pages
    assert _write(fs, "/tmp/b", b"b" * 4096) == 0                 # N
    assert _write(fs, "/tmp/c", b"c") == ENOSPC                   # N+1: nothing written
    assert fs.st("/tmp/c").size == 0
    with RawClient(limited.url) as other:                          # another tree writes
        assert _write(FS(other), "/tmp/other", b"o" * 8192) == 0
    child = _child(limited.url, c)                                 # the same tree
    assert _write(FS(child), "/tmp/d", b"d") == ENOSPC
    assert fs.call("unlink", "/tmp/b") == 0                        # memory comes back
    assert _write(FS(child), "/tmp/d", b"d" * 4096) == 0
    child.close()
    c.close()
    # the tree's processes are gone, its files stay charged to it: a new tree is free
    with RawClient(limited.url) as fresh:
        assert _write(FS(fresh), "/tmp/e", b"e" * (MEM - 4096)) == 0


def test_a_client_that_never_answers_a_copy_holds_only_its_lwp(serve: Serve) -> None:
    limited = serve("calls=2")
    stuck = RawClient(limited.url)
    fs = FS(stuck)
    err, fd = fs.open("/tmp/shared", O_CREAT | O_WRONLY, 0o666)
    assert err == 0
    stuck.start("write", fd, stuck.mem.buf(b"never"), 5)  # COPYIN sent, never answered
    with RawClient(limited.url) as other:
        ofs = FS(other)
        assert _write(ofs, "/tmp/shared", b"fine", O_WRONLY) == 0
        assert ofs.st("/tmp/shared").size == 4
        assert other.ok("getpid") > 1
    stuck.close()


def test_bad_limit_option_is_refused() -> None:
    import os
    r = subprocess.run([sys.executable, "-m", "sysproxy", "serve", "--limit", "threads=3",
                        "unix:///tmp/security-never.sock"], capture_output=True, text=True,
                       env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=30)
    assert r.returncode == 2 and "procs, fds, calls, mem" in r.stderr
