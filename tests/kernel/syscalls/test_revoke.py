"""revoke(2) and forced unmount through a real server, as NetBSD answers them:
sys_revoke/dorevoke (vfs_syscalls.c: owner or root, symlinks followed),
dounmount/tmpfs_unmount's vflush(FORCECLOSE) (EBUSY without MNT_FORCE), and
what a revoked descriptor answers afterwards (miscfs/deadfs/dead_vnops.c)."""
from __future__ import annotations

import struct
from typing import Iterator

import pytest

from support.fsclient import FS, O_CREAT, O_DIRECTORY, O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY
from support.rawclient import RawClient
from support.server import ServerProcess
from sysproxy import wire
from sysproxy.abi import errno as E
from sysproxy.abi import fcntl as F
from sysproxy.abi import ioctl as IO
from sysproxy.abi import poll as P
from sysproxy.abi import statvfs as SV

MNT_FORCE = SV.MNT_FORCE


@pytest.fixture
def fs(module_server: ServerProcess) -> Iterator[FS]:
    c = RawClient(module_server.url)
    yield FS(c)
    c.close()


def other(server: ServerProcess) -> FS:
    """Another process (a fresh guest, root)."""
    return FS(RawClient(server.url))


def write_file(fs: FS, path: str, data: bytes, mode: int = 0o644) -> None:
    err, fd = fs.open(path, O_CREAT | O_TRUNC | O_WRONLY, mode)
    assert err == 0, (path, err)
    assert fs.write(fd, data) == (0, len(data))
    fs.c.ok("close", fd)


def read_err(fs: FS, fd: int, n: int = 16) -> tuple[int, int]:
    err, rv, _ = fs.c.call("read", fd, fs.m.out(n), n)
    return err, rv


def fionread(fs: FS, fd: int) -> int:
    return fs.c.err("ioctl", fd, IO.FIONREAD, fs.m.out(4))


def poll1(fs: FS, fd: int, events: int) -> tuple[int, int]:
    """(number ready, revents) of a zero-timeout poll on one descriptor."""
    pfd = fs.m.buf(struct.pack("<ihh", fd, events, 0))
    n = fs.c.ok("poll", pfd, 1, 0)
    return n, struct.unpack("<ihh", fs.m.get(pfd, 8))[2]


def assert_dead(fs: FS, fd: int) -> None:
    """A revoked regular file's descriptor: deadfs's answers."""
    assert read_err(fs, fd)[0] == E.EIO                     # dead_read (not a tty)
    assert fs.write(fd, b"x")[0] == E.EIO                   # dead_write
    assert fs.c.err("pread", fd, fs.m.out(4), 4, 0, 0) == E.EIO
    assert fs.c.err("__fstat50", fd, fs.m.out(152)) == E.EBADF  # getattr: dead_default_error
    assert fs.c.err("fchmod", fd, 0o600) == E.EBADF         # setattr
    assert fs.c.err("fchown", fd, 0, 0) == E.EBADF
    assert fs.c.err("fstatvfs1", fd, fs.m.out(SV.STATVFS_SIZE), SV.ST_WAIT) == E.EBADF
    assert fs.c.call("lseek", fd, 0, 3, F.SEEK_SET) == (0, 3, 0)   # dead_seek: a no-op
    assert fs.c.call("lseek", fd, 0, 2, F.SEEK_CUR) == (0, 5, 0)
    assert fs.c.err("lseek", fd, 0, 0, F.SEEK_END) == E.EBADF      # the size needs getattr
    assert fionread(fs, fd) == E.EBADF
    assert fs.c.err("ioctl", fd, IO.FIOASYNC, fs.m.buf(bytes(4))) == 0
    # dead_poll hands back every event asked for, and pollscan asks for POLLERR|POLLHUP too
    assert poll1(fs, fd, P.POLLIN | P.POLLOUT) == (1, P.POLLIN | P.POLLOUT | P.POLLERR | P.POLLHUP)
    assert fs.c.err("fsync", fd) == 0                       # dead_fsync: genfs_nullop
    assert fs.c.err("flock", fd, F.LOCK_EX | F.LOCK_NB) == E.EBADF  # advlock


