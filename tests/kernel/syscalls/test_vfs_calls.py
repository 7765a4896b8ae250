"""File system calls through a real server: results as NetBSD's tmpfs gives them."""
from __future__ import annotations

import struct
import time

import pytest

from support.fsclient import (FS, O_APPEND, O_CREAT, O_DIRECTORY, O_EXCL, O_NOFOLLOW,
                              O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY)
from support.rawclient import RawClient
from sysproxy.abi import errno as E
from sysproxy.abi import stat as S


@pytest.fixture
def fs(client: RawClient) -> FS:
    return FS(client)


def test_root_has_dev_and_tmp(fs: FS) -> None:
    assert set(fs.listdir("/")) >= {b".", b"..", b"dev", b"tmp"}
    assert fs.st("/tmp").mode == S.S_IFDIR | 0o1777
    null = fs.st("/dev/null")
    assert S.S_ISCHR(null.mode) and null.rdev == 2 << 8 | 2
    err, fd = fs.open("/dev/zero", O_RDWR)
    assert err == 0 and fs.read(fd, 5) == bytes(5)
    assert fs.write(fd, b"abc") == (0, 3)


def test_create_write_read_stat(fs: FS) -> None:
    err, fd = fs.open("/tmp/f", O_CREAT | O_RDWR, 0o644)
    assert err == 0
    assert fs.write(fd, b"hello") == (0, 5)
    assert fs.pread(fd, 10, 1) == b"ello"
    st = fs.fstat(fd)
    assert (st.size, st.nlink, st.mode, st.blocks, st.blksize) == (5, 1, S.S_IFREG | 0o644, 8, 4096)
    assert st.dev == 0xAB00 and st.rdev == S.NODEV
    assert fs.st("/tmp/f") == st


def test_umask_applies_and_sticky_dropped(fs: FS) -> None:
    assert fs.c.ok("umask", 0o027) == 0o022
    assert fs.create("/tmp/u", 0o1777) == 0
    assert fs.st("/tmp/u").mode & 0o7777 == 0o750
    assert fs.call("mkdir", "/tmp/d", 0o777) == 0
    assert fs.st("/tmp/d").mode & 0o7777 == 0o750


def test_open_errors(fs: FS) -> None:
    assert fs.open("/nonexistent")[0] == E.ENOENT
    assert fs.open("")[0] == E.ENOENT
    assert fs.open("/tmp", O_WRONLY)[0] == E.EISDIR
    assert fs.open("/tmp", O_RDONLY | O_TRUNC)[0] == E.EISDIR
    assert fs.create("/tmp/x") == 0
    assert fs.open("/tmp/x", O_CREAT | O_EXCL | O_WRONLY, 0o644)[0] == E.EEXIST
    assert fs.open("/tmp/x/y")[0] == E.ENOTDIR
    assert fs.open("/tmp/x", O_DIRECTORY)[0] == E.ENOTDIR
    assert fs.open("/tmp/x", 3)[0] == E.EINVAL
    assert fs.call("symlink", "x", "/tmp/sl") == 0
    assert fs.open("/tmp/sl", O_NOFOLLOW)[0] == E.EFTYPE
    assert fs.open("/tmp/sl", O_CREAT | O_EXCL | O_WRONLY, 0o644)[0] == E.EEXIST


def test_name_and_path_limits(fs: FS) -> None:
    # namei enforces KERNEL_NAME_MAX (255) per component, tmpfs's own limit too
    assert fs.create("/tmp/" + "a" * 255) == 0
    assert fs.create("/tmp/" + "b" * 256) == E.ENAMETOOLONG
    deep = "/tmp/" + "/".join(["d" * 100] * 9)
    parts = deep.split("/")
    for i in range(3, len(parts) + 1):
        fs.call("mkdir", "/".join(parts[:i]), 0o755)
    p = deep + "/" + "f" * (1023 - len(deep) - 1)
    assert len(p) == 1023 and fs.create(p) == 0
    assert fs.create(p + "g") == E.ENAMETOOLONG


