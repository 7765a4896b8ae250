"""File handles through a real server: __getfh30, __fhopen40, __fhstat50, __fhstatvfs140,
as NetBSD's vfs_syscalls.c and tmpfs_vfsops.c answer them."""
from __future__ import annotations

import struct
from typing import Iterator

import pytest

from support.fsclient import FS, O_APPEND, O_CREAT, O_DIRECTORY, O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY
from support.rawclient import RawClient
from support.server import ServerProcess
from sysproxy.abi import errno as E
from sysproxy.abi import fcntl as F
from sysproxy.abi import fhandle as FH
from sysproxy.abi import limits as L
from sysproxy.abi import stat as S
from sysproxy.abi import statvfs as SV

FHSIZE = 28  # a tmpfs handle: fsid (8) + tmpfs_fid (16), padded to FHANDLE_SIZE_MIN


@pytest.fixture
def fs(module_server: ServerProcess) -> Iterator[FS]:
    c = RawClient(module_server.url)
    yield FS(c)
    c.close()


def getfh(fs: FS, path: str, size: int = 64) -> tuple[int, int, bytes]:
    """(errno, size written back, handle bytes)."""
    buf = fs.m.out(max(size, 1))
    szp = fs.m.buf(struct.pack("<Q", size))
    err = fs.c.err("__getfh30", fs.s(path), buf, szp)
    n = struct.unpack("<Q", fs.m.get(szp, 8))[0]
    return err, n, (b"" if err else fs.m.get(buf, n))


def fh_of(fs: FS, path: str) -> bytes:
    err, n, fh = getfh(fs, path)
    assert err == 0 and n == FHSIZE == len(fh), (path, err, n)
    return fh


def fhstat(fs: FS, fh: bytes, size: int | None = None) -> tuple[int, bytes]:
    out = fs.m.out(S.STAT_SIZE)
    err = fs.c.err("__fhstat50", fs.m.buf(fh), len(fh) if size is None else size, out)
    return err, (b"" if err else fs.m.get(out, S.STAT_SIZE))


def raw_stat(fs: FS, path: str) -> bytes:
    out = fs.m.out(S.STAT_SIZE)
    fs.c.ok("__stat50", fs.s(path), out)
    return fs.m.get(out, S.STAT_SIZE)


def fhopen(fs: FS, fh: bytes, flags: int, size: int | None = None) -> tuple[int, int]:
    err, fd, _ = fs.c.call("__fhopen40", fs.m.buf(fh), len(fh) if size is None else size, flags)
    return err, fd


def fhstatvfs(fs: FS, fh: bytes) -> tuple[int, bytes]:
    out = fs.m.out(SV.STATVFS_SIZE)
    err = fs.c.err("__fhstatvfs140", fs.m.buf(fh), len(fh), out, SV.ST_WAIT)
    return err, (b"" if err else fs.m.get(out, SV.STATVFS_SIZE))


def raw_statvfs(fs: FS, path: str) -> bytes:
    out = fs.m.out(SV.STATVFS_SIZE)
    fs.c.ok("statvfs1", fs.s(path), out, SV.ST_WAIT)
    return fs.m.get(out, SV.STATVFS_SIZE)


def write_file(fs: FS, path: str, data: bytes) -> None:
    err, fd = fs.open(path, O_CREAT | O_TRUNC | O_WRONLY, 0o644)
    assert err == 0
    assert fs.write(fd, data) == (0, len(data))
    fs.c.ok("close", fd)


def test_handle_layout(fs: FS) -> None:
    write_file(fs, "/tmp/fh_layout", b"x")
    fh = fh_of(fs, "/tmp/fh_layout")
    h = FH.unpack_fhandle(fh)
    v = SV.unpack_statvfs(raw_statvfs(fs, "/tmp/fh_layout"))
    assert h.fsid == v.f_fsidx  # fh_fsid is the mount's f_fsidx
    tf = FH.unpack_tmpfs_fid(h.fid)
    assert (tf.len, tf.pad) == (16, 0)
    assert tf.id == fs.st("/tmp/fh_layout").ino
    assert tf.gen != 0 and tf.gen < 1 << 31
    assert fh[24:] == bytes(4)  # padding up to FHANDLE_SIZE_MIN
    assert fh_of(fs, "/tmp/fh_layout") == fh  # stable
    root = FH.unpack_tmpfs_fid(FH.unpack_fhandle(fh_of(fs, "/")).fid)
    assert root.id == fs.st("/").ino == 2


