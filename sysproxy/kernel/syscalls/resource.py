"""Resource limits: getrlimit, setrlimit (struct rlimit: two u64, cur then max)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...abi import errno as E
from ...abi import limits as L
from .. import resource
from ..errors import KernelError
from .args import i32
from .table import Args, syscall

if TYPE_CHECKING:
    from ..lwp import Lwp


@syscall("getrlimit")
async def sys_getrlimit(l: "Lwp", a: Args) -> int:
    which = i32(a[0])
    if not 0 <= which < L.RLIM_NLIMITS:
        raise KernelError(E.EINVAL)
    l.copyout(a[1], L.pack_rlimit(*resource.limits(l.proc)[which]))
    return 0


@syscall("setrlimit")
async def sys_setrlimit(l: "Lwp", a: Args) -> int:
    which = i32(a[0])
    cur, mx = L.unpack_rlimit(await l.copyin(a[1], L.RLIMIT.size))
    resource.setrlimit(l.proc, which, cur, mx)
    return 0
