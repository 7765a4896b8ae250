"""Process identity and life: getpid, getppid, get*id, reboot."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...abi import errno as E
from ..errors import KernelError
from .args import i32
from .table import Args, syscall

if TYPE_CHECKING:
    from ..lwp import Lwp


@syscall("getpid")
async def sys_getpid(l: "Lwp", a: Args) -> tuple[int, int]:
    p = l.proc
    return p.pid, p.ppid


@syscall("getppid")
async def sys_getppid(l: "Lwp", a: Args) -> int:
    return l.proc.ppid


@syscall("getuid")
async def sys_getuid(l: "Lwp", a: Args) -> tuple[int, int]:
    c = l.proc.cred
    return c.uid, c.euid


@syscall("geteuid")
async def sys_geteuid(l: "Lwp", a: Args) -> int:
    return l.proc.cred.euid


@syscall("getgid")
async def sys_getgid(l: "Lwp", a: Args) -> tuple[int, int]:
    c = l.proc.cred
    return c.gid, c.egid


@syscall("getegid")
async def sys_getegid(l: "Lwp", a: Args) -> int:
    return l.proc.cred.egid


@syscall("reboot")
async def sys_reboot(l: "Lwp", a: Args) -> int:
    """Halt the kernel. The reply goes out first; the host is told just after."""
    if not l.proc.cred.is_root:
        raise KernelError(E.EPERM)
    howto = i32(a[0])
    k = l.kernel
    if k.on_reboot is not None:
        k.sched.call_soon(k.on_reboot, howto)
    return 0