def test_revoke_by_owner(module_server: ServerProcess, fs: FS) -> None:
    write_file(fs, "/tmp/rv_own", b"hello world", 0o666)
    fs.c.ok("chown", fs.s("/tmp/rv_own"), 1000, 1000)
    fs.become(1000, 1000)
    err, fd = fs.open("/tmp/rv_own", O_RDWR)
    assert err == 0
    dup = fs.c.ok("dup", fd)
    err, ro = fs.open("/tmp/rv_own", O_RDONLY)
    assert fs.read(ro, 5) == b"hello"
    # another process holding the same file loses it too
    peer = other(module_server)
    err, pfd = peer.open("/tmp/rv_own", O_RDONLY)
    assert err == 0 and peer.read(pfd, 2) == b"he"
    assert fs.call("revoke", "/tmp/rv_own") == 0
    for d in (fd, dup):
        assert_dead(fs, d)
    assert read_err(fs, ro)[0] == E.EIO
    assert read_err(peer, pfd)[0] == E.EIO
    assert peer.c.err("__fstat50", pfd, peer.m.out(152)) == E.EBADF
    # the name stays: a new open works and sees the data
    st = fs.st("/tmp/rv_own")
    assert st.size == 11 and st.uid == 1000
    err, nfd = fs.open("/tmp/rv_own", O_RDWR)
    assert err == 0 and fs.read(nfd, 100) == b"hello world"
    assert fs.write(nfd, b"!") == (0, 1)
    assert fs.fstat(nfd).size == 12
    # close of a dead descriptor succeeds (dead_close), once
    for d in (fd, dup, ro):
        assert fs.c.err("close", d) == 0
        assert fs.c.err("close", d) == E.EBADF
    assert peer.c.err("close", pfd) == 0
    fs.c.ok("close", nfd)
    peer.c.close()


def test_revoke_by_root_and_eperm_for_others(module_server: ServerProcess, fs: FS) -> None:
    write_file(fs, "/tmp/rv_root", b"data", 0o666)
    fs.c.ok("chown", fs.s("/tmp/rv_root"), 1000, 1000)
    fs.become(1000, 1000)
    err, fd = fs.open("/tmp/rv_root", O_RDWR)
    assert err == 0
    stranger = other(module_server)
    stranger.become(1001, 1001)
    assert stranger.call("revoke", "/tmp/rv_root") == E.EPERM  # neither owner nor root
    assert fs.read(fd, 4) == b"data"                              # nothing happened
    root = other(module_server)
    assert root.call("revoke", "/tmp/rv_root") == 0               # the superuser may
    assert read_err(fs, fd)[0] == E.EIO
    assert fs.c.err("close", fd) == 0
    assert root.call("revoke", "/tmp/rv_root") == 0  # not in use: nothing to do, no error
    assert root.call("revoke", "/tmp/rv_nonexistent") == E.ENOENT
    assert root.call("revoke", "/tmp/rv_root/x") == E.ENOTDIR
    stranger.c.close()
    root.c.close()


def test_revoke_follows_symlinks(fs: FS) -> None:
    write_file(fs, "/tmp/rv_target", b"target")
    assert fs.call("symlink", "/tmp/rv_target", "/tmp/rv_link") == 0
    err, fd = fs.open("/tmp/rv_target", O_RDONLY)
    assert err == 0
    assert fs.call("revoke", "/tmp/rv_link") == 0
    assert read_err(fs, fd)[0] == E.EIO
    assert fs.lst("/tmp/rv_link").size == len("/tmp/rv_target")  # the link itself is untouched
    err, fd2 = fs.open("/tmp/rv_link", O_RDONLY)
    assert err == 0 and fs.read(fd2, 10) == b"target"
    fs.c.ok("close", fd)
    fs.c.ok("close", fd2)


