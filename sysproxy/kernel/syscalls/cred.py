"""Setting credentials: set[e|re]uid, set[e|re]gid, setgroups, getgroups,
issetugid, __getlogin, __setlogin.

NetBSD's kern_prot.c rules: each id call names, per new value, which current
ids it may equal without privilege (ID_*_EQ_* flags); anything else needs
root (EPERM). A change of any id marks the process set-id (issetugid).
"""
from __future__ import annotations

import struct
from typing import TYPE_CHECKING

from ...abi import errno as E
from ...abi.limits import MAXLOGNAME, NGROUPS_MAX
from ..errors import KernelError
from .args import i32
from .table import Args, syscall

if TYPE_CHECKING:
    from ..lwp import Lwp

# which current id a new value may equal: R(eal), E(ffective), S(aved)
R_EQ_R, R_EQ_E, E_EQ_E, E_EQ_R, E_EQ_S, S_EQ_S, S_EQ_R, S_EQ_E = (1 << i for i in range(8))
ALL = 0xFF


def _mayset(cur: tuple[int, int, int], new: tuple[int, int, int], flags: int) -> bool:
    r, e, s = cur
    nr, ne, ns = new
    if nr != -1 and not ((flags & R_EQ_R and nr == r) or (flags & R_EQ_E and nr == e)):
        return False
    if ne != -1 and not ((flags & E_EQ_E and ne == e) or (flags & E_EQ_R and ne == r)
                         or (flags & E_EQ_S and ne == s)):
        return False
    if ns != -1 and not ((flags & S_EQ_S and ns == s) or (flags & S_EQ_R and ns == r)
                         or (flags & S_EQ_E and ns == e)):
        return False
    return True


def _sugid(l: "Lwp") -> None:
    l.proc.data["sugid"] = True


def setresuid(l: "Lwp", r: int, e: int, s: int, flags: int) -> int:
    c = l.proc.cred
    cur = (c.uid, c.euid, c.svuid)
    if not _mayset(cur, (r, e, s), flags) and c.euid != 0:
        raise KernelError(E.EPERM)
    if r != -1:
        c.uid = r
    if e != -1:
        c.euid = e
    if s != -1:
        c.svuid = s
    if (c.uid, c.euid, c.svuid) != cur:
        _sugid(l)
    return 0


def setresgid(l: "Lwp", r: int, e: int, s: int, flags: int) -> int:
    c = l.proc.cred
    cur = (c.gid, c.egid, c.svgid)
    if not _mayset(cur, (r, e, s), flags) and c.euid != 0:
        raise KernelError(E.EPERM)
    if r != -1:
        c.gid = r
    if e != -1:
        c.egid = e
    if s != -1:
        c.svgid = s
    if (c.gid, c.egid, c.svgid) != cur:
        _sugid(l)
    return 0


def _id(v: int) -> int:
    """A uid_t/gid_t argument: -1 means 'no change'."""
    return i32(v)


@syscall("setuid")
async def sys_setuid(l: "Lwp", a: Args) -> int:
    u = _id(a[0])
    return setresuid(l, u, u, u, R_EQ_R | E_EQ_R | S_EQ_R)


@syscall("seteuid")
async def sys_seteuid(l: "Lwp", a: Args) -> int:
    return setresuid(l, -1, _id(a[0]), -1, E_EQ_R | E_EQ_S)


@syscall("setreuid")
async def sys_setreuid(l: "Lwp", a: Args) -> int:
    c = l.proc.cred
    r, e = _id(a[0]), _id(a[1])
    if r == -1:
        r = c.uid
    if e == -1:
        e = c.euid
    s = -1 if r == c.uid else e  # the saved id follows the new euid when the real id changes
    return setresuid(l, r, e, s, ALL)


@syscall("setgid")
async def sys_setgid(l: "Lwp", a: Args) -> int:
    g = _id(a[0])
    return setresgid(l, g, g, g, R_EQ_R | E_EQ_R | S_EQ_R)


@syscall("setegid")
async def sys_setegid(l: "Lwp", a: Args) -> int:
    return setresgid(l, -1, _id(a[0]), -1, E_EQ_R | E_EQ_S)


@syscall("setregid")
async def sys_setregid(l: "Lwp", a: Args) -> int:
    c = l.proc.cred
    r, e = _id(a[0]), _id(a[1])
    if r == -1:
        r = c.gid
    if e == -1:
        e = c.egid
    s = -1 if r == c.gid else e
    return setresgid(l, r, e, s, ALL)


@syscall("setgroups")
async def sys_setgroups(l: "Lwp", a: Args) -> int:
    c = l.proc.cred
    if c.euid != 0:
        raise KernelError(E.EPERM)
    n = i32(a[0])
    if not 0 <= n <= NGROUPS_MAX:
        raise KernelError(E.EINVAL)
    groups: tuple[int, ...] = ()
    if n:
        groups = struct.unpack(f"<{n}I", await l.copyin(a[1], 4 * n))
    c.groups = groups
    _sugid(l)
    return 0


@syscall("getgroups")
async def sys_getgroups(l: "Lwp", a: Args) -> int:
    groups = l.proc.cred.groups
    n = i32(a[0])
    if n == 0:
        return len(groups)
    if n < len(groups):
        raise KernelError(E.EINVAL)
    if groups:
        l.copyout(a[1], struct.pack(f"<{len(groups)}I", *groups))
    return len(groups)


@syscall("issetugid")
async def sys_issetugid(l: "Lwp", a: Args) -> int:
    return 1 if l.proc.data.get("sugid") else 0


@syscall("__getlogin")
async def sys_getlogin(l: "Lwp", a: Args) -> int:
    n = min(a[1], MAXLOGNAME)
    login = l.proc.login.encode()[:MAXLOGNAME]
    buf = (login + bytes(MAXLOGNAME))[:n]
    if n:
        l.copyout(a[0], buf)
    return 0


@syscall("__setlogin")
async def sys_setlogin(l: "Lwp", a: Args) -> int:
    if l.proc.cred.euid != 0:
        raise KernelError(E.EPERM)
    try:
        name = await l.copyinstr(a[0], MAXLOGNAME)
    except KernelError as e:
        raise KernelError(E.EINVAL if e.errno == E.ENAMETOOLONG else e.errno) from e
    p = l.proc
    login = name.decode("latin-1")
    for q in l.kernel.procs.values():  # the login name belongs to the session
        if q.sid == p.sid:
            q.login = login
    return 0
