"""Path lookup (namei) for one process: root and cwd, mount points, symlinks.

Rules as NetBSD's vfs_lookup.c applies them: an empty path is ENOENT, a
component longer than KERNEL_NAME_MAX (255, not NAME_MAX: sys/param.h keeps
namei at the old limit) is ENAMETOOLONG, every directory passed
through must be searchable (EACCES), ".." stops at the process root (chroot)
and crosses from a mount's root to the directory it covers, at most
MAXSYMLINKS symlinks are followed (then ELOOP), a symlink's expansion longer
than PATH_MAX is ENAMETOOLONG, and a trailing slash demands a directory
(following a final symlink).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from ...abi import errno as E
from ...abi.limits import PATH_MAX
from ..errors import KernelError
from .access import search
from .vnode import VDIR, VLNK

if TYPE_CHECKING:
    from ..cred import Cred
    from .vnode import Vnode

MAXSYMLINKS = 32
KERNEL_NAME_MAX = 255


class Lookup(NamedTuple):
    """Where a name is: its directory (None for a root), the last component, the node or None."""

    dvp: "Vnode | None"
    name: bytes
    vp: "Vnode | None"
    slash: bool  # the path ended with a slash


_lookup = tuple.__new__  # Lookup(...) without NamedTuple's Python-level __new__


def namei(root: "Vnode", start: "Vnode", path: bytes, cred: "Cred",
          follow: bool = True, parent: bool = False) -> Lookup:
    """Resolve ``path`` from ``start`` (relative) or ``root`` (absolute).

    With ``parent``, a missing last component is no error: vp is None and dvp
    is the directory it would be made in (create, rename targets).
    """
    if not path:
        raise KernelError(E.ENOENT)
    links = 0
    cur = start
    while True:
        if path[0] == 0x2F:  # "/"
            cur = root
        comps = path.split(b"/")
        if b"" in comps:
            comps = [c for c in comps if c]
        slash = path[-1] == 0x2F
        if not comps:
            return _lookup(Lookup, (None, b"", cur, slash))
        n = len(comps)
        restart = False
        root_cred = cred.euid == 0  # root searches every directory
        i = -1
        for c in comps:
            i += 1
            if cur.vtype != VDIR:
                raise KernelError(E.ENOTDIR)
            if len(c) > KERNEL_NAME_MAX:
                raise KernelError(E.ENAMETOOLONG)
            if not root_cred:
                search(cur, cred)
            last = i == n - 1
            nxt: Vnode | None
            if c == b"." and not cur.dead:  # a dead directory's lookup of "." is ENOENT
                nxt = cur
            elif c == b"..":
                nxt = dotdot(cur, root)
            else:
                nxt = cur.lookup(c)
                if nxt is None:
                    if last and parent:
                        return _lookup(Lookup, (cur, c, None, slash))
                    raise KernelError(E.ENOENT)
                while nxt.mountedhere is not None:
                    nxt = nxt.mountedhere.root
            if nxt.vtype == VLNK and (not last or follow or slash):
                links += 1
                if links > MAXSYMLINKS:
                    raise KernelError(E.ELOOP)
                target = nxt.readlink()
                if not target:
                    raise KernelError(E.ENOENT)
                rest = b"/".join(comps[i + 1:])
                if rest or slash:
                    target = target + b"/" + rest
                if len(target) >= PATH_MAX:
                    raise KernelError(E.ENAMETOOLONG)
                path = target
                restart = True
                break
            if last:
                if slash and nxt.vtype != VDIR:
                    raise KernelError(E.ENOTDIR)
                return _lookup(Lookup, (cur, c, nxt, slash))
            cur = nxt
        if not restart:  # pragma: no cover - the loop always returns or restarts
            raise KernelError(E.ENOENT)


def dotdot(cur: "Vnode", root: "Vnode") -> "Vnode":
    """The ".." of a directory: the process root is its own parent; mount roots cross over."""
    while True:
        if cur is root:
            return cur
        mp = cur.mount
        if cur is mp.root:
            if mp.covered is None:
                return cur
            cur = mp.covered
            continue
        return cur.parent()
