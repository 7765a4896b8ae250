"""KNOWN OPEN DIVERGENCES: classes observed between our kernel and NetBSD's, not fixed yet.

Each entry is one exact class string (compare.classify: the call and the pair of
outcomes, ours first) with a one-line note. The CI test tolerates these with a
warning and counts them; anything else fails it. Fixers: delete an entry when its
class is fixed (the CI test then proves it stays fixed). Only real, observed
classes belong here, nothing broad.
"""
from __future__ import annotations

from typing import Any

#: class -> note (an example: family, seed, the op, NetBSD's result)
KNOWN_OPEN: dict[str, str] = {
    # ---- file system family (observed in 1000 fs seeds of 200 calls; 932 had none) ----
    'chmod: ok here, EPERM there':
        "fs seed 396: (1, 'chmod', ('a', 1517)) -> NetBSD ('err', 'EPERM')",
    'fchmod: ok here, EPERM there':
        "fs seed 332: (2, 'fchmod', (3, 1517)) -> NetBSD ('err', 'EPERM')",
    'fchmodat: ok here, EPERM there':
        "fs seed 592: (1, 'fchmodat', ('cwd', 'b', 4095, 1)) -> NetBSD ('err', 'EPERM')",
    "fcntl(cmd=3): values differ ['value']":
        "fs seed 548: (3, 'fcntl', ('#0', 3, 0)) -> NetBSD ('ok', 147462)",
    'fcntl_lk(cmd=8): EINVAL here, EBADF there':
        "fs seed 305: (0, 'fcntl_lk', ('#0', 8, 3, 5, -1, 0)) -> NetBSD ('err', 'EBADF')",
    'flock: ok here, EINVAL there':
        "fs seed 9: (0, 'flock', ('#2', 7)) -> NetBSD ('err', 'EINVAL')",
    'getdents: EBADF here, EINVAL there':
        "fs seed 694: (2, 'getdents', ('#3', 16)) -> NetBSD ('err', 'EINVAL')",
    "ioctl_int(cmd=1074030207): values differ ['[1]']":
        "fs seed 844: (0, 'ioctl_int', ('#3', 1074030207, 1)) -> NetBSD ('ok', (0, 47))",
    'ioctl_int(cmd=2147772029): ENOTTY here, ENODEV there':
        "fs seed 535: (1, 'ioctl_int', ('#0', 2147772029, 1)) -> NetBSD ('err', 'ENODEV')",
    'lchmod: EROFS here, EBADF there':
        "fs seed 893: (3, 'lchmod', ('/', 384)) -> NetBSD ('err', 'EBADF')",
    'lchmod: ok here, EPERM there':
        "fs seed 11: (1, 'lchmod', ('c', 1517)) -> NetBSD ('err', 'EPERM')",
    'lseek: EINVAL here, ok there':
        "fs seed 945: (1, 'lseek', (3, -2, 0)) -> NetBSD ('ok', -2)",
    "lseek: values differ ['value']":
        "fs seed 336: (1, 'lseek', ('#3', 100, 1)) -> NetBSD ('ok', 718)",
    'mkdir: EACCES here, ok there':
        "fs seed 167: (3, 'mkdir', ('d/../a', 292)) -> NetBSD ('ok', 0)",
    'mknod: EINVAL here, ok there':
        "fs seed 103: (1, 'mknod', ('p1', 57344, 1048320)) -> NetBSD ('ok', 0)",
    'open: EACCES here, EBADF there':
        "fs seed 186: (3, 'open', ('..', 2097152, 0), ('#6',)) -> NetBSD ('err', 'EBADF')",
    'open: ok here, EBADF there':
        "fs seed 522: (2, 'open', ('..', 2097152, 0), ('#4',)) -> NetBSD ('err', 'EBADF')",
    'openat: ENOENT here, ENOTDIR there':
        "fs seed 945: (2, 'openat', ('#3', '...', 2097154, 1533), ('#5',)) -> NetBSD ('err', 'ENOTDIR')",
    'pathconf(cmd=5): ok here, EINVAL there':
        "fs seed 302: (2, 'pathconf', ('b', 5)) -> NetBSD ('err', 'EINVAL')",
    'pwrite: EINVAL here, ok there':
        "fs seed 986: (3, 'pwrite', ('#1', b'j', -1)) -> NetBSD ('ok', 1)",
    'revoke: ok here, EBADF there':
        "fs seed 131: (1, 'revoke', ('..',)) -> NetBSD ('err', 'EBADF')",
    'truncate: EACCES here, ENOENT there':
        "fs seed 877: (1, 'truncate', ('../d', 1048576)) -> NetBSD ('err', 'ENOENT')",
}


def known_note(family: str, seed: int, d: Any) -> str:
    """The note ``--emit-known`` writes: where the class was first seen and its op."""
    op = repr(d.op)
    if len(op) > 90:
        op = op[:87] + "..."
    return f"{family} seed {seed}: {op} -> NetBSD {d.ref!r}"[:170]