def test_revoked_directory_descriptor(fs: FS) -> None:
    assert fs.call("mkdir", "/tmp/rv_dir", 0o755) == 0
    write_file(fs, "/tmp/rv_dir/f", b"x")
    dfd = fs.c.ok("open", fs.s("/tmp/rv_dir"), O_DIRECTORY, 0)
    assert fs.getdents(dfd)
    assert fs.call("revoke", "/tmp/rv_dir") == 0
    assert fs.c.err("__getdents30", dfd, fs.m.out(4096), 4096) == E.EBADF  # dead readdir
    assert fs.c.err("fchdir", dfd) == E.EBADF                              # dead access
    assert fs.c.err("__fstat50", dfd, fs.m.out(152)) == E.EBADF
    # *at() from a dead directory: relative names fail in dead_lookup, absolute ones work
    err, _, _ = fs.c.call("openat", dfd, fs.s("f"), O_RDONLY, 0)
    assert err == E.ENOENT
    err, fd, _ = fs.c.call("openat", dfd, fs.s("/tmp/rv_dir/f"), O_RDONLY, 0)
    assert err == 0
    fs.c.ok("close", fd)
    assert b"f" in fs.listdir("/tmp/rv_dir")  # by path it is a live directory
    fs.c.ok("close", dfd)


def test_revoked_device_read(fs: FS) -> None:
    """dead_read: end of file only for a tty (VV_ISTTY); /dev/zero is none, so EIO.
    (revoke.2 promises 0 for every character device; the code, not the page, decides.)"""
    err, fd = fs.open("/dev/zero", O_RDWR)
    assert err == 0 and fs.read(fd, 4) == bytes(4)
    assert fs.call("revoke", "/dev/zero") == 0
    assert read_err(fs, fd)[0] == E.EIO
    assert fs.write(fd, b"x")[0] == E.EIO
    assert fionread(fs, fd) == E.EBADF  # dead_ioctl
    assert fs.c.call("lseek", fd, 0, 7, F.SEEK_SET) == (0, 7, 0)
    assert fs.c.err("close", fd) == 0
    err, fd = fs.open("/dev/zero", O_RDONLY)  # the device node still works
    assert err == 0 and fs.read(fd, 3) == bytes(3)
    fs.c.ok("close", fd)


def test_blocked_fifo_reader_is_woken(module_server: ServerProcess, fs: FS) -> None:
    assert fs.call("mkfifo", "/tmp/rv_fifo", 0o666) == 0
    err, fd = fs.open("/tmp/rv_fifo", O_RDWR)  # O_RDWR never waits; no data: read blocks
    assert err == 0
    req = fs.c.start("read", fd, fs.m.out(8), 8)
    root = other(module_server)
    assert root.c.ok("getpid") > 0  # the server is not stalled by the blocked read
    assert root.call("revoke", "/tmp/rv_fifo") == 0
    assert fs.c.result(req)[0] == E.EIO  # woken, and deadfs answers
    assert fs.write(fd, b"x")[0] == E.EIO
    assert fs.c.err("lseek", fd, 0, 0, F.SEEK_SET) == E.ESPIPE
    assert fs.c.err("close", fd) == 0
    err, fd = fs.open("/tmp/rv_fifo", O_RDWR)  # a fresh FIFO open works
    assert err == 0
    assert fs.write(fd, b"abc") == (0, 3)
    assert fs.read(fd, 8) == b"abc"
    fs.c.ok("close", fd)
    root.c.close()


def mount_tmpfs(fs: FS, path: str) -> None:
    assert fs.call("mkdir", path, 0o755) in (0, E.EEXIST)
    args = fs.m.buf(SV.pack_tmpfs_args(root_mode=0o1777, size_max=1 << 20))
    assert fs.c.err("__mount50", fs.s("tmpfs"), fs.s(path), 0, args, 40) == 0