def test_symlink_loop_and_trailing_slash(fs: FS) -> None:
    assert fs.call("symlink", "/tmp/l2", "/tmp/l1") == 0
    assert fs.call("symlink", "/tmp/l1", "/tmp/l2") == 0
    assert fs.open("/tmp/l1")[0] == E.ELOOP
    assert fs.create("/tmp/file") == 0
    assert fs.stat("/tmp/file/")[0] == E.ENOTDIR
    assert fs.call("mkdir", "/tmp/nd/", 0o755) == 0
    assert fs.call("symlink", "nd", "/tmp/ndl") == 0
    assert S.S_ISDIR(fs.st("/tmp/ndl/").mode)
    assert S.S_ISLNK(fs.lst("/tmp/ndl").mode)
    assert fs.readlink("/tmp/ndl") == (0, b"nd")
    assert fs.readlink("/tmp/file")[0] == E.EINVAL


def test_link_unlink_counts_and_times(fs: FS) -> None:
    assert fs.create("/tmp/a") == 0
    before = fs.st("/tmp")
    time.sleep(0.01)
    assert fs.call("link", "/tmp/a", "/tmp/b") == 0
    st = fs.st("/tmp/a")
    assert st.nlink == 2 and st.ino == fs.st("/tmp/b").ino
    after = fs.st("/tmp")
    assert after.mtime_ns > before.mtime_ns and after.ctime_ns > before.ctime_ns
    assert fs.call("link", "/tmp/a", "/tmp/b") == E.EEXIST
    assert fs.call("link", "/tmp", "/tmp/dl") == E.EPERM
    c0 = fs.st("/tmp/a").ctime_ns
    time.sleep(0.01)
    assert fs.call("unlink", "/tmp/b") == 0
    st = fs.st("/tmp/a")
    assert st.nlink == 1 and st.ctime_ns > c0
    assert fs.call("unlink", "/tmp") == E.EPERM
    assert fs.call("unlink", "/tmp/b") == E.ENOENT


def test_mkdir_rmdir(fs: FS) -> None:
    assert fs.call("mkdir", "/tmp/d", 0o755) == 0
    assert fs.st("/tmp/d").nlink == 2
    n = fs.st("/tmp").nlink
    assert fs.call("mkdir", "/tmp/d/e", 0o755) == 0
    assert fs.st("/tmp/d").nlink == 3 and fs.st("/tmp").nlink == n
    assert fs.call("mkdir", "/tmp/d", 0o755) == E.EEXIST
    assert fs.call("rmdir", "/tmp/d") == E.ENOTEMPTY
    assert fs.call("rmdir", "/tmp/d/e/.") == E.EINVAL
    assert fs.call("rmdir", "/tmp/d/e/..") == E.ENOTEMPTY
    assert fs.create("/tmp/d/f") == 0
    assert fs.call("rmdir", "/tmp/d/f") == E.ENOTDIR
    assert fs.call("rmdir", "/") == E.EBUSY
    assert fs.call("unlink", "/tmp/d/f") == 0
    assert fs.call("rmdir", "/tmp/d/e") == 0
    assert fs.st("/tmp/d").nlink == 2
    assert fs.call("rmdir", "/tmp/d") == 0


