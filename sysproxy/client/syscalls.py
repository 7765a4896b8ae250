"""NetBSD system call numbers by name, and host-to-NetBSD flag translation.

``SYS.open`` is 5, ``SYS.stat`` is ``__stat50`` (439): the versioned names are
reachable without their compat prefix. The os-like API takes the host's
``os.O_*``/``AT_*`` values, as :mod:`os` does, and translates them here.
"""
from __future__ import annotations

import os as _os
import re
from types import SimpleNamespace

from sysproxy.abi import fcntl as nbfcntl
from sysproxy.abi.syscalls import BY_NAME, SYSCALLS

__all__ = ["SYS", "open_flags_to_netbsd", "open_flags_from_netbsd", "SYSCALLS"]


def _table() -> dict[str, int]:
    names: dict[str, int] = {}
    for name, num in BY_NAME.items():
        names[name] = num
        m = re.fullmatch(r"_*(?:posix_)?([a-z_0-9]+?)\d*", name)
        short = m.group(1) if m else name
        if short not in BY_NAME and short not in names:
            names[short] = num
    # The classic entries win over POSIX variants (what rump_sys_* send).
    names.update(stat=BY_NAME["__stat50"], fstat=BY_NAME["__fstat50"],
                 lstat=BY_NAME["__lstat50"], getdents=BY_NAME["__getdents30"],
                 socket=BY_NAME["__socket30"], getcwd=BY_NAME["__getcwd"],
                 sysctl=BY_NAME["__sysctl"], utimes=BY_NAME["__utimes50"],
                 lutimes=BY_NAME["__lutimes50"], futimes=BY_NAME["__futimes50"],
                 mount=BY_NAME["__mount50"], mknod=BY_NAME["__mknod50"])
    names.setdefault("kill", 37)  # not offered by rump kernels, but numbered
    return names


SYS = SimpleNamespace(**_table())

# Host O_* name -> NetBSD bit. O_ACCMODE values agree (0, 1, 2).
_OPEN_NAMES = ("O_NONBLOCK", "O_APPEND", "O_SYNC", "O_NOFOLLOW", "O_CREAT", "O_TRUNC",
               "O_EXCL", "O_NOCTTY", "O_DSYNC", "O_RSYNC", "O_DIRECT", "O_DIRECTORY",
               "O_CLOEXEC", "O_ASYNC")
_OPEN_MAP = [(getattr(_os, n), getattr(nbfcntl, n)) for n in _OPEN_NAMES
             if getattr(_os, n, 0) and hasattr(nbfcntl, n)]
_OPEN_MAP.sort(key=lambda hn: -bin(hn[0]).count("1"))  # multi-bit host flags (O_SYNC) first
_IGNORED = getattr(_os, "O_LARGEFILE", 0)


def open_flags_to_netbsd(flags: int) -> int:
    """Host os.O_* flags -> NetBSD's; ValueError for a flag NetBSD lacks."""
    out = flags & 3
    rest = flags & ~3 & ~_IGNORED
    for host, nb in _OPEN_MAP:
        if rest & host == host:
            out |= nb
            rest &= ~host
    if rest:
        raise ValueError(f"open flags {rest:#x} have no NetBSD equivalent")
    return out


def open_flags_from_netbsd(flags: int) -> int:
    """NetBSD open/F_GETFL flags -> the host's os.O_* (unknown bits dropped)."""
    out = flags & 3
    for host, nb in _OPEN_MAP:
        if flags & nb:
            out |= host
    return out


def at_flags_to_netbsd(follow_symlinks: bool = True) -> int:
    return 0 if follow_symlinks else nbfcntl.AT_SYMLINK_NOFOLLOW
