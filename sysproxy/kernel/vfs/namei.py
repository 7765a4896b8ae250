"""Path lookup (namei) for one process: root and cwd, mount points, symlinks.

The walk is NetBSD 7.99.34's namei_oneroot (sys/kern/vfs_lookup.c) and the
per-directory step is tmpfs_lookup's (sys/fs/tmpfs/tmpfs_vnops.c), because
where each check sits decides which errno a caller sees:

* namei: an empty path is ENOENT; a component longer than KERNEL_NAME_MAX
  (255, not NAME_MAX) is ENAMETOOLONG before its directory is searched;
  ".." stops at the process root (chroot) and at the global root without
  searching, and crosses from a mount's root to the directory it covers;
  at most MAXSYMLINKS symlinks are followed (then ELOOP); a symlink's
  expansion plus the unparsed rest of the path (its slashes kept) must stay
  under MAXPATHLEN; a trailing slash demands a directory and follows a
  final symlink; a trailing slash on a missing name is ENOENT unless a
  directory is being made (CREATEDIR); a CREATE, DELETE or RENAME whose
  result has no parent on the same file system ("/", "..", a mount root) is
  EEXIST (CREATE) or EBUSY.
* the directory step (tmpfs_lookup): search permission (EACCES); the last
  component of a DELETE or RENAME on a read-only mount is EROFS; a removed
  directory has no entries at all, not even "." or ".." (ENOENT); a RENAME
  target of ".." is EINVAL and of "." EISDIR; a missing last component of a
  CREATE or RENAME needs write permission on the directory (EACCES), then is
  no error; a found last component of a DELETE or RENAME needs write
  permission and, in a sticky directory, to own the directory or the file
  (EPERM); a non-directory in the middle of a path is ENOTDIR.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from ...abi import errno as E
from ...abi.limits import PATH_MAX
from ..errors import KernelError
from .access import VWRITE, search, vaccess
from .vnode import VDIR, VLNK, now_ns

if TYPE_CHECKING:
    from ..cred import Cred
    from .vnode import Vnode

MAXSYMLINKS = 32
KERNEL_NAME_MAX = 255
S_ISTXT = 0o1000

# nameiop: what the caller will do with the last component
LOOKUP, CREATE, DELETE, RENAME = range(4)


class Lookup(NamedTuple):
    """Where a name is: its directory (None when there is none on the same file
    system: a root, a mount point), the last component, the node or None."""

    dvp: "Vnode | None"
    name: bytes
    vp: "Vnode | None"
    slash: bool  # the path ended with a slash


_lookup = tuple.__new__  # Lookup(...) without NamedTuple's Python-level __new__


def namei(root: "Vnode", start: "Vnode", path: bytes, cred: "Cred",
          follow: bool = True, op: int = LOOKUP, createdir: bool = False) -> Lookup:
    """Resolve ``path`` from ``start`` (relative) or ``root`` (absolute) for ``op``.

    For CREATE and RENAME a missing last component is no error: vp is None and
    dvp is the directory it would be made in.
    """
    if not path:
        raise KernelError(E.ENOENT)
    links = 0
    cur = start
    rest = path
    if rest[0] == 0x2F:  # "/"
        cur = root
        rest = rest.lstrip(b"/")
    root_cred = cred.euid == 0  # root searches every directory
    name = b""
    slash = False
    dvp: Vnode | None
    if not rest:  # the path was "/"
        dvp, vp = None, cur
    else:
        while True:
            i = rest.find(b"/")
            if i < 0:
                name, after, slashes = rest, b"", 0
            else:
                name = rest[:i]
                j = i + 1
                n = len(rest)
                while j < n and rest[j] == 0x2F:
                    j += 1
                after, slashes = rest[j:], j - i
            slash = slashes > 0
            last = not after
            if len(name) > KERNEL_NAME_MAX:
                raise KernelError(E.ENAMETOOLONG)
            dvp = cur
            if name == b".." and (cur is root or cur.mount.covered is None and cur is cur.mount.root):
                nvp = cur  # ".." of the process root or the global root: itself, unsearched
            else:
                if name == b"..":
                    while cur is cur.mount.root and cur.mount.covered is not None:
                        cur = cur.mount.covered
                    dvp = cur
                if not root_cred:
                    search(cur, cred)
                found = _dirlookup(cur, name, op, last, cred)
                if found is None:  # a CREATE or RENAME of a missing last component
                    if slash and not createdir:
                        raise KernelError(E.ENOENT)
                    return _lookup(Lookup, (cur, name, None, slash))
                nvp = found
                if nvp.mountedhere is not None:
                    while nvp.mountedhere is not None:
                        nvp = nvp.mountedhere.root
                    dvp = None  # crossed into another file system
            if nvp.vtype == VLNK and (follow or slash):
                if dvp is None:
                    raise KernelError(E.ENOTDIR)
                if links >= MAXSYMLINKS:
                    raise KernelError(E.ELOOP)
                links += 1
                target = nvp.readlink()
                nvp.atime = now_ns()  # VOP_READLINK: tmpfs_readlink stamps the access
                if not target:
                    raise KernelError(E.ENOENT)
                tail = rest[len(name):]  # the unparsed rest, its slashes kept
                if len(target) + len(tail) + 1 >= PATH_MAX:
                    raise KernelError(E.ENAMETOOLONG)
                rest = target + tail
                if rest[0] == 0x2F:
                    cur = root
                    rest = rest.lstrip(b"/")
                    if not rest:  # a link to "/" ends the walk at the root
                        dvp, vp = None, cur
                        break
                continue
            if slash and nvp.vtype != VDIR:
                raise KernelError(E.ENOTDIR)
            if last:
                vp = nvp
                break
            cur = nvp
            rest = after
    if op != LOOKUP and (dvp is None or dvp.mount is not vp.mount):
        raise KernelError(E.EEXIST if op == CREATE else E.EBUSY)
    return _lookup(Lookup, (dvp, name, vp, slash))


def _dirlookup(dvp: "Vnode", name: bytes, op: int, last: bool,
               cred: "Cred") -> "Vnode | None":
    """One step in a directory, with tmpfs_lookup's checks (search access is done)."""
    if dvp.dead:
        return dvp.lookup(name)  # deadfs: ENOENT
    if last and op >= DELETE and dvp.mount.rdonly:
        raise KernelError(E.EROFS)
    if dvp.nlink == 0:  # a removed directory is empty, "." and ".." included
        raise KernelError(E.ENOENT)
    if name == b"..":
        if last and op == RENAME:
            raise KernelError(E.EINVAL)
        return dvp.parent()
    if name == b".":
        if last and op == RENAME:
            raise KernelError(E.EISDIR)
        return dvp
    vp = dvp.lookup(name)
    if vp is None:
        if last and (op == CREATE or op == RENAME):
            vaccess(dvp, cred, VWRITE)
            return None
        raise KernelError(E.ENOENT)
    if not last:
        if vp.vtype != VDIR and vp.vtype != VLNK:
            raise KernelError(E.ENOTDIR)
    elif op >= DELETE:
        vaccess(dvp, cred, VWRITE)
        if dvp.mode & S_ISTXT and cred.euid != 0 and cred.euid != dvp.uid \
                and cred.euid != vp.uid:
            raise KernelError(E.EPERM)
    return vp


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