def test_rename_rules(fs: FS) -> None:
    for d in ("/tmp/a", "/tmp/a/b", "/tmp/c"):
        assert fs.call("mkdir", d, 0o755) == 0
    assert fs.create("/tmp/f") == 0
    assert fs.call("rename", "/tmp/a", "/tmp/a/b/x") == E.EINVAL
    assert fs.call("rename", "/tmp/a", "/tmp/f") == E.ENOTDIR
    assert fs.call("rename", "/tmp/f", "/tmp/c") == E.EISDIR
    assert fs.call("rename", "/tmp/c", "/tmp/a") == E.ENOTEMPTY
    assert fs.call("rename", "/tmp/a/.", "/tmp/z") == E.EINVAL
    ino = fs.st("/tmp/f").ino
    assert fs.call("link", "/tmp/f", "/tmp/g") == 0
    # two names of one file: __posix_rename leaves both; rename(2) drops the source
    # (genfs_sane_rename is not posixly correct; the reference server agrees)
    assert fs.call("__posix_rename", "/tmp/f", "/tmp/g") == 0
    assert fs.st("/tmp/f").ino == ino
    assert fs.call("rename", "/tmp/f", "/tmp/g") == 0
    assert fs.stat("/tmp/f")[0] == E.ENOENT
    assert fs.st("/tmp/g").nlink == 1
    assert fs.call("rename", "/tmp/g", "/tmp/g") == 0
    assert fs.st("/tmp/g").ino == ino
    assert fs.call("rename", "/tmp/c", "/tmp/a/b/c") == 0
    assert fs.st("/tmp/a/b").nlink == 3
    assert fs.call("rename", "/tmp/g", "/tmp/a/b/c/f") == 0
    assert fs.st("/tmp/a/b/c/f").ino == ino
    assert fs.call("rename", "/tmp/nope", "/tmp/x") == E.ENOENT


def test_rename_in_place_keeps_order(fs: FS) -> None:
    fs.call("mkdir", "/tmp/o", 0o755)
    for n in ("a", "b", "c"):
        fs.create(f"/tmp/o/{n}")
    assert fs.call("rename", "/tmp/o/a", "/tmp/o/z") == 0
    assert fs.listdir("/tmp/o") == [b".", b"..", b"z", b"b", b"c"]


def test_getdents_one_copyout_per_entry(fs: FS) -> None:
    fs.call("mkdir", "/tmp/g", 0o755)
    fs.create("/tmp/g/x")
    fd = fs.c.ok("open", fs.s("/tmp/g"), O_DIRECTORY, 0)
    fs.c.copies.clear()
    ents = fs.getdents(fd)
    assert [n for _, n, _ in ents] == [b".", b"..", b"x"]
    assert len([f for f in fs.c.copies if f.type == 4]) == 3
    assert fs.getdents(fd) == []
    out = fs.m.out(8)
    err = fs.c.err("lseek", fd, 0, 0, 0)
    # a buffer too small for one entry: tmpfs_dir_getdents stops before it, no error
    assert err == 0 and fs.c.ok("__getdents30", fd, out, 8) == 0


def test_chmod_chown_chflags(fs: FS) -> None:
    fs.create("/tmp/f")
    assert fs.call("chmod", "/tmp/f", 0o4755) == 0
    assert fs.st("/tmp/f").mode & 0o7777 == 0o4755
    assert fs.call("chown", "/tmp/f", 1000, 100) == 0
    st = fs.st("/tmp/f")
    assert (st.uid, st.gid, st.mode & 0o7777) == (1000, 100, 0o755)  # NetBSD chown clears suid
    fs.call("chmod", "/tmp/f", 0o6755)
    assert fs.call("__posix_chown", "/tmp/f", 1001, -1 & 0xFFFFFFFF) == 0
    assert fs.st("/tmp/f").mode & 0o7777 == 0o6755  # root keeps set-id bits (POSIX form)
    assert fs.call("chflags", "/tmp/f", S.UF_IMMUTABLE) == 0
    assert fs.st("/tmp/f").flags == S.UF_IMMUTABLE
    assert fs.open("/tmp/f", O_WRONLY)[0] == E.EPERM
    assert fs.call("unlink", "/tmp/f") == E.EPERM
    assert fs.call("chmod", "/tmp/f", 0o644) == E.EPERM
    assert fs.call("chflags", "/tmp/f", 0) == 0
    assert fs.call("chflags", "/tmp/f", S.SF_APPEND) == 0
    assert fs.open("/tmp/f", O_WRONLY)[0] == E.EPERM
    err, fd = fs.open("/tmp/f", O_WRONLY | O_APPEND)
    assert err == 0 and fs.call("truncate", "/tmp/f", 0, 0) == E.EPERM


