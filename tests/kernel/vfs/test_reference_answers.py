"""File system answers that differed from NetBSD 7.99.34's real rump kernel.

These are the reference's answers: with ``SYSPROXY_FS_REFERENCE=URL`` (NetBSD's
rump_server with tmpfs loaded) the same tests run against it, in a directory of
a tmpfs mounted for the test. They pin where NetBSD makes each check (namei,
the syscall, tmpfs's vnode operation), which decides the errno.
"""
from __future__ import annotations

import os
import struct
import uuid
from typing import Iterator

import pytest

from support.fsclient import FS, O_CREAT, O_DIRECTORY, O_EXCL, O_RDONLY, O_RDWR, O_WRONLY
from support.rawclient import RawClient
from sysproxy.abi import errno as E
from sysproxy.abi import stat as S
from sysproxy.abi.statvfs import pack_tmpfs_args

MINUS1 = (1 << 64) - 1  # an off_t of -1
REFERENCE = os.environ.get("SYSPROXY_FS_REFERENCE") or None
MNT_FORCE = 0x80000


@pytest.fixture
def fs(request: pytest.FixtureRequest) -> Iterator[FS]:
    if REFERENCE:
        c = RawClient(REFERENCE)
        top = f"/fsref-{uuid.uuid4().hex[:8]}"
        c.ok("mkdir", c.mem.str(top), 0o755)
        args = pack_tmpfs_args(root_mode=0o755)
        c.ok("__mount50", c.mem.str("tmpfs"), c.mem.str(top), 0, c.mem.buf(args), len(args))
        base = top + "/w"
    else:
        c = request.getfixturevalue("client")
        base = "/tmp/w"
    f = FS(c)
    for d in (base, base + "/d"):
        assert f.call("mkdir", d, 0o755) == 0
    assert f.create(base + "/f") == 0
    assert f.call("chdir", base) == 0
    yield f
    if REFERENCE:
        c.close()
        with RawClient(REFERENCE) as root:
            root.err("unmount", root.mem.str(top), MNT_FORCE)
            root.err("rmdir", root.mem.str(top))


def test_unlink_and_rmdir_of_dot_and_dotdot(fs: FS) -> None:
    """do_sys_unlinkat: "." is EINVAL (dvp == vp) before unlink's EPERM for a
    directory; ".." of a mount root's child is that root (EBUSY); elsewhere ".."
    is never empty (ENOTEMPTY from tmpfs_rmdir)."""
    assert fs.call("unlink", ".") == E.EINVAL
    assert fs.call("unlink", "d/.") == E.EINVAL
    assert fs.call("rmdir", ".") == E.EINVAL
    assert fs.call("rmdir", "d/..") == E.ENOTEMPTY
    assert fs.call("unlink", "d/..") == E.EPERM
    assert fs.call("rmdir", "/..") == E.EBUSY  # the root: VV_ROOT
    assert fs.call("unlinkat", -100 & 0xFFFFFFFF, fs.s("d"), 0x1000) == E.EPERM  # flags ignored
    assert fs.call("unlinkat", -100 & 0xFFFFFFFF, fs.s("f"), 0x800 | 0x1000) == E.ENOTDIR


def test_negative_lengths_come_first(fs: FS) -> None:
    assert fs.call("truncate", "nope", 0, MINUS1) == E.EINVAL
    assert fs.call("truncate", "d", 0, MINUS1) == E.EINVAL
    assert fs.call("ftruncate", 99, 0, MINUS1) == E.EINVAL


def test_open_creat_directory_is_einval_whatever_the_path(fs: FS) -> None:
    for p in ("f", "d", "nope", "f/x", "nodir/x"):
        for extra in (0, O_EXCL | O_RDWR):
            assert fs.open(p, O_CREAT | O_DIRECTORY | extra, 0o644)[0] == E.EINVAL
    assert fs.stat("nope")[0] == E.ENOENT  # nothing was made


def test_open_dir_for_writing_is_eisdir_before_access(fs: FS) -> None:
    assert fs.call("chmod", "d", 0o000) == 0
    fs.become(1000, 1000)
    assert fs.open("d", O_RDWR)[0] == E.EISDIR
    assert fs.open("d", O_WRONLY)[0] == E.EISDIR
    assert fs.open("d", O_RDONLY)[0] == E.EACCES


