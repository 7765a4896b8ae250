"""A small interpreter for pjdfstest-style expectations, run over a real connection.

pjdfstest drives one helper program per assertion: ``pjdfstest [-U umask]
[-u uid] [-g gid1,gid2] op args [: op args ...]``, which prints ``0``, the
errno name, or the requested stat fields; the suite compares that line with
an expected pattern (an extended regex over the whole line). ``Kernel.expect``
does the same here: ops are mapped to NetBSD system calls made with a
RawClient, so what the assertion sees is exactly what the server answers.

One client process plays every invocation. Credentials are switched in the
kernel the way a root process drops and regains them: setgroups, setegid,
seteuid before the ops, seteuid(0), setegid(0), setgroups back afterwards
(the saved uid stays 0, so seteuid(0) is allowed). The umask is set for each
invocation (0 unless -U is given, as pjdfstest does) and the descriptors an
invocation opened are closed when it ends, as the helper's exit would.

Name helpers follow misc.sh: ``namegen`` gives a fresh name, ``name_max`` a
name of exactly NAME_MAX bytes, ``path_max`` a relative path of PATH_MAX - 1
bytes whose directories exist (``dirgen_max`` + ``mkdir -p``).
"""
from __future__ import annotations

import itertools
import re
import struct
import time
from typing import Any, Callable

from support.rawclient import Memory, RawClient
from sysproxy.abi import errno as E
from sysproxy.abi import fcntl as F
from sysproxy.abi import stat as S
from sysproxy.abi.stat import unpack_stat
from sysproxy.abi.statvfs import pack_tmpfs_args
from sysproxy.kernel.dev import major, makedev, minor

ERRNAMES = {v: k for k, v in vars(E).items()
            if k.startswith("E") and k.isupper() and isinstance(v, int) and k != "EWOULDBLOCK"}
ERRNAMES[E.EAGAIN] = "EAGAIN"

OPEN_FLAGS = {
    "O_RDONLY": F.O_RDONLY, "O_WRONLY": F.O_WRONLY, "O_RDWR": F.O_RDWR,
    "O_NONBLOCK": F.O_NONBLOCK, "O_APPEND": F.O_APPEND, "O_CREAT": F.O_CREAT,
    "O_TRUNC": F.O_TRUNC, "O_EXCL": F.O_EXCL, "O_SHLOCK": F.O_SHLOCK,
    "O_EXLOCK": F.O_EXLOCK, "O_FSYNC": F.O_FSYNC, "O_SYNC": F.O_SYNC,
    "O_NOFOLLOW": F.O_NOFOLLOW, "O_NOCTTY": F.O_NOCTTY, "O_DIRECTORY": F.O_DIRECTORY,
}
CHFLAGS = [("UF_NODUMP", S.UF_NODUMP), ("UF_IMMUTABLE", S.UF_IMMUTABLE),
           ("UF_APPEND", S.UF_APPEND), ("UF_OPAQUE", S.UF_OPAQUE),
           ("SF_ARCHIVED", S.SF_ARCHIVED), ("SF_IMMUTABLE", S.SF_IMMUTABLE),
           ("SF_APPEND", S.SF_APPEND), ("SF_SNAPSHOT", S.SF_SNAPSHOT)]
AT_FLAGS = {"AT_REMOVEDIR": F.AT_REMOVEDIR, "AT_SYMLINK_FOLLOW": F.AT_SYMLINK_FOLLOW,
            "AT_SYMLINK_NOFOLLOW": F.AT_SYMLINK_NOFOLLOW}
PC_NAMES = {"_PC_LINK_MAX": 1, "_PC_NAME_MAX": 4, "_PC_PATH_MAX": 5, "_PC_SYMLINK_MAX": 12}
TYPES = {S.S_IFIFO: "fifo", S.S_IFCHR: "char", S.S_IFDIR: "dir", S.S_IFBLK: "block",
         S.S_IFREG: "regular", S.S_IFLNK: "symlink", S.S_IFSOCK: "socket"}
NODE_TYPES = {"c": S.S_IFCHR, "b": S.S_IFBLK, "f": S.S_IFIFO, "d": S.S_IFDIR, "o": S.S_IFREG}
DEADCODE = 0xDEADC0DE
ALL_TYPES = ("regular", "dir", "fifo", "block", "char", "socket", "symlink")
U32 = 0xFFFFFFFF