def test_forced_unmount(module_server: ServerProcess, fs: FS) -> None:
    root_dev = fs.st("/").dev
    mount_tmpfs(fs, "/rvmnt")
    assert fs.call("mkdir", "/rvmnt/sub", 0o755) == 0
    write_file(fs, "/rvmnt/sub/f", b"on the mount")
    err, fd = fs.open("/rvmnt/sub/f", O_RDWR)
    assert err == 0
    dfd = fs.c.ok("open", fs.s("/rvmnt/sub"), O_DIRECTORY, 0)
    # another process has its cwd inside
    inside = other(module_server)
    assert inside.call("chdir", "/rvmnt/sub") == 0
    assert inside.st("f").size == 12
    # plain unmount: EBUSY, and nothing changes
    assert fs.call("unmount", "/rvmnt", 0) == E.EBUSY
    assert fs.read(fd, 2) == b"on"
    assert fs.call("unmount", "/rvmnt", MNT_FORCE) == 0
    assert fs.st("/rvmnt").dev == root_dev  # the covered directory is back
    assert_dead(fs, fd)
    assert fs.c.err("__getdents30", dfd, fs.m.out(4096), 4096) == E.EBADF
    # the cwd is dead: relative lookups fail in dead_lookup, absolute ones work
    assert inside.stat("f")[0] == E.ENOENT
    assert inside.stat(".")[0] == E.ENOENT
    assert inside.call("chdir", "..") == E.ENOENT
    assert inside.open("new", O_CREAT | O_WRONLY, 0o644)[0] == E.ENOENT
    assert inside.call("chdir", "/tmp") == 0
    assert inside.st(".").ino == fs.st("/tmp").ino
    for d in (fd, dfd):
        assert fs.c.err("close", d) == 0
    # the mount point can take a new file system
    mount_tmpfs(fs, "/rvmnt")
    assert fs.stat("/rvmnt/sub")[0] == E.ENOENT
    assert fs.call("unmount", "/rvmnt", 0) == 0
    inside.c.close()


def test_forced_unmount_keeps_ebusy_for_submounts_and_plain_idle_unmount(fs: FS) -> None:
    mount_tmpfs(fs, "/rvtop")
    assert fs.call("mkdir", "/rvtop/d", 0o755) == 0
    mount_tmpfs(fs, "/rvtop/d")
    assert fs.call("unmount", "/rvtop", MNT_FORCE) == E.EBUSY  # something is mounted below
    assert fs.call("unmount", "/rvtop/d", 0) == 0
    assert fs.call("unmount", "/rvtop", 0) == 0  # idle: no force needed


def test_forced_unmount_of_a_fork_shared_file(module_server: ServerProcess) -> None:
    """A file shared across fork dies in both processes; the child's blocked FIFO read
    on the mount wakes."""
    parent = RawClient(module_server.url)
    pfs = FS(parent)
    mount_tmpfs(pfs, "/rvfork")
    assert pfs.call("mkfifo", "/rvfork/p", 0o666) == 0
    write_file(pfs, "/rvfork/f", b"shared")
    err, fd = pfs.open("/rvfork/f", O_RDONLY)
    err, ffd = pfs.open("/rvfork/p", O_RDWR)
    assert err == 0
    child = RawClient(module_server.url, handshake=False)
    child.handshake(wire.HANDSHAKE_FORK, wire.fork_body(parent.prefork()))
    cfs = FS(child)
    req = child.start("read", ffd, child.mem.out(4), 4)
    assert pfs.call("unmount", "/rvfork", MNT_FORCE) == 0
    assert child.result(req)[0] == E.EIO
    assert read_err(pfs, fd)[0] == E.EIO
    assert read_err(cfs, fd)[0] == E.EIO
    child.close()
    parent.close()


def test_revoke_is_registered() -> None:
    import sysproxy.kernel.syscalls  # noqa: F401  (registers the families)
    from sysproxy.abi.syscalls import BY_NAME
    from sysproxy.kernel.syscalls.table import TABLE
    assert BY_NAME["revoke"] == 56 and 56 in TABLE
