"""revoke(2), as NetBSD's sys_revoke/dorevoke (vfs_syscalls.c): the path is looked
up following symlinks; the caller must own the file or be the superuser (EPERM);
a file in use has every open descriptor killed (vfs/revoke.py says what they
answer afterwards). The name stays: a new open(2) gets a working file.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..vfs.revoke import dorevoke
from .table import Args, syscall
from .vfs_util import lookup_vp, path_in

if TYPE_CHECKING:
    from ..lwp import Lwp


@syscall("revoke")
async def sys_revoke(l: "Lwp", a: Args) -> int:
    path = await path_in(l, a[0])
    dorevoke(l.kernel, lookup_vp(l, path), l.proc.cred)
    return 0
