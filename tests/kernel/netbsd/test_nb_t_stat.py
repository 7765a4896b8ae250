"""NetBSD tests/lib/libc/sys/t_stat.c: the stat(2) family.

stat_err's stat/lstat into a (void *)-1 buffer are not asserted: the result
reaches the client in a COPYOUT, which has no reply in RUMPSP, so a rump
kernel over sysproxy cannot see that the buffer is bad (librumpclient
would write through the pointer). Every other assertion is kept.
"""
from __future__ import annotations

import time

from sysproxy.abi import errno as E
from sysproxy.abi import fcntl as F
from sysproxy.abi import socket as SO
from sysproxy.abi import stat as S

from support.atf import BADADDR, NAME_MAX, atf, fstat, open_, st
from support.rawclient import RawClient
from support.server import ServerProcess

PATH = "stat"


def test_stat_chflags(module_server: ServerProcess) -> None:
    """stat_chflags: stat(2) sees st_flags change after chflags(UF_NODUMP)."""
    c = atf(module_server.url, "t_stat")
    err, fd = open_(c, PATH, F.O_RDONLY | F.O_CREAT)
    assert err == 0
    sa = st(c, PATH)
    assert c.err("chflags", c.mem.str(PATH), S.UF_NODUMP) == 0
    sb = st(c, PATH)
    assert sa.flags != sb.flags, "stat(2) did not detect chflags(2)"
    assert c.err("close", fd) == 0
    assert c.err("unlink", c.mem.str(PATH)) == 0


def _dirs(c: RawClient, path: str, level: int, depth: int) -> list[tuple[str, int]]:
    """fts_open("/", FTS_NOCHDIR|FTS_PHYSICAL) to ``depth``: directories in post-order
    (FTS_DP) with the inode fts's lstat saw."""
    from support.fsclient import FS
    out: list[tuple[str, int]] = []
    fs = FS(c)
    for name in fs.listdir(path):
        if name in (b".", b".."):
            continue
        child = (path.rstrip("/") + "/" + name.decode())
        sb = st(c, child, "__lstat50")
        if not S.S_ISDIR(sb.mode):
            continue
        if level + 1 < depth:
            out += _dirs(c, child, level + 1, depth)
        out.append((child, sb.ino))
    return out


def test_stat_dir(module_server: ServerProcess) -> None:
    """stat_dir: for each directory at levels 1 and 2 under /, stat(path) and stat(".")
    after chdir(path) are the same file, with the inode fts(3) found (fts_parent->fts_path
    is fts's shared path buffer, so both stats name the current entry)."""
    c = atf(module_server.url, "t_stat")
    for path, fts_ino in _dirs(c, "/", 0, 2):
        sa = st(c, path)
        assert c.err("chdir", c.mem.str(path)) == 0
        sb = st(c, ".")
        assert (sa.dev, sa.ino) == (sb.dev, sb.ino), "inconsistent stat(2)"
        assert sb.ino == fts_ino, "stat(2) and fts(3) differ"


def test_stat_err(module_server: ServerProcess) -> None:
    """stat_err: EBADF, ENAMETOOLONG (NAME_MAX + 1 'x'), EFAULT for a bad path, ENOENT."""
    c = atf(module_server.url, "t_stat")
    out = c.mem.out(152)
    buf = c.mem.str(b"x" * (NAME_MAX + 1))
    assert c.err("__fstat50", -1, out) == E.EBADF
    assert c.err("__stat50", buf, out) == E.ENAMETOOLONG
    assert c.err("__lstat50", buf, out) == E.ENAMETOOLONG
    assert c.err("__stat50", BADADDR, out) == E.EFAULT
    assert c.err("__lstat50", BADADDR, out) == E.EFAULT
    # stat("/etc/passwd", (void *)-1) and lstat(...): see the module docstring
    assert c.err("__stat50", c.mem.str("/a/b/c/d/e/f/g/h/i/j/k"), out) == E.ENOENT
    assert c.err("__lstat50", c.mem.str("/a/b/c/d/e/f/g/h/i/j/k"), out) == E.ENOENT