def test_utimes_and_utimensat(fs: FS) -> None:
    fs.create("/tmp/f")
    tv = fs.m.buf(struct.pack("<qi4xqi4x", 1000000000, 500000, 1234567890, 0))
    assert fs.call("__utimes50", "/tmp/f", tv) == 0
    st = fs.st("/tmp/f")
    assert st.atime_ns == 1000000000_500000000 and st.mtime_ns == 1234567890 * 10**9
    assert st.birthtime_ns == st.mtime_ns
    ts = fs.m.buf(struct.pack("<qqqq", 5, S.UTIME_OMIT, 7, 8))
    assert fs.c.err("utimensat", -100 & 0xFFFFFFFF, fs.s("/tmp/f"), ts, 0) == 0
    st = fs.st("/tmp/f")
    assert st.atime_ns == 1000000000_500000000 and st.mtime_ns == 7 * 10**9 + 8
    # 7.99.34 checks no fractions: NetBSD stores what it is given
    odd = fs.m.buf(struct.pack("<qqqq", 5, 10**9, 7, 8))
    assert fs.c.err("utimensat", -100 & 0xFFFFFFFF, fs.s("/tmp/f"), odd, 0) == 0


def test_truncate_sparse_and_times(fs: FS) -> None:
    err, fd = fs.open("/tmp/t", O_CREAT | O_RDWR, 0o644)
    m0 = fs.fstat(fd).mtime_ns
    time.sleep(0.01)
    assert fs.call("truncate", "/tmp/t", 0, 1 << 40) == 0
    st = fs.fstat(fd)
    assert st.size == 1 << 40 and st.mtime_ns > m0 and st.ctime_ns > m0
    assert fs.pread(fd, 16, (1 << 40) - 8) == bytes(8)
    assert fs.c.err("pwrite", fd, fs.m.buf(b"xy"), 2, 0, 1 << 39) == 0
    assert fs.pread(fd, 4, (1 << 39) - 1) == b"\0xy\0"
    assert fs.c.err("ftruncate", fd, 0, 3) == 0
    assert fs.fstat(fd).size == 3
    assert fs.call("truncate", "/tmp/t", 0, -1 & (2**64 - 1)) == E.EINVAL
    assert fs.call("truncate", "/tmp", 0, 0) == E.EISDIR
    rfd = fs.open("/tmp/t", O_RDONLY)[1]
    assert fs.c.err("ftruncate", rfd, 0, 0) == E.EINVAL


def test_append_and_lseek(fs: FS) -> None:
    err, fd = fs.open("/tmp/ap", O_CREAT | O_RDWR | O_APPEND, 0o644)
    fs.write(fd, b"abc")
    fs.c.ok("lseek", fd, 0, 0, 0)
    fs.write(fd, b"de")
    assert fs.pread(fd, 10, 0) == b"abcde"
    assert fs.c.call("lseek", fd, 0, 2, 2) == (0, 7, 0)
    assert fs.c.err("lseek", fd, 0, -10 & (2**64 - 1), 1) == E.EINVAL
    assert fs.c.err("lseek", fd, 0, 0, 9) == E.EINVAL
    data = fs.m.out(4)
    assert fs.c.err("ioctl", fd, 0x4004667F, data) == 0  # FIONREAD
    assert struct.unpack("<i", fs.m.get(data, 4))[0] == 0


def test_chdir_getcwd_chroot(fs: FS) -> None:
    fs.call("mkdir", "/tmp/r", 0o755)
    fs.call("mkdir", "/tmp/r/s", 0o755)
    assert fs.call("chdir", "/tmp/r/s") == 0
    out = fs.m.out(64)
    assert fs.c.call("__getcwd", out, 64) == (0, 9, 0) and fs.m.get(out, 9) == b"/tmp/r/s\0"
    assert fs.c.err("__getcwd", out, 5) == E.ERANGE
    assert fs.call("chroot", "/tmp/r") == 0
    assert fs.c.call("__getcwd", out, 64) == (0, 3, 0) and fs.m.get(out, 3) == b"/s\0"
    assert fs.call("chdir", "/../..") == 0
    assert fs.c.call("__getcwd", out, 64) == (0, 2, 0)
    assert fs.st("/s").nlink == 2
    assert fs.call("chdir", "/s/nope") == E.ENOENT