def test_round_trip_read_write(fs: FS) -> None:
    write_file(fs, "/tmp/fh_rw", b"hello")
    fh = fh_of(fs, "/tmp/fh_rw")
    err, fd = fhopen(fs, fh, O_RDWR)
    assert err == 0 and fd >= 0
    assert fs.read(fd, 100) == b"hello"
    assert fs.write(fd, b" world") == (0, 6)
    assert fs.fstat(fd) == fs.st("/tmp/fh_rw")
    fs.c.ok("close", fd)
    err, fd = fs.open("/tmp/fh_rw", O_RDONLY)
    assert fs.read(fd, 100) == b"hello world"
    fs.c.ok("close", fd)
    # O_TRUNC and O_APPEND behave as open(2)'s
    err, fd = fhopen(fs, fh, O_WRONLY | O_TRUNC)
    assert err == 0 and fs.st("/tmp/fh_rw").size == 0
    assert fs.write(fd, b"abc") == (0, 3)
    fs.c.ok("close", fd)
    err, fd = fhopen(fs, fh, O_WRONLY | O_APPEND)
    assert fs.write(fd, b"def") == (0, 3)
    fs.c.ok("close", fd)
    assert fs.st("/tmp/fh_rw").size == 6
    # O_CLOEXEC is honoured
    err, fd = fhopen(fs, fh, O_RDONLY | F.O_CLOEXEC)
    assert err == 0 and fs.c.ok("fcntl", fd, F.F_GETFD, 0) == F.FD_CLOEXEC
    fs.c.ok("close", fd)


def test_fhstat_equals_stat(fs: FS) -> None:
    write_file(fs, "/tmp/fh_st", b"12345")
    assert fs.call("mkdir", "/tmp/fh_dir", 0o750) == 0
    for path in ("/tmp/fh_st", "/tmp/fh_dir", "/", "/dev/null"):
        err, st = fhstat(fs, fh_of(fs, path))
        assert err == 0 and st == raw_stat(fs, path), path


def test_fhstatvfs_equals_statvfs(fs: FS) -> None:
    write_file(fs, "/tmp/fh_vfs", b"abc")
    err, v = fhstatvfs(fs, fh_of(fs, "/tmp/fh_vfs"))
    assert err == 0 and v == raw_statvfs(fs, "/tmp/fh_vfs")
    # another mount: its own fsid, its own figures; gone with it: ESTALE
    assert fs.call("mkdir", "/fhmnt", 0o755) == 0
    args = fs.m.buf(SV.pack_tmpfs_args(root_mode=0o1777, size_max=1 << 20))
    assert fs.c.err("__mount50", fs.s("tmpfs"), fs.s("/fhmnt"), 0, args, 40) == 0
    write_file(fs, "/fhmnt/f", b"in the other fs")
    fh = fh_of(fs, "/fhmnt/f")
    assert fh[:8] != fh_of(fs, "/tmp/fh_vfs")[:8]
    err, v = fhstatvfs(fs, fh)
    assert err == 0 and v == raw_statvfs(fs, "/fhmnt/f")
    assert SV.unpack_statvfs(v).f_mntonname == b"/fhmnt"
    assert fhstat(fs, fh) == (0, raw_stat(fs, "/fhmnt/f"))
    assert fs.call("unmount", "/fhmnt", 0) == 0
    assert fhstat(fs, fh)[0] == E.ESTALE
    assert fhstatvfs(fs, fh)[0] == E.ESTALE
    assert fhopen(fs, fh, O_RDONLY)[0] == E.ESTALE


def test_getfh_size_protocol(fs: FS) -> None:
    write_file(fs, "/tmp/fh_size", b"")
    for small in (0, 1, 27):
        err, n, _ = getfh(fs, "/tmp/fh_size", small)
        assert (err, n) == (E.E2BIG, FHSIZE), small
    # a buffer too small is not written at all
    buf = fs.m.buf(b"\xaa" * 27)
    szp = fs.m.buf(struct.pack("<Q", 27))
    assert fs.c.err("__getfh30", fs.s("/tmp/fh_size"), buf, szp) == E.E2BIG
    assert fs.m.get(buf, 27) == b"\xaa" * 27
    # exactly enough, and more than enough: FHSIZE written back, the rest untouched
    assert getfh(fs, "/tmp/fh_size", FHSIZE)[:2] == (0, FHSIZE)
    buf = fs.m.buf(b"\xaa" * 100)
    szp = fs.m.buf(struct.pack("<Q", 100))
    assert fs.c.err("__getfh30", fs.s("/tmp/fh_size"), buf, szp) == 0
    assert struct.unpack("<Q", fs.m.get(szp, 8))[0] == FHSIZE
    got = fs.m.get(buf, 100)
    assert got[:FHSIZE] == fh_of(fs, "/tmp/fh_size") and got[FHSIZE:] == b"\xaa" * 72
    # faults
    assert fs.c.err("__getfh30", fs.s("/tmp/fh_size"), fs.m.out(64), 0x1234) == E.EFAULT
    assert getfh(fs, "/tmp/nonexistent_fh")[0] == E.ENOENT


