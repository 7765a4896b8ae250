"""POSIX semaphores: _ksem_init/_open/_unlink/_close/_post/_wait/_trywait/_getvalue/
_destroy/_timedwait. The id is the semaphore's descriptor number (an intptr_t)."""
from __future__ import annotations

import struct
from collections.abc import Callable
from typing import TYPE_CHECKING

from ...abi import errno as E
from ...abi import fcntl as F
from ...abi import time as T
from ..errors import KernelError
from ..file import File
from ..ksem import SEM_MAX_NAMELEN, Ksem, KsemFile, table
from .args import i32, u32
from .table import Args, syscall

if TYPE_CHECKING:
    from ..lwp import Lwp

INTPTR = struct.Struct("<q")


def _install(l: "Lwp", idp: int, make: Callable[[], Ksem]) -> int:
    """fd_allocfile, copy the id out, then make the semaphore (fd_abort if that fails)."""
    fdt = l.proc.fd
    fd = fdt.alloc(File(0))  # holds the slot: EMFILE comes first, as in NetBSD
    try:
        l.copyout(idp, INTPTR.pack(fd))
        ks = make()
    except KernelError:
        fdt.close(fd)
        raise
    fdt.install(fd, KsemFile(table(l.kernel), ks))
    return 0


def _get(l: "Lwp", ident: int) -> Ksem:
    """ksem_get: the semaphore behind a descriptor (EINVAL for anything else)."""
    f = l.proc.fd.lookup(i32(ident))
    if not isinstance(f, KsemFile):
        raise KernelError(E.EINVAL)
    return f.ksem


@syscall("_ksem_init")
async def sys_ksem_init(l: "Lwp", a: Args) -> int:
    return _install(l, a[1], lambda: table(l.kernel).create(None, 0, l.proc.cred, u32(a[0])))


@syscall("_ksem_open")
async def sys_ksem_open(l: "Lwp", a: Args) -> int:
    name = await l.copyinstr(a[0], SEM_MAX_NAMELEN + 1)
    oflag, mode, value = i32(a[1]), u32(a[2]) & 0o7777, u32(a[3])
    return _install(l, a[4], lambda: table(l.kernel).open(
        name, bool(oflag & F.O_CREAT), bool(oflag & F.O_EXCL), mode, l.proc.cred, value))


@syscall("_ksem_unlink")
async def sys_ksem_unlink(l: "Lwp", a: Args) -> int:
    table(l.kernel).unlink(await l.copyinstr(a[0], SEM_MAX_NAMELEN + 1), l.proc.cred)
    return 0


@syscall("_ksem_close")
async def sys_ksem_close(l: "Lwp", a: Args) -> int:
    l.proc.fd.close(i32(a[0]))  # EBADF; any descriptor closes, as fd_close does
    return 0


@syscall("_ksem_post")
async def sys_ksem_post(l: "Lwp", a: Args) -> int:
    _get(l, a[0]).post()
    return 0


@syscall("_ksem_wait")
async def sys_ksem_wait(l: "Lwp", a: Args) -> int:
    await _get(l, a[0]).wait(l, False, None)
    return 0


@syscall("_ksem_trywait")
async def sys_ksem_trywait(l: "Lwp", a: Args) -> int:
    await _get(l, a[0]).wait(l, True, None)
    return 0


@syscall("_ksem_timedwait")
async def sys_ksem_timedwait(l: "Lwp", a: Args) -> int:
    sec, nsec = T.unpack_timespec(await l.copyin(a[1], T.TIMESPEC_SIZE))
    if sec < 0 or not 0 <= nsec < T.NSEC_PER_SEC:
        raise KernelError(E.EINVAL)
    await _get(l, a[0]).wait(l, False, sec * T.NSEC_PER_SEC + nsec)
    return 0


@syscall("_ksem_getvalue")
async def sys_ksem_getvalue(l: "Lwp", a: Args) -> int:
    l.copyout(a[1], struct.pack("<I", _get(l, a[0]).value))
    return 0


@syscall("_ksem_destroy")
async def sys_ksem_destroy(l: "Lwp", a: Args) -> int:
    ks = _get(l, a[0])
    if ks.name is not None:  # only for unnamed semaphores
        raise KernelError(E.EINVAL)
    if ks.waiters:
        raise KernelError(E.EBUSY)
    l.proc.fd.close(i32(a[0]))
    return 0
