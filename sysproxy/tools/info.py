"""Information tools: stat (stat -x style), sysctl (read, write, list), ps (kern.proc2).

``sysctl -a`` walks the server's tree with CTL_QUERY (sysctl_tree.py) and prints
each leaf by its type; a server that does not answer CTL_QUERY gets the kern.*
and hw.* names the client knows instead.
"""
from __future__ import annotations

import argparse
import errno
import os
import stat as _stat
import struct
import time

from sysproxy.abi import kinfo as K
from sysproxy.abi import sysctl as S

from . import sysctl_tree
from .common import Ctx, command, group_name, user_name
from .sysctl_tree import Leaf

# ----- stat ---------------------------------------------------------------------

_TYPES = [(_stat.S_ISREG, "Regular File"), (_stat.S_ISDIR, "Directory"),
          (_stat.S_ISLNK, "Symbolic Link"), (_stat.S_ISCHR, "Character Device"),
          (_stat.S_ISBLK, "Block Device"), (_stat.S_ISFIFO, "FIFO"),
          (_stat.S_ISSOCK, "Socket")]
_TIME_FMT = "%a %b %e %H:%M:%S %Y"


def file_type(mode: int) -> str:
    return next((name for test, name in _TYPES if test(mode)), "Unknown")


def _stat_setup(p: argparse.ArgumentParser) -> None:
    p.add_argument("-L", dest="follow", action="store_true",
                   help="describe what symbolic links point to")
    p.add_argument("paths", nargs="+", metavar="PATH")


@command("stat", "display file status (like NetBSD stat -x)", _stat_setup)
def cmd_stat(ctx: Ctx, args: argparse.Namespace) -> None:
    for path in args.paths:
        try:
            st = ctx.k.stat(path) if args.follow else ctx.k.lstat(path)
        except OSError as e:
            ctx.warn(path, e)
            continue
        name = f'"{path}"'
        if _stat.S_ISLNK(st.st_mode):
            try:
                name += f' -> "{os.fsdecode(ctx.k.readlink(path))}"'
            except OSError:
                pass
        perm = f"{_stat.S_IMODE(st.st_mode):04o}/{_stat.filemode(st.st_mode)}"
        lines = [
            f"  File: {name}",
            f"  Size: {st.st_size:<11}  FileType: {file_type(st.st_mode)}",
            f"  Mode: ({perm})         Uid: ({st.st_uid:5}/{user_name(st.st_uid):>8})  "
            f"Gid: ({st.st_gid:5}/{group_name(st.st_gid):>8})",
            f"Device: {os.major(st.st_dev)},{os.minor(st.st_dev)}   Inode: {st.st_ino}    "
            f"Links: {st.st_nlink}",
            f"Access: {time.strftime(_TIME_FMT, time.localtime(st.st_atime))}",
            f"Modify: {time.strftime(_TIME_FMT, time.localtime(st.st_mtime))}",
            f"Change: {time.strftime(_TIME_FMT, time.localtime(st.st_ctime))}",
        ]
        birth = getattr(st, "st_birthtime", None)
        if birth:
            lines.append(f" Birth: {time.strftime(_TIME_FMT, time.localtime(birth))}")
        print("\n".join(lines), file=ctx.out)


# ----- sysctl -------------------------------------------------------------------

_STRINGS = {"kern.ostype", "kern.osrelease", "kern.version", "kern.hostname",
            "kern.domainname", "hw.machine", "hw.model", "hw.machine_arch"}
_TIMESPECS = {"kern.boottime"}
_SKIP = ("_MAXID", "KERN_PROC_", "KERN_PROC2", "KERN_PROC_ARGS", "KERN_LWP", "KERN_FILE",
         "KERN_BUF", "KERN_MSGBUF", "KERN_SYSVIPC", "KERN_DRIVERS", "KERN_CP_")