def test_stat_mtime(module_server: ServerProcess) -> None:
    """stat_mtime: st_mtime (seconds) moves between two writes a second apart."""
    c = atf(module_server.url, "t_stat")
    for _ in range(3):
        err, fd = open_(c, PATH, F.O_WRONLY | F.O_CREAT)
        assert err == 0 and fd != -1
        assert c.call("write", fd, c.mem.buf(b"X"), 1)[:2] == (0, 1)
        sa = st(c, PATH)
        time.sleep(1)
        assert c.call("write", fd, c.mem.buf(b"X"), 1)[:2] == (0, 1)
        sb = st(c, PATH)
        assert c.err("close", fd) == 0
        assert c.err("unlink", c.mem.str(PATH)) == 0
        assert sa.mtime_ns // 10**9 != sb.mtime_ns // 10**9, "mtimes did not change"


def test_stat_perm(module_server: ServerProcess) -> None:
    """stat_perm (root): a new file's st_uid/st_gid are getuid()/getgid() in fstat and stat."""
    c = atf(module_server.url, "t_stat")
    uid, gid = c.ok("getuid"), c.ok("getgid")
    err, fd = open_(c, PATH, F.O_RDONLY | F.O_CREAT)
    assert err == 0
    e, sa = fstat(c, fd)
    assert e == 0 and sa is not None
    sb = st(c, PATH)
    assert gid == sa.gid == sb.gid, "invalid GID"
    assert uid == sa.uid == sb.uid, "invalid UID"
    assert c.err("close", fd) == 0
    assert c.err("unlink", c.mem.str(PATH)) == 0


def test_stat_size(module_server: ServerProcess) -> None:
    """stat_size: each one-byte write adds one to st_size; fstat and stat agree."""
    c = atf(module_server.url, "t_stat")
    err, fd = open_(c, PATH, F.O_WRONLY | F.O_CREAT)
    assert err == 0
    for _ in range(10):
        _, sa = fstat(c, fd)
        assert c.call("write", fd, c.mem.buf(b"X"), 1)[:2] == (0, 1)
        _, sb = fstat(c, fd)
        sc = st(c, PATH)
        assert sa is not None and sb is not None
        assert sa.size + 1 == sb.size, "invalid file size"
        assert sb.size == sc.size, "stat(2) and fstat(2) mismatch"
    assert c.err("close", fd) == 0
    assert c.err("unlink", c.mem.str(PATH)) == 0


def test_stat_socket(module_server: ServerProcess) -> None:
    """stat_socket (PR kern/46077): fstat of a non-blocking socket whose connect to
    127.0.0.1:42 is EINPROGRESS succeeds."""
    c = atf(module_server.url, "t_stat")
    err, fd, _ = c.call("__socket30", SO.AF_INET, SO.SOCK_STREAM, 0)
    assert err == 0 and fd >= 0
    flags = c.ok("fcntl", fd, F.F_GETFL, 0)
    assert c.err("fcntl", fd, F.F_SETFL, flags | F.O_NONBLOCK) == 0
    sa = SO.pack_sockaddr_in("127.0.0.1", 42)
    assert c.err("connect", fd, c.mem.buf(sa), len(sa)) == E.EINPROGRESS
    e, _ = fstat(c, fd)
    assert e == 0, "fstat(2) failed for a EINPROGRESS socket"
    c.err("close", fd)


def test_stat_symlink(module_server: ServerProcess) -> None:
    """stat_symlink: stat follows the link, lstat does not, and their modes differ."""
    c = atf(module_server.url, "t_stat")
    err, fd = open_(c, PATH, F.O_WRONLY | F.O_CREAT)
    assert err == 0
    assert c.err("symlink", c.mem.str(PATH), c.mem.str("pathlink")) == 0
    sa = st(c, "pathlink")
    sb = st(c, "pathlink", "__lstat50")
    assert not S.S_ISLNK(sa.mode), "stat(2) detected symbolic link"
    assert S.S_ISLNK(sb.mode), "lstat(2) did not detect symbolic link"
    assert sa.mode != sb.mode, "inconsistencies between stat(2) and lstat(2)"
    assert c.err("unlink", c.mem.str(PATH)) == 0
    assert c.err("unlink", c.mem.str("pathlink")) == 0