def test_rename_dot_dotdot_and_links(fs: FS) -> None:
    assert fs.call("rename", "f", ".") == E.EISDIR       # tmpfs_lookup RENAME of "."
    assert fs.call("rename", "f", "d/.") == E.EISDIR
    assert fs.call("rename", "nope", ".") == E.ENOENT    # the source first
    assert fs.call("rename", "f", "d/..") == E.EINVAL
    assert fs.call("rename", ".", "x") == E.EINVAL
    assert fs.call("rename", "f", "g/") == E.ENOENT      # a trailing slash on a missing target
    assert fs.call("link", ".", ".") == E.EEXIST
    assert fs.call("link", "nope", ".") == E.ENOENT      # the existing file first
    assert fs.call("link", "f", "g") == 0
    assert fs.call("rename", "f", "g") == 0              # rename(2) drops one of two links
    assert fs.stat("f")[0] == E.ENOENT and fs.st("g").nlink == 1


def test_same_dir_rename_over_keeps_the_source_place(fs: FS) -> None:
    for n in ("a", "b", "c"):
        assert fs.create(n) == 0
    assert fs.call("rename", "a", "c") == 0
    assert fs.listdir(".") == [b".", b"..", b"d", b"f", b"c", b"b"]


def test_directory_size_counts_48_bytes_an_entry(fs: FS) -> None:
    """sizeof(struct tmpfs_dirent) on amd64 in 7.99.34; SEEK_END on a directory uses it."""
    assert fs.st(".").size == 2 * 48
    err, fd = fs.open(".", O_RDONLY)
    assert err == 0 and fs.c.ok("lseek", fd, 0, 5, 2) == 96 + 5


def test_getdents_cookies(fs: FS) -> None:
    """The offset is the next entry's sequence number (3, 4, ...; 2 at the end);
    one naming a removed entry is EINVAL; a too small buffer returns 0."""
    for n in ("a", "b"):
        assert fs.create(n) == 0
    err, fd = fs.open(".", O_RDONLY)
    out = fs.m.out(4096)
    assert fs.c.ok("__getdents30", fd, out, 32 + 16) == 48  # ".", "..", "d"
    assert fs.c.ok("lseek", fd, 0, 0, 1) == 4                 # f's cookie
    assert fs.call("unlink", "f") == 0
    assert fs.c.err("__getdents30", fd, out, 4096) == E.EINVAL
    assert fs.c.ok("lseek", fd, 0, 5, 0) == 5
    assert [n for _, n, _ in S.unpack_dirents(fs.m.get(out, fs.c.ok(
        "__getdents30", fd, out, 4096)))] == [b"a", b"b"]
    assert fs.c.ok("lseek", fd, 0, 0, 1) == 2
    assert fs.c.ok("lseek", fd, 0, 0, 0) == 0
    assert fs.c.ok("__getdents30", fd, out, 10) == 0


def test_removed_directory_lists_nothing(fs: FS) -> None:
    assert fs.call("chdir", "d") == 0
    err, fd = fs.open(".", O_RDONLY)
    assert fs.call("rmdir", "../d") == 0
    assert fs.c.ok("__getdents30", fd, fs.m.out(512), 512) == 0
    assert fs.create("x") == E.ENOENT
    assert fs.call("mkdir", "x", 0o755) == E.ENOENT
    # (NetBSD's name cache may still answer "." and ".." here, if they were looked
    # up before the rmdir; this kernel has no name cache: see docs/CONFORMANCE.md)


def test_utimes_minus_one_second_is_vnoval(fs: FS) -> None:
    """tmpfs_setattr takes a time of -1 seconds for VNOVAL: not set, nothing checked."""
    tv = fs.m.buf(struct.pack("<qi4xqi4x", 100, 0, 200, 0))
    assert fs.call("__utimes50", "f", tv) == 0
    keep = fs.m.buf(struct.pack("<qi4xqi4x", -1, 0, -1, 5))
    fs.become(1000, 1000)
    assert fs.call("__utimes50", "f", keep) == 0  # not the owner, yet no EPERM
    st = fs.st("f")
    assert (st.atime_ns, st.mtime_ns) == (100 * 10**9, 200 * 10**9)


def test_chtimes_leaves_ctime(fs: FS) -> None:
    c = fs.st("f").ctime_ns
    tv = fs.m.buf(struct.pack("<qi4xqi4x", 100, 0, 200, 0))
    assert fs.call("__utimes50", "f", tv) == 0
    assert fs.st("f").ctime_ns == c