def test_mount_tmpfs_and_statvfs(fs: FS) -> None:
    from sysproxy.abi import statvfs as SV
    assert fs.call("mkdir", "/mnt", 0o755) == 0
    args = fs.m.buf(SV.pack_tmpfs_args(root_mode=0o1777, size_max=1 << 20))
    assert fs.c.err("__mount50", fs.s("tmpfs"), fs.s("/mnt"), 0, args, 40) == 0
    st = fs.st("/mnt")
    assert st.dev == 0xAB01 and st.mode == S.S_IFDIR | 0o1777
    out = fs.m.out(SV.STATVFS_SIZE)
    assert fs.c.err("statvfs1", fs.s("/mnt"), out, 1) == 0
    v = SV.unpack_statvfs(fs.m.get(out, SV.STATVFS_SIZE))
    assert v.f_fstypename == b"tmpfs" and v.f_mntonname == b"/mnt" and v.f_blocks == 256
    assert fs.c.ok("getvfsstat", 0, 0, 1) == 2
    err, fd = fs.open("/mnt/big", O_CREAT | O_RDWR, 0o644)
    assert fs.write(fd, bytes(2 << 20))[0] == E.ENOSPC
    assert fs.fstat(fd).size == 0  # nothing half-written
    assert fs.call("link", "/mnt/big", "/tmp/x") == E.EXDEV
    assert fs.call("unmount", "/mnt", 0) == E.EBUSY
    fs.c.ok("close", fd)
    assert fs.st("/mnt/..").ino == fs.st("/").ino
    assert fs.call("unmount", "/mnt", 0) == 0
    assert fs.st("/mnt").dev == 0xAB00


def test_bad_addresses_and_descriptors(fs: FS) -> None:
    assert fs.c.err("open", 0x1234, 0, 0) == E.EFAULT
    assert fs.c.err("__fstat50", 99, fs.m.out(152)) == E.EBADF
    assert fs.c.err("__fstat50", -1 & 0xFFFFFFFF, fs.m.out(152)) == E.EBADF
    unterminated = fs.m.buf(b"a" * 1024)
    assert fs.c.err("open", unterminated, 0, 0) == E.ENAMETOOLONG
    assert fs.c.err("pread", 0, fs.m.out(1), 1, 0, -1 & (2**64 - 1)) == E.EBADF
    err, fd = fs.open("/tmp/p", O_CREAT | O_RDWR, 0o644)
    assert fs.c.err("pread", fd, fs.m.out(1), 1, 0, -1 & (2**64 - 1)) == E.EINVAL


def test_mknod_and_mkfifo(fs: FS) -> None:
    assert fs.call("__mknod50", "/tmp/c", S.S_IFCHR | 0o600, (2 << 8) | 2) == 0
    st = fs.st("/tmp/c")
    assert S.S_ISCHR(st.mode) and st.rdev == (2 << 8) | 2
    assert fs.call("mkfifo", "/tmp/fifo", 0o644) == 0
    assert S.S_ISFIFO(fs.st("/tmp/fifo").mode)
    assert fs.call("mkfifo", "/tmp/fifo", 0o644) == E.EEXIST
    fs.become(65534, 65534)
    assert fs.call("__mknod50", "/tmp/c2", S.S_IFCHR | 0o600, 0) == E.EPERM
    assert fs.call("mkfifo", "/tmp/fifo2", 0o644) == 0


def test_access_and_pathconf(fs: FS) -> None:
    fs.create("/tmp/f", 0o600)
    assert fs.call("access", "/tmp/f", 6) == 0
    assert fs.call("access", "/tmp/f", 1) == E.EACCES  # root: no x bit at all
    assert fs.call("access", "/tmp/f", 8) == E.EINVAL
    assert fs.c.ok("pathconf", fs.s("/tmp/f"), 4) == 255  # TMPFS_MAXNAMLEN
    assert fs.c.ok("pathconf", fs.s("/tmp/f"), 5) == 1024
    assert fs.c.err("pathconf", fs.s("/tmp/f"), 999) == E.EINVAL
