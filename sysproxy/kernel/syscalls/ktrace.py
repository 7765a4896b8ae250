"""Tracing: ktrace, fktrace, utrace (the records themselves: kernel/ktrace.py)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...abi import errno as E
from ...abi import ktrace as K
from .. import ktrace
from ..errors import KernelError
from ..file import FWRITE
from ..vfs.access import VREAD, VWRITE, vaccess
from ..vfs.vnfile import VnodeFile
from ..vfs.vnode import VDIR, VREG
from .args import i32
from .table import Args, syscall
from .vfs_util import lookup_vp, path_in

if TYPE_CHECKING:
    from ..lwp import Lwp


@syscall("ktrace")
async def sys_ktrace(l: "Lwp", a: Args) -> None:
    """As kern_ktrace_vfs.c: the file is opened for reading and writing (vn_open), must
    be a regular file (EACCES), and is used through a write-only file of its own."""
    ops, facs, pid = i32(a[1]), i32(a[2]) & 0xFFFFFFFF, i32(a[3])
    if ops & K.KTROP_MASK == K.KTROP_CLEAR:
        ktrace.common(l, ops, facs, pid, None)
        return
    vp = lookup_vp(l, await path_in(l, a[0]))
    if vp.vtype == VDIR:
        raise KernelError(E.EISDIR)
    vaccess(vp, l.proc.cred, VREAD)
    vaccess(vp, l.proc.cred, VWRITE)
    if vp.vtype != VREG:
        raise KernelError(E.EACCES)
    f = VnodeFile(FWRITE, vp).hold()
    try:
        ktrace.common(l, ops, facs, pid, f)
    finally:
        f.release()


@syscall("fktrace")
async def sys_fktrace(l: "Lwp", a: Args) -> None:
    f = l.proc.fd.get(i32(a[0]))
    if not f.flag & FWRITE:
        raise KernelError(E.EBADF)
    ktrace.common(l, i32(a[1]), i32(a[2]) & 0xFFFFFFFF, i32(a[3]), f)


@syscall("utrace")
async def sys_utrace(l: "Lwp", a: Args) -> None:
    """A KTR_USER record with the caller's label and bytes; nothing (and 0) untraced."""
    if not l.proc.traceflag & K.KTRFAC_USER:
        return
    n = a[2]
    if n > K.KTR_USER_MAXLEN:
        raise KernelError(E.ENOSPC)
    try:
        label = await l.copyinstr(a[0], K.KTR_USER_MAXIDLEN)
    except KernelError:
        label = b""
    err = 0
    try:
        data = await l.copyin(a[1], n) if n else b""
    except KernelError as e:
        data, err = bytes(n), e.errno
    ktrace.user(l, label, data)
    if err:
        raise KernelError(err)