def test_fchownat_clears_set_id_bits_the_netbsd_way(fs: FS) -> None:
    assert fs.call("chmod", "f", 0o6755) == 0
    assert fs.call("fchownat", -100 & 0xFFFFFFFF, fs.s("f"), 5, MINUS1 & 0xFFFFFFFF, 0) == 0
    assert fs.st("f").mode & 0o7777 == 0o2755  # only the uid changed: only S_ISUID goes


def test_flag_bits_other_than_the_known_are_ignored(fs: FS) -> None:
    assert fs.call("fstatat", -100 & 0xFFFFFFFF, fs.s("f"), fs.m.out(152), 0x1000) == 0
    assert fs.call("faccessat", -100 & 0xFFFFFFFF, fs.s("f"), 0, 0x1000) == 0
    assert fs.call("fchmodat", -100 & 0xFFFFFFFF, fs.s("f"), 0o600, 0x1000) == 0
    assert fs.call("linkat", -100 & 0xFFFFFFFF, fs.s("f"), -100 & 0xFFFFFFFF, fs.s("g"),
                   0x1000) == 0


def test_readlink_count_is_a_size_t(fs: FS) -> None:
    assert fs.call("symlink", "f", "l") == 0
    assert fs.c.ok("readlink", fs.s("l"), fs.m.out(8), 1 << 63) == 1


def test_mknod_needs_root_and_makes_no_fifos(fs: FS) -> None:
    assert fs.call("__mknod50", "p", S.S_IFIFO | 0o644, 0) == E.EINVAL
    assert fs.call("__mknod50", "f", S.S_IFIFO | 0o644, 0) == E.EEXIST
    fs.become(1000, 1000)
    assert fs.call("__mknod50", "nodir/p", S.S_IFREG | 0o644, 0) == E.EPERM


def test_tmpfs_has_no_fallocate_or_fdiscard(fs: FS) -> None:
    err, fd = fs.open("f", O_RDWR)
    assert fs.c.ok("posix_fallocate", fd, 0, 0, 10) == E.EOPNOTSUPP
    assert fs.c.ok("posix_fallocate", fd, 0, 0, 0) == E.EOPNOTSUPP
    assert fs.call("fdiscard", fd, 0, 0, 10) == E.EOPNOTSUPP
    assert fs.call("fdiscard", 99, 0, MINUS1, 5) == E.EINVAL  # the range before the fd
    assert fs.c.ok("posix_fallocate", 99, 0, 0, 0) == E.EBADF
    p = fs.m.out(8)
    fs.c.ok("pipe", p)
    rfd = struct.unpack("<ii", fs.m.get(p, 8))[0]
    assert fs.c.ok("posix_fallocate", rfd, 0, 0, 10) == E.EINVAL  # fd_getvnode


def test_link_to_an_append_only_file_is_eperm(fs: FS) -> None:
    assert fs.call("chflags", "f", S.SF_APPEND) == 0
    assert fs.call("link", "f", "g") == E.EPERM


def test_create_keeps_setgid_for_a_non_member(fs: FS) -> None:
    assert fs.call("chmod", ".", 0o777) == 0
    fs.become(1000, 1000)
    assert fs.create("s", 0o2755) == 0
    assert fs.st("s").mode & 0o7777 == 0o2755  # (the directory's group is 0)


def test_at_descriptor_checked_first(fs: FS) -> None:
    """openat checks its descriptor before its flags; fchmodat, fchownat and
    utimensat before the path is even copied in; "" is ENOENT before ENOTDIR."""
    bad, long = 99, "x" * 2000
    assert fs.c.err("openat", bad, fs.s("f"), 3, 0) == E.EBADF  # O_ACCMODE: EINVAL later
    assert fs.call("fchmodat", bad, long, 0o644, 0) == E.EBADF
    assert fs.call("fchownat", bad, long, 0, 0, 0) == E.EBADF
    err, fd = fs.open("f", O_RDONLY)
    assert fs.c.err("openat", fd, fs.s(""), 0, 0) == E.ENOENT
    assert fs.c.err("openat", fd, fs.s("x"), 0, 0) == E.ENOTDIR