def known_names() -> list[str]:
    """Every kern.* and hw.* leaf the client can name, in MIB order: the list for a
    server that does not answer CTL_QUERY (see :func:`all_leaves`)."""
    from sysproxy.client.os_misc import SYSCTL_NAMES
    names: dict[tuple[int, ...], str] = {}
    for const, value in vars(S).items():
        for prefix, top in (("KERN_", S.CTL_KERN), ("HW_", S.CTL_HW)):
            if const.startswith(prefix) and isinstance(value, int) and \
                    not any(s in const for s in _SKIP):
                names.setdefault((top, value), f"{S.CTL_NAMES[top]}.{const[len(prefix):].lower()}")
    for alias, mib in SYSCTL_NAMES.items():
        if mib in names:
            names[mib] = alias
    return [names[m] for m in sorted(names)]


def all_leaves(ctx: Ctx) -> list[Leaf]:
    """The server's leaves, learnt with CTL_QUERY; else the names we know (type unknown)."""
    found = sysctl_tree.leaves(ctx.k)
    if found is not None:
        return found
    from sysproxy.client.os_misc import sysctl_mib
    return [Leaf(n, tuple(sysctl_mib(n)), 0) for n in known_names()]


def is_string(name: str, raw: bytes) -> bool:
    """A known string node, or NUL-terminated printable text with no other NUL."""
    body = raw[:-1]
    return name in _STRINGS or (raw.endswith(b"\0") and b"\0" not in body
                                and body.decode("utf-8", "replace").isprintable())


def format_value(name: str, raw: bytes, ctype: int = 0) -> str:
    """The text sysctl(8) shows: by the node's CTLTYPE_* when the server told us
    (CTL_QUERY), else inferred from the bytes."""
    if name in _TIMESPECS and len(raw) >= 8:
        return time.strftime(_TIME_FMT, time.localtime(struct.unpack_from("<q", raw)[0]))
    if ctype == S.CTLTYPE_STRING or (not ctype and is_string(name, raw)):
        return raw.split(b"\0", 1)[0].decode("utf-8", "replace")
    if len(raw) in (4, 8) and ctype != S.CTLTYPE_STRUCT:
        return str(int.from_bytes(raw, "little", signed=True))
    return raw.hex()


def _sysctl_setup(p: argparse.ArgumentParser) -> None:
    p.add_argument("-n", dest="bare", action="store_true", help="print values only")
    p.add_argument("-a", dest="all", action="store_true", help="list every known variable")
    p.add_argument("-w", dest="write", action="store_true",
                   help="set NAME=VALUE (also implied by the '=')")
    p.add_argument("names", nargs="*", metavar="NAME[=VALUE]")


def _read(ctx: Ctx, name: str, mib: tuple[int, ...] | None = None) -> bytes:
    from sysproxy.client.os_misc import sysctl_mib
    return ctx.k.sysctl(list(mib) if mib else sysctl_mib(name), oldlen=4096) or b""


def _show(ctx: Ctx, args: argparse.Namespace, name: str, quiet: bool = False,
          leaf: Leaf | None = None) -> None:
    try:
        raw = _read(ctx, name, leaf.mib if leaf else None)
    except (OSError, ValueError) as e:
        if quiet:
            return
        # reading a node: NetBSD 7.99.34 answers EINVAL (EISDIR elsewhere): show its leaves
        if isinstance(e, IsADirectoryError) or (isinstance(e, OSError) and
                                                 e.errno in (errno.EISDIR, errno.EINVAL)):
            kids = [f for f in all_leaves(ctx) if f.name.startswith(name + ".")]
            if kids:
                for f in kids:
                    _show(ctx, args, f.name, quiet=True, leaf=f)
                return
        ctx.warn(name, e if isinstance(e, OSError) else "No such file or directory")
        return
    value = format_value(name, raw, leaf.type if leaf else 0)
    print(value if args.bare else f"{name} = {value}", file=ctx.out)