class Failure(AssertionError):
    pass


def _flags(table: dict[str, int], text: str) -> int:
    if text in ("none", "0", ""):
        return 0
    v = 0
    for f in re.split(r"[,|]", text):
        if f:
            v |= table[f]
    return v


def flags_str(v: int) -> str:
    names = [n for n, bit in CHFLAGS if v & bit]
    return ",".join(names) if names else "none"


class Invocation:
    """One run of the helper: its own memory and descriptor list."""

    def __init__(self, c: RawClient) -> None:
        self.c = c
        self.fds: list[int] = []
        c.mem = Memory()

    # -- argument conversion -------------------------------------------------
    def s(self, v: Any) -> int:
        if v is None or v == "NULL":
            return 0
        if v == "DEADCODE":
            return DEADCODE
        return self.c.mem.str(v if isinstance(v, (bytes, str)) else str(v))

    def fd(self, v: Any) -> int:
        if v == "AT_FDCWD":
            return F.AT_FDCWD
        if v == "BADFD":
            return -1
        return self.fds[int(v)]

    @staticmethod
    def n(v: Any) -> int:
        return int(v, 0) if isinstance(v, str) else int(v)

    def sys(self, name: str, *args: int) -> tuple[int, int]:
        err, rv, _ = self.c.call(name, *args)
        return err, rv

    def stat_out(self, call: str, *args: int) -> tuple[int, Any]:
        out = self.c.mem.out(152)
        err, _ = self.sys(call, *args[:-1], out, *args[-1:]) if call == "fstatat" else \
            self.sys(call, *args, out)
        return err, (None if err else unpack_stat(self.c.mem.get(out, 152)))

    # -- the ops ---------------------------------------------------------------
    def op(self, name: str, a: list[Any]) -> tuple[int, str | None]:
        """(errno, text to print instead of "0" or None)."""
        n, s, fd = self.n, self.s, self.fd
        if name in ("open", "openat"):
            at = name == "openat"
            dirfd = fd(a[0]) if at else F.AT_FDCWD
            a = a[1:] if at else a
            fl = _flags(OPEN_FLAGS, str(a[1]))
            mode = n(a[2]) if len(a) > 2 else 0
            err, rv = self.sys("openat", dirfd, s(a[0]), fl, mode)
            if not err:
                self.fds.append(rv)
            return err, None
        if name == "create":
            err, rv = self.sys("open", s(a[0]), F.O_CREAT | F.O_EXCL, n(a[1]))
            if not err:
                self.c.ok("close", rv)
            return err, None
        simple: dict[str, Callable[[], tuple[int, int]]] = {
            "unlink": lambda: self.sys("unlink", s(a[0])),
            "unlinkat": lambda: self.sys("unlinkat", fd(a[0]), s(a[1]), _flags(AT_FLAGS, str(a[2]))),
            "mkdir": lambda: self.sys("mkdir", s(a[0]), n(a[1])),
            "mkdirat": lambda: self.sys("mkdirat", fd(a[0]), s(a[1]), n(a[2])),
            "rmdir": lambda: self.sys("rmdir", s(a[0])),
            "link": lambda: self.sys("link", s(a[0]), s(a[1])),
            "linkat": lambda: self.sys("linkat", fd(a[0]), s(a[1]), fd(a[2]), s(a[3]),
                                       _flags(AT_FLAGS, str(a[4]))),
            "symlink": lambda: self.sys("symlink", s(a[0]), s(a[1])),
            "symlinkat": lambda: self.sys("symlinkat", s(a[0]), fd(a[1]), s(a[2])),
            "rename": lambda: self.sys("rename", s(a[0]), s(a[1])),
            "renameat": lambda: self.sys("renameat", fd(a[0]), s(a[1]), fd(a[2]), s(a[3])),
            "mkfifo": lambda: self.sys("mkfifo", s(a[0]), n(a[1])),
            "mkfifoat": lambda: self.sys("mkfifoat", fd(a[0]), s(a[1]), n(a[2])),
            "chmod": lambda: self.sys("chmod", s(a[0]), n(a[1])),
            "fchmod": lambda: self.sys("fchmod", fd(a[0]), n(a[1])),
            "lchmod": lambda: self.sys("lchmod", s(a[0]), n(a[1])),
            "fchmodat": lambda: self.sys("fchmodat", fd(a[0]), s(a[1]), n(a[2]),
                                         _flags(AT_FLAGS, str(a[3]))),
            # NetBSD's libc maps chown/lchown/fchown to the POSIX-semantics calls.
            "chown": lambda: self.sys("__posix_chown", s(a[0]), n(a[1]) & U32, n(a[2]) & U32),
            "fchown": lambda: self.sys("__posix_fchown", fd(a[0]), n(a[1]) & U32, n(a[2]) & U32),
            "lchown": lambda: self.sys("__posix_lchown", s(a[0]), n(a[1]) & U32, n(a[2]) & U32),
            "fchownat": lambda: self.sys("fchownat", fd(a[0]), s(a[1]), n(a[2]) & U32,
                                         n(a[3]) & U32, _flags(AT_FLAGS, str(a[4]))),
            "chflags": lambda: self.sys("chflags", s(a[0]), _flags(dict(CHFLAGS), str(a[1]))),
            "fchflags": lambda: self.sys("fchflags", fd(a[0]), _flags(dict(CHFLAGS), str(a[1]))),
            "lchflags": lambda: self.sys("lchflags", s(a[0]), _flags(dict(CHFLAGS), str(a[1]))),
            "truncate": lambda: self.sys("truncate", s(a[0]), 0, n(a[1])),
            "ftruncate": lambda: self.sys("ftruncate", fd(a[0]), 0, n(a[1])),
            "write": lambda: self.sys("write", fd(a[0]), s(a[1]), len(str(a[1]))),
            "pwrite": lambda: self.sys("pwrite", fd(a[0]), s(a[1]), len(str(a[1])), 0, n(a[2])),
        }
        if name in simple:
            return simple[name]()[0], None
        if name in ("mknod", "mknodat"):
            at = name == "mknodat"
            dirfd = fd(a[0]) if at else F.AT_FDCWD
            a = a[1:] if at else a
            mode = NODE_TYPES[str(a[1])] | n(a[2])
            dev = makedev(n(a[3]), n(a[4]))
            if at:
                return self.sys("mknodat", dirfd, s(a[0]), mode, 0, dev)[0], None
            return self.sys("__mknod50", s(a[0]), mode, dev)[0], None
        if name in ("bind", "connect"):
            err, sfd = self.sys("__socket30", 1, 1, 0)  # AF_LOCAL, SOCK_STREAM
            if err:
                return err, None
            self.fds.append(sfd)
            path = str(a[0]).encode()[:103]
            sun = struct.pack("BB", 106, 1) + path.ljust(104, b"\0")
            return self.sys(name, sfd, self.c.mem.buf(sun), len(sun))[0], None
        if name == "pread":
            out = self.c.mem.out(max(1, n(a[1])))
            err, got = self.sys("pread", fd(a[0]), out, n(a[1]), 0, n(a[2]))
            return err, (None if err else self.c.mem.get(out, got).decode("latin-1"))
        if name == "posix_fallocate":
            err, rv = self.sys("posix_fallocate", fd(a[0]), 0, n(a[1]), n(a[2]))
            return (err or rv), None
        if name in ("stat", "lstat", "fstat", "fstatat"):
            if name == "fstat":
                err, st = self.stat_out("__fstat50", fd(a[0]))
                what = a[1]
            elif name == "fstatat":
                err, st = self.stat_out("fstatat", fd(a[0]), s(a[1]), _flags(AT_FLAGS, str(a[2])))
                what = a[3]
            else:
                err, st = self.stat_out("__stat50" if name == "stat" else "__lstat50", s(a[0]))
                what = a[1]
            return err, (None if err else show_stats(st, str(what)))
        if name in ("pathconf", "fpathconf", "lpathconf"):
            pc = PC_NAMES[str(a[1])]
            if name == "fpathconf":
                err, rv = self.sys("fpathconf", fd(a[0]), pc)
            else:
                err, rv = self.sys("pathconf", s(a[0]), pc)
            return err, (None if err else str(rv))
        if name == "utimensat":
            def nsec(v: Any) -> int:
                return {"UTIME_NOW": S.UTIME_NOW, "UTIME_OMIT": S.UTIME_OMIT}.get(str(v)) \
                    if str(v) in ("UTIME_NOW", "UTIME_OMIT") else n(v)
            ts = struct.pack("<qqqq", n(a[2]), nsec(a[3]), n(a[4]), nsec(a[5]))
            flag = F.AT_SYMLINK_NOFOLLOW if a[6] == "AT_SYMLINK_NOFOLLOW" else n(a[6])
            return self.sys("utimensat", fd(a[0]), s(a[1]), self.c.mem.buf(ts), flag)[0], None
        raise ValueError(f"unknown op {name}")

    def close(self) -> None:
        for fd in self.fds:
            self.c.call("close", fd)


