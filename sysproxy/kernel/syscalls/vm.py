"""Memory calls: mmap of anonymous memory, which lives in the client.

A rump kernel cannot map memory into a remote client itself; for MAP_ANON it
asks the client to map it (an ANONMMAP request) and returns that address, as
NetBSD's rump kernel does for sysproxy clients.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...abi import errno as E
from ..errors import KernelError
from .args import i32
from .table import Args, syscall

if TYPE_CHECKING:
    from ..lwp import Lwp

MAP_SHARED, MAP_PRIVATE, MAP_FIXED, MAP_ANON = 0x1, 0x2, 0x10, 0x1000


@syscall("mmap")
async def sys_mmap(l: "Lwp", a: Args) -> int:
    length, flags, fd = a[1], i32(a[3]), i32(a[4])
    if not flags & MAP_ANON:
        raise KernelError(E.ENODEV)  # file mappings would need shared memory with the client
    if flags & MAP_FIXED or fd != -1 and fd != 0:
        raise KernelError(E.EINVAL)
    if length == 0 or length >= 1 << 47:
        raise KernelError(E.EINVAL)
    return await l.anonmmap(length)
