"""pipe and pipe2: a pipe's two ends as descriptors (NetBSD's sys_pipe/sys_pipe2)."""
from __future__ import annotations

import struct
from typing import TYPE_CHECKING

from ...abi import errno as E
from ...abi import fcntl as F
from ..errors import KernelError
from ..pipe import make_pipe
from .args import i32
from .table import Args, syscall

if TYPE_CHECKING:
    from ..lwp import Lwp


def _pipe(l: "Lwp", flags: int) -> tuple[int, int]:
    if flags & ~(F.O_CLOEXEC | F.O_NONBLOCK | F.O_NOSIGPIPE):
        raise KernelError(E.EINVAL)
    c = l.proc.cred
    # pipe1 puts every accepted flag in f_flag, O_CLOEXEC included: F_GETFL shows it
    rf, wf = make_pipe(l.kernel, c.euid, c.egid, flags)
    fdt = l.proc.fd
    cloexec = bool(flags & F.O_CLOEXEC)
    try:
        rfd = fdt.alloc(rf, cloexec)
    except KernelError:
        rf.on_last_close()
        wf.on_last_close()
        raise
    try:
        wfd = fdt.alloc(wf, cloexec)
    except KernelError:
        wf.on_last_close()
        fdt.close(rfd)
        raise
    return rfd, wfd


@syscall("pipe")
async def sys_pipe(l: "Lwp", a: Args) -> tuple[int, int]:
    """Old pipe(): both descriptors come back in retval, nothing is copied out."""
    return _pipe(l, 0)


@syscall("pipe2")
async def sys_pipe2(l: "Lwp", a: Args) -> tuple[int, int]:
    """pipe2: the descriptors are copied out; retval stays (0, write fd) as NetBSD leaves it."""
    rfd, wfd = _pipe(l, i32(a[1]))
    l.copyout(a[0], struct.pack("<ii", rfd, wfd))
    return 0, wfd