def test_symlinks_are_followed(fs: FS) -> None:
    write_file(fs, "/tmp/fh_target", b"t")
    assert fs.call("symlink", "fh_target", "/tmp/fh_link") == 0
    assert fs.call("symlink", "/tmp", "/tmp/fh_dirlink") == 0
    assert fs.call("symlink", "fh_nowhere", "/tmp/fh_dangling") == 0
    assert fh_of(fs, "/tmp/fh_link") == fh_of(fs, "/tmp/fh_target")
    assert fh_of(fs, "/tmp/fh_dirlink") == fh_of(fs, "/tmp")
    assert getfh(fs, "/tmp/fh_dangling")[0] == E.ENOENT
    err, st = fhstat(fs, fh_of(fs, "/tmp/fh_link"))
    assert S.S_ISREG(struct.unpack_from("<I", st, 8)[0])


def test_estale_after_unlink_and_inode_reuse(fs: FS) -> None:
    write_file(fs, "/tmp/fh_gone", b"old")
    old = fh_of(fs, "/tmp/fh_gone")
    ino = fs.st("/tmp/fh_gone").ino
    # unlinked but still open: the node lives, so does its handle (tmpfs_inactive
    # kills the generation only when the last reference goes)
    err, keep = fs.open("/tmp/fh_gone", O_RDONLY)
    assert fs.call("unlink", "/tmp/fh_gone") == 0
    assert fhstat(fs, old)[0] == 0
    fs.c.ok("close", keep)
    assert fhstat(fs, old)[0] == E.ESTALE
    assert fhopen(fs, old, O_RDONLY)[0] == E.ESTALE
    assert fhstatvfs(fs, old)[0] == E.ESTALE
    # the inode number comes back for the next node, with a new generation
    write_file(fs, "/tmp/fh_new", b"new")
    assert fs.st("/tmp/fh_new").ino == ino
    new = fh_of(fs, "/tmp/fh_new")
    assert new != old and FH.unpack_tmpfs_fid(new[8:]).id == ino
    assert fhstat(fs, old)[0] == E.ESTALE
    assert fhopen(fs, old, O_RDONLY)[0] == E.ESTALE
    err, fd = fhopen(fs, new, O_RDONLY)
    assert err == 0 and fs.read(fd, 10) == b"new"
    fs.c.ok("close", fd)
    # a removed directory too
    assert fs.call("mkdir", "/tmp/fh_rmd", 0o755) == 0
    d = fh_of(fs, "/tmp/fh_rmd")
    assert fs.call("rmdir", "/tmp/fh_rmd") == 0
    assert fhstat(fs, d)[0] == E.ESTALE
    # a forged generation or inode number
    tf = FH.unpack_tmpfs_fid(new[8:])
    wrong_gen = new[:8] + FH.pack_tmpfs_fid(tf.gen ^ 1, tf.id) + bytes(4)
    assert fhstat(fs, wrong_gen)[0] == E.ESTALE
    no_such = new[:8] + FH.pack_tmpfs_fid(tf.gen, 10**9) + bytes(4)
    assert fhstat(fs, no_such)[0] == E.ESTALE


def test_only_root(module_server: ServerProcess) -> None:
    c = RawClient(module_server.url)
    fs = FS(c)
    write_file(fs, "/tmp/fh_root", b"r")
    fh = fh_of(fs, "/tmp/fh_root")
    # the effective uid is what counts
    assert c.ok("seteuid", 1000) == 0
    assert getfh(fs, "/tmp/fh_root")[0] == E.EPERM
    assert getfh(fs, "/tmp/does/not/exist")[0] == E.EPERM  # before the lookup
    assert fhstat(fs, fh)[0] == E.EPERM
    assert fhopen(fs, fh, O_RDONLY)[0] == E.EPERM
    assert fhstatvfs(fs, fh)[0] == E.EPERM
    assert fs.c.err("__fhstat50", fs.m.buf(fh), 3, fs.m.out(S.STAT_SIZE)) == E.EPERM
    assert c.ok("seteuid", 0) == 0
    assert fhstat(fs, fh)[0] == 0
    fs.become(1000, 1000)
    assert getfh(fs, "/tmp/fh_root")[0] == E.EPERM
    assert fhopen(fs, fh, O_RDWR)[0] == E.EPERM
    c.close()


