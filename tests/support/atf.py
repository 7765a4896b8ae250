"""The setting an ATF test program of NetBSD's tests/lib/libc/sys runs in, over RawClient.

ATF runs each case (descriptors 0-2 open: a rump kernel gives the console) in a fresh
work directory (mkdtemp: mode 0700, owned by the user running the case) on a NetBSD
system that has /etc/passwd, /root (0700) with .profile, /usr. ``atf()`` gives a
kernel process in that setting, as root or, for ``require.user unprivileged``, as
"nobody" (a forked process that dropped its credentials with
setgroups/setgid/setuid, as the other ported tests drop them).
"""
from __future__ import annotations

import struct
import uuid

from sysproxy.abi import errno as E
from sysproxy.abi import fcntl as F
from sysproxy.abi.stat import Stat, unpack_stat

from .nb import fork
from .rawclient import RawClient

NOBODY_UID, NOBODY_GID = 32767, 39  # NetBSD's /etc/master.passwd
BADADDR = 0xFFFFFFFFFFFFFFFF         # (char *)-1: never client memory
PATH_MAX = 1024
NAME_MAX = 511                        # <limits.h> NAME_MAX on NetBSD (the ATF buffers use it)
NGROUPS_MAX = 16
ROOT_GROUPS = (0, 2, 3, 4, 5, 20)     # root in NetBSD's /etc/group: wheel kmem sys tty operator staff

PASSWD = (b"root:*:0:0:Charlie &:/root:/bin/sh\n"
          b"nobody:*:32767:39:Unprivileged user:/nonexistent:/sbin/nologin\n")

# (path, is a directory, mode, contents)
HIER = [
    ("/etc", True, 0o755, b""),
    ("/etc/passwd", False, 0o644, PASSWD),
    ("/root", True, 0o700, b""),
    ("/root/.profile", False, 0o644, b"PATH=/bin:/usr/bin\n"),
    ("/usr", True, 0o755, b""),
]


def hier(c: RawClient) -> None:
    """Make the NetBSD files the tests name (root's process; idempotent)."""
    for path, isdir, mode, data in HIER:
        if isdir:
            err = c.err("mkdir", c.mem.str(path), mode)
            assert err in (0, E.EEXIST)
            continue
        err, fd, _ = c.call("open", c.mem.str(path), F.O_WRONLY | F.O_CREAT | F.O_EXCL, mode)
        if err == E.EEXIST:
            continue
        assert err == 0
        c.ok("write", fd, c.mem.buf(data), len(data))
        c.ok("close", fd)


def workdir(c: RawClient) -> str:
    """ATF's work directory: a new 0700 directory under /tmp, made the cwd."""
    path = f"/tmp/atf.{uuid.uuid4().hex[:10]}"
    c.ok("mkdir", c.mem.str(path), 0o700)
    c.ok("chdir", c.mem.str(path))
    return path


def become(c: RawClient, uid: int, gid: int) -> None:
    c.ok("setgroups", 1, c.mem.buf(struct.pack("<I", gid)))
    c.ok("setgid", gid)
    c.ok("setuid", uid)


def atf(url: str, name: str, user: str = "root") -> RawClient:
    """A process running one ATF case: cwd in its work directory."""
    root = RawClient(url, name)
    hier(root)
    wd = workdir(root)
    # login(1)'s initgroups("root", 0): a rump kernel's new process has no groups
    root.ok("setgroups", len(ROOT_GROUPS),
            root.mem.buf(struct.pack(f"<{len(ROOT_GROUPS)}I", *ROOT_GROUPS)))
    if user == "root":
        return root
    assert user == "unprivileged"
    root.ok("__posix_chown", root.mem.str(wd), NOBODY_UID, NOBODY_GID)
    child = fork(root, url)
    become(child, NOBODY_UID, NOBODY_GID)
    child.parent = root  # type: ignore[attr-defined]  # keep the parent process alive
    return child


def s(c: RawClient, text: str | bytes) -> int:
    return c.mem.str(text)


def open_(c: RawClient, path: str | bytes | int, flags: int, mode: int = 0) -> tuple[int, int]:
    p = path if isinstance(path, int) else c.mem.str(path)
    err, fd, _ = c.call("open", p, flags, mode)
    return err, fd


def stat(c: RawClient, path: str | bytes, call: str = "__stat50") -> tuple[int, Stat | None]:
    out = c.mem.out(152)
    err = c.err(call, c.mem.str(path), out)
    return err, (None if err else unpack_stat(c.mem.get(out, 152)))


def st(c: RawClient, path: str | bytes, call: str = "__stat50") -> Stat:
    err, sb = stat(c, path, call)
    assert err == 0 and sb is not None, f"{call} {path!r}: errno {err}"
    return sb


def fstat(c: RawClient, fd: int) -> tuple[int, Stat | None]:
    out = c.mem.out(152)
    err = c.err("__fstat50", fd, out)
    return err, (None if err else unpack_stat(c.mem.get(out, 152)))


def getcwd(c: RawClient) -> str:
    out = c.mem.out(PATH_MAX)
    c.ok("__getcwd", out, PATH_MAX)
    return c.mem.get(out, PATH_MAX).split(b"\0", 1)[0].decode()


def mkstemp(c: RawClient, template: str) -> tuple[int, str]:
    """libc mkstemp(3): open(O_CREAT|O_EXCL|O_RDWR, 0600) on a fresh name."""
    path = template.replace("XXXXXX", uuid.uuid4().hex[:6]) if "XXXXXX" in template else template
    err, fd = open_(c, path, F.O_RDWR | F.O_CREAT | F.O_EXCL, 0o600)
    return (fd if not err else -1), path