def _set(ctx: Ctx, args: argparse.Namespace, name: str, text: str) -> None:
    try:
        old = _read(ctx, name)
        if is_string(name, old) or len(old) not in (4, 8):
            new = text.encode() + b"\0"
        else:
            new = struct.pack("<i" if len(old) == 4 else "<q", int(text, 0))
        ctx.k.sysctl(name, new=new, oldlen=None)
    except ValueError:
        ctx.warn(name, f"bad value or name: {text}")
        return
    except OSError as e:
        ctx.warn(name, e)
        return
    shown = f"{format_value(name, old)} -> {format_value(name, _read(ctx, name))}"
    print(shown if args.bare else f"{name}: {shown}", file=ctx.out)


@command("sysctl", "get or set kernel state", _sysctl_setup)
def cmd_sysctl(ctx: Ctx, args: argparse.Namespace) -> None:
    if args.all or not args.names:
        for leaf in all_leaves(ctx):
            _show(ctx, args, leaf.name, quiet=True, leaf=leaf)
    for item in args.names:
        if "=" in item:
            name, _, value = item.partition("=")
            _set(ctx, args, name, value)
        elif args.write:
            ctx.warn(item, "must be of the form name=value")
        else:
            _show(ctx, args, item)


# ----- ps -----------------------------------------------------------------------

_STATES = {K.LSIDL: "I", K.LSRUN: "R", K.LSSLEEP: "S", K.LSSTOP: "T", K.LSZOMB: "Z",
           K.LSDEAD: "Z", K.LSONPROC: "O", K.LSSUSPENDED: "U"}


def read_procs(ctx: Ctx, op: int = S.KERN_PROC_ALL, arg: int = 0) -> list[dict]:
    """kern.proc2 as libkvm's kvm_getproc2 reads it: probe the size, read, retry on ENOMEM."""
    esize = K.KINFO_PROC2_SIZE
    base = [S.CTL_KERN, S.KERN_PROC2, op, arg, esize]
    for _ in range(8):
        size = ctx.k.sysctl_size(base + [0])
        count = size // esize
        try:
            raw = ctx.k.sysctl(base + [count], oldlen=max(size, 1))
        except OSError as e:
            if e.errno == errno.ENOMEM:
                continue  # the table grew between the calls
            raise
        raw = raw or b""
        return [K.unpack_kinfo_proc2(raw[i:i + esize]) for i in range(0, len(raw), esize)]
    raise OSError(errno.ENOMEM, os.strerror(errno.ENOMEM))


def _ps_setup(p: argparse.ArgumentParser) -> None:
    p.add_argument("-l", dest="long", action="store_true",
                   help="more columns: PGID SID GID STAT NLWP LOGIN")
    p.add_argument("-p", dest="pid", type=int, help="only this process")


@command("ps", "list the kernel's processes (pid 1 is the kernel's own)", _ps_setup)
def cmd_ps(ctx: Ctx, args: argparse.Namespace) -> None:
    try:
        if args.pid is not None:
            procs = read_procs(ctx, S.KERN_PROC_PID, args.pid)
        else:
            procs = read_procs(ctx)
    except OSError as e:
        ctx.warn("kern.proc2", e)
        return
    if args.long:
        print(f"{'PID':>5} {'PPID':>5} {'PGID':>5} {'SID':>5} {'UID':>5} {'GID':>5} STAT "
              f"{'NLWP':>4} {'LOGIN':<8} COMM", file=ctx.out)
    else:
        print(f"{'PID':>5} {'PPID':>5} {'UID':>5} COMM", file=ctx.out)
    for p in sorted(procs, key=lambda r: r["p_pid"]):
        if args.long:
            st = _STATES.get(p["p_stat"], "?")
            print(f"{p['p_pid']:>5} {p['p_ppid']:>5} {p['p__pgid']:>5} {p['p_sid']:>5} "
                  f"{p['p_uid']:>5} {p['p_gid']:>5} {st:<4} {p['p_nlwps']:>4} "
                  f"{p['p_login'] or '-':<8} {p['p_comm']}", file=ctx.out)
        else:
            print(f"{p['p_pid']:>5} {p['p_ppid']:>5} {p['p_uid']:>5} {p['p_comm']}",
                  file=ctx.out)
    if args.pid is not None and not procs:
        ctx.status = 1