def test_empty_vectors_before_the_descriptor(fs: FS) -> None:
    assert fs.call("readv", 99, 0, 0) == E.EINVAL
    assert fs.call("writev", 99, 0, 0) == E.EINVAL


def test_console_descriptors(fs: FS) -> None:
    """Descriptors 0-2 are the rump console: rumpcons_stat, no F_SETFL of
    O_NONBLOCK (its ioctl refuses FIONBIO), fpathconf EOPNOTSUPP."""
    st = fs.c.mem.out(152)
    assert fs.c.ok("__fstat50", 0, st) == 0
    assert S.unpack_stat(fs.m.get(st, 152)).mode == S.S_IFCHR | 0o600
    assert fs.call("fcntl", 1, 4, 4) == E.ENOTTY  # F_SETFL O_NONBLOCK
    assert fs.call("fpathconf", 2, 1) == E.EOPNOTSUPP


def test_fsync_range_and_fadvise_argument_order(fs: FS) -> None:
    err, fd = fs.open("f", O_RDONLY)
    assert fs.call("fsync_range", fd, 0x30, 0, 0) == E.EBADF  # FWRITE before the flags
    err, wfd = fs.open("f", O_WRONLY)
    assert fs.call("fsync_range", wfd, 0x30, 0, 0) == E.EINVAL  # both kinds of sync
    assert fs.call("fsync_range", wfd, 0x10 | 0x100, 0, 0) == 0  # other bits ignored
    # offset -1 + length 100 overflows as C's int64: EINVAL before the bad descriptor
    assert fs.c.ok("__posix_fadvise50", 99, 0, MINUS1, 100, 6) == E.EINVAL


def test_tmpfs_has_no_extended_attributes(fs: FS) -> None:
    v = fs.m.buf(b"v")
    assert fs.call("extattr_set_file", "f", 1, "x", v, 1) == E.EOPNOTSUPP
    assert fs.call("extattr_get_file", "f", 1, "x", 0, 0) == E.EOPNOTSUPP
    assert fs.call("extattr_list_file", "f", 1, 0, 0) == E.EOPNOTSUPP
    assert fs.call("setxattr", "f", "user.x", v, 1, 0) == E.ENOTSUP
    assert fs.call("getxattr", "f", "user.x", 0, 0) == E.ENOTSUP
    assert fs.call("removexattr", "f", "user.x") == E.ENOTSUP
    assert fs.call("extattr_get_file", "nope", 1, "x", 0, 0) == E.ENOENT


def test_fs_fcntl_copies_its_parameter_in_first(fs: FS) -> None:
    err, fd = fs.open("f", O_RDONLY)
    assert fs.call("fcntl", fd, MINUS1 & 0xFFFFFFFF, 0) == E.EFAULT  # F_FSIN from NULL
    assert fs.call("fcntl", fd, 0x80000000 | 0x40000000 | 5, 0) == E.EOPNOTSUPP


def test_getlk_answers_an_absolute_start(fs: FS) -> None:
    err, fd = fs.open("f", O_RDWR)
    assert fs.c.ok("lseek", fd, 0, 100, 0) == 100
    lk = fs.m.buf(struct.pack("<qqihh", 10, 0, 0, 1, 1))  # F_RDLCK from SEEK_CUR+10
    assert fs.call("fcntl", fd, 7, lk) == 0
    start, length, pid, typ, whence = struct.unpack("<qqihh", fs.m.get(lk, 24))
    assert (start, typ, whence) == (110, 2, 1)  # F_UNLCK; whence as given
    un = fs.m.buf(struct.pack("<qqihh", 0, 0, 0, 2, 0))
    assert fs.call("fcntl", fd, 7, un) == 0  # F_GETLK of F_UNLCK is fine


def test_device_seek_takes_any_offset(fs: FS) -> None:
    err, fd = fs.open("/dev/null", O_RDWR)
    if err:
        pytest.skip("no /dev/null on this server")
    assert fs.c.ok("lseek", fd, 0, MINUS1 - 1, 0) == -2


def test_setlk_checks_the_open_mode_before_the_range(fs: FS) -> None:
    err, fd = fs.open("f", O_RDONLY)
    bad = fs.m.buf(struct.pack("<qqihh", -1, -5, 0, 3, 0))  # F_WRLCK, a negative range
    assert fs.call("fcntl", fd, 8, bad) == E.EBADF