def show_stats(st: Any, what: str) -> str:
    out = []
    for w in what.split(","):
        if w == "mode":
            out.append("0%o" % (st.mode & S.ALLPERMS))
        elif w == "inode":
            out.append(str(st.ino))
        elif w in ("nlink", "uid", "gid", "size", "blocks"):
            out.append(str(getattr(st, w)))
        elif w in ("atime", "mtime", "ctime", "birthtime"):
            out.append(str(getattr(st, w + "_ns") // 1_000_000_000))
        elif w in ("atime_ns", "mtime_ns", "ctime_ns", "birthtime_ns"):
            out.append(str(getattr(st, w)))
        elif w == "flags":
            out.append(flags_str(st.flags))
        elif w == "major":
            out.append(str(major(st.rdev)))
        elif w == "minor":
            out.append(str(minor(st.rdev)))
        elif w == "type":
            out.append(TYPES.get(st.mode & S.S_IFMT, "unknown"))
        else:
            out.append("unknown")
    return ",".join(out)


_names = itertools.count()


class Kernel:
    """The suite's view of one server: run helper invocations, record assertions."""

    NAME_MAX = 511
    PATH_MAX = 1024

    def __init__(self, c: RawClient, label: str = "") -> None:
        self.c = c
        self.label = label
        self.passed = 0
        self.failures: list[str] = []

    # -- names (misc.sh) --------------------------------------------------------
    def namegen(self) -> str:
        return f"pjd_{next(_names):06d}_{time.monotonic_ns() % 100000:05d}"

    def name_len(self, n: int) -> str:
        base = self.namegen()
        return (base * (n // len(base) + 1))[:n]

    def name_max(self) -> str:
        return self.name_len(int(self.run("pathconf", ".", "_PC_NAME_MAX")))

    def path_max(self) -> str:
        """A relative path of PATH_MAX - 1 bytes; its directories are made (mkdir -p)."""
        name_max = int(self.run("pathconf", ".", "_PC_NAME_MAX"))
        limit = int(self.run("pathconf", ".", "_PC_PATH_MAX")) - 1
        comp = name_max // 2
        p = ""
        while len(p) < limit:
            p += self.name_len(comp) + "/"
        p = p[:limit]
        if p.endswith("/"):
            p = p[:-1] + "x"
        d = p.rsplit("/", 1)[0]
        acc = ""
        for part in d.split("/"):
            acc = f"{acc}/{part}" if acc else part
            self.run("mkdir", acc, 0o755)
        return p

    def rm_rf(self, path: str) -> None:
        """Remove a tree made by path_max (every level holds one directory)."""
        parts = path.split("/")
        for i in range(len(parts), 0, -1):
            p = "/".join(parts[:i])
            if self.run("rmdir", p) != "0":
                self.run("unlink", p)

    # -- running ----------------------------------------------------------------
    def run(self, *argv: Any, u: int | None = None, g: Any = None, U: int = 0) -> str:
        """Run one invocation; the last line the helper would print."""
        c = self.c
        inv = Invocation(c)
        switched = False
        try:
            c.ok("umask", U)
            if g is not None:
                gids = [int(x) for x in str(g).split(",")] if not isinstance(g, (list, tuple)) \
                    else list(g)
                c.ok("setgroups", len(gids), c.mem.buf(struct.pack(f"<{len(gids)}I", *gids)))
                c.ok("setegid", gids[0])
                switched = True
            if u is not None:
                c.ok("seteuid", u)
                switched = True
            ops: list[list[Any]] = [[]]
            for x in argv:
                if x == ":":
                    ops.append([])
                else:
                    ops[-1].append(x)
            out = "0"
            for o in ops:
                err, text = inv.op(o[0], o[1:])
                if err:
                    return ERRNAMES.get(err, str(err))
                out = text if text is not None else "0"
            return out
        finally:
            inv.close()
            if switched:
                c.ok("seteuid", 0)
                c.ok("setegid", 0)
                c.ok("setgroups", 0, 0)

    def expect(self, expected: Any, *argv: Any, u: int | None = None, g: Any = None,
               U: int = 0) -> str:
        if isinstance(expected, int):
            pat = f"0{expected:o}" if expected else "0"
        else:
            pat = str(expected)
        got = self.run(*argv, u=u, g=g, U=U)
        if re.fullmatch(pat, got):
            self.passed += 1
        else:
            who = f" -u {u}" if u is not None else ""
            who += f" -g {g}" if g is not None else ""
            who += f" -U 0{U:o}" if U else ""
            self.failures.append(f"{who} {' '.join(map(str, argv))}: expected {pat}, got {got}")
        return got

    def check(self, cond: bool, what: str) -> None:
        """test_check: a condition computed by the test itself."""
        if cond:
            self.passed += 1
        else:
            self.failures.append(f"check failed: {what}")

    def get(self, *argv: Any, **kw: Any) -> str:
        return self.run(*argv, **kw)

    def ns(self, op: str, path: str, field: str) -> int:
        """A time field with nanoseconds (for 'changed' checks without long sleeps)."""
        return int(self.run(op, path, field + "_ns"))

    tick_s = 0.002  # NetBSD's rump kernel stamps files with getnanotime(): 10 ms steps
    # Running against NetBSD's rump_server (tests/conformance/conftest.py): its client
    # side must answer every COPYIN (librumpclient just reads), and its tmpfs FIFOs
    # cannot be opened, so cases skip those parts there.
    external = False

    def tick(self) -> None:
        time.sleep(self.tick_s)

    # -- create_file (misc.sh) ----------------------------------------------------
    def create_file(self, ftype: str, name: str, *rest: int) -> None:
        mk = {
            "regular": ("create", name, 0o644), "dir": ("mkdir", name, 0o755),
            "fifo": ("mkfifo", name, 0o644), "block": ("mknod", name, "b", 0o644, 1, 2),
            "char": ("mknod", name, "c", 0o644, 1, 2), "socket": ("bind", name),
            "symlink": ("symlink", "test", name),
        }
        self.expect(0, *mk[ftype])
        chmod = "lchmod" if ftype == "symlink" else "chmod"
        if len(rest) == 3:
            self.expect(0, chmod, name, rest[0])
            self.expect(0, "lchown", name, rest[1], rest[2])
        elif len(rest) == 2:
            self.expect(0, "lchown", name, rest[0], rest[1])
        elif len(rest) == 1:
            self.expect(0, chmod, name, rest[0])

    def remove(self, ftype: str, name: str) -> None:
        self.expect(0, "rmdir" if ftype == "dir" else "unlink", name)

    # -- a fresh working directory per test ---------------------------------------
    def enter(self, mount_tmpfs: bool = False) -> str:
        top = self.namegen()
        self.expect(0, "mkdir", "/" + top, 0o755)
        if mount_tmpfs:  # a server whose root is not a tmpfs (NetBSD's rumpfs)
            args = pack_tmpfs_args(root_mode=0o755)
            self.c.ok("__mount50", self.c.mem.str("tmpfs"), self.c.mem.str("/" + top), 0,
                      self.c.mem.buf(args), len(args))
        self.c.ok("chdir", self.c.mem.str("/" + top))
        return top

    def finish(self) -> None:
        if self.failures:
            head = f"{len(self.failures)} of {self.passed + len(self.failures)} assertions failed"
            raise Failure(head + "\n" + "\n".join(self.failures[:60]))