def test_malformed_handles(fs: FS) -> None:
    write_file(fs, "/tmp/fh_bad", b"b")
    fh = fh_of(fs, "/tmp/fh_bad")
    out = fs.m.out(S.STAT_SIZE)
    # sizes outside [FHANDLE_SIZE_MIN, FHANDLE_SIZE_MAX], or not the handle's own
    for size in (0, 8, 27, 29, 31, 33, 1024, 1025, 2**64 - 1):
        buf = fs.m.buf(fh.ljust(1100, b"\0"))
        assert fs.c.err("__fhstat50", buf, size, out) == E.EINVAL, size
        assert fhopen(fs, fh.ljust(1100, b"\0"), O_RDONLY, size)[0] == E.EINVAL, size
    # the NFSv2 kludge: a 32-byte buffer may carry a shorter handle
    assert fhstat(fs, fh + bytes(4))[0] == 0
    assert fhopen(fs, fh + bytes(4), O_RDONLY)[0] == 0
    # a fid of the wrong length is tmpfs's EINVAL (the sizes agree with fid_len)
    for fid_len in (0, 8, 15, 17, 20):
        bad = fh[:8] + struct.pack("<H", fid_len) + fh[10:]
        assert fhstat(fs, bad)[0] == E.EINVAL, fid_len
    long_fid = fh[:8] + struct.pack("<H", 100) + fh[10:] + bytes(100 - 20)
    assert len(long_fid) == 108 and fhstat(fs, long_fid)[0] == E.EINVAL
    # a fsid no mount has: ESTALE, whatever the fid
    assert fhstat(fs, b"\x01\x02\x03\x04\x05\x06\x07\x08" + fh[8:])[0] == E.ESTALE
    assert fhopen(fs, bytes(8) + fh[8:], O_RDONLY)[0] == E.ESTALE
    # faults
    assert fs.c.err("__fhstat50", 0x1234, FHSIZE, out) == E.EFAULT


def test_fhopen_checks(fs: FS) -> None:
    write_file(fs, "/tmp/fh_chk", b"c")
    assert fs.call("mkdir", "/tmp/fh_chkdir", 0o755) == 0
    f, d = fh_of(fs, "/tmp/fh_chk"), fh_of(fs, "/tmp/fh_chkdir")
    assert fhopen(fs, f, O_RDWR | O_CREAT)[0] == E.EINVAL
    assert fhopen(fs, f, O_CREAT | F.O_EXCL)[0] == E.EINVAL
    assert fhopen(fs, b"junk" * 7, O_RDONLY | O_CREAT)[0] == E.EINVAL
    assert fhopen(fs, f, 3)[0] == E.EINVAL  # neither FREAD nor FWRITE
    # directories: read only
    err, fd = fhopen(fs, d, O_RDONLY)
    assert err == 0 and fs.getdents(fd)
    fs.c.ok("close", fd)
    for flags in (O_WRONLY, O_RDWR, O_RDONLY | O_TRUNC):
        assert fhopen(fs, d, flags)[0] == E.EISDIR, flags
    err, fd = fhopen(fs, d, O_RDONLY | O_DIRECTORY)
    assert err == 0
    fs.c.ok("close", fd)
    assert fhopen(fs, f, O_RDONLY | O_DIRECTORY)[0] == E.ENOTDIR
    # access checks as open(2): immutable and append-only files
    assert fs.call("chflags", "/tmp/fh_chk", S.SF_IMMUTABLE) == 0
    assert fhopen(fs, f, O_WRONLY)[0] == E.EPERM
    err, fd = fhopen(fs, f, O_RDONLY)
    assert err == 0
    fs.c.ok("close", fd)
    assert fs.call("chflags", "/tmp/fh_chk", S.SF_APPEND) == 0
    assert fhopen(fs, f, O_WRONLY)[0] == E.EPERM
    err, fd = fhopen(fs, f, O_WRONLY | O_APPEND)
    assert err == 0
    fs.c.ok("close", fd)
    assert fs.call("chflags", "/tmp/fh_chk", 0) == 0
    # devices open through their driver
    err, fd = fhopen(fs, fh_of(fs, "/dev/zero"), O_RDONLY)
    assert err == 0 and fs.read(fd, 4) == bytes(4)
    fs.c.ok("close", fd)
    # no descriptor left: EMFILE before the handle is even looked at
    lim = struct.pack("<qq", 8, 8)
    assert fs.c.err("setrlimit", L.RLIMIT_NOFILE, fs.m.buf(lim)) == 0
    fds = []
    while True:
        err, fd = fhopen(fs, f, O_RDONLY)
        if err:
            break
        fds.append(fd)
    assert err == E.EMFILE
    assert fhopen(fs, b"junk" * 7, O_RDONLY)[0] == E.EMFILE
    for fd in fds:
        fs.c.ok("close", fd)
