"""CTL_QUERY and CTL_DESCRIBE: the tree enumerated as NetBSD's kern_sysctl.c does it.

A name ending in CTL_QUERY (-2) asks for the children of the node the rest of
the name reaches, as an array of struct sysctlnode (sysctl_query); one ending
in CTL_DESCRIBE (-7) asks for their descriptions, as struct sysctldesc records
(sysctl_describe). That is how sysctl(8), rump.sysctl and libc's
sysctlgetmibinfo/sysctlnametomib learn the tree. The rules followed:

* sysctl_locate: a leaf on the way is ENOTDIR, a missing number ENOENT; a
  helper node (kern.proc2) gets the rest of the name, except a lone CTL_QUERY,
  which it answers as a query of itself, as sysctl_doeproc does.
* sysctl_query: newp must carry a struct sysctlnode whose sysctl_flags say
  SYSCTL_VERSION, newlen its size (sysctl_cvt_in; else EINVAL); a non-zero
  sysctl_ver must be the node's or the root's. Records are copied whole while
  they fit; *oldlenp becomes the size of all of them (sys___sysctl then says
  ENOMEM when that is more than the caller offered).
* sysctl_describe: without newp, every child; with it, the one numbered
  sysctl_num (ENOENT if none), and a sysctl_desc pointer there is a request to
  set a description: EPERM (every node here is CTLFLAG_PERMANENT). A record that
  does not fit is skipped while later ones may still be copied, as NetBSD's loop
  does. A node without a description gets descr_len 1 (an empty string).

Flags: SYSCTL_VERSION, the type, CTLFLAG_PERMANENT, CTLFLAG_READWRITE where our
kernel accepts writes, CTLFLAG_IMMEDIATE (with the value in sysctl_idata or
sysctl_qdata) where NetBSD has it. Sizes: an inner node sizeof(struct
sysctlnode), an int 4, a quad 8, a writable string its buffer, a read-only
string strlen + 1 (what sysctl_create computes), a struct its size. Versions:
each node is stamped as if created in MIB order, parents before children, and
carries the newest stamp of its subtree, as sysctl_create's version walk leaves
it; the root carries the newest of all. Kernel pointers (child, func, parent,
desc) are 0.
"""
from __future__ import annotations

import struct
from typing import TYPE_CHECKING

from ..abi import errno as E
from ..abi import sysctl as S
from .errors import KernelError
from .sysctl import Node
from .sysctl_descr import NODES

if TYPE_CHECKING:
    from .lwp import Lwp

META = (S.CTL_QUERY, S.CTL_DESCRIBE)
_NODE = S.SYSCTLNODE_SIZE


async def serve(l: "Lwp", root: Node, name: list[int], oldp: int, oldlen: int,
                newp: int, newlen: int) -> tuple[int, int]:
    """A name ending in CTL_QUERY/CTL_DESCRIBE: (the length for *oldlenp, errno)."""
    node = root
    path: tuple[str, ...] = ()
    try:
        for i, num in enumerate(name[:-1]):
            if node.func is not None:
                return await node.func(l, name[i:], oldp, oldlen, newp, newlen)
            if node.type != S.CTLTYPE_NODE:
                return oldlen, E.ENOTDIR
            child = node.children.get(num)
            if child is None:
                return oldlen, E.ENOENT
            node, path = child, path + (child.name,)
        if node.type != S.CTLTYPE_NODE:
            return oldlen, E.ENOTDIR
        if name[-1] == S.CTL_QUERY:
            return await _query(l, root, node, path, oldp, oldlen, newp, newlen)
        if node.func is not None:
            return await node.func(l, name[-1:], oldp, oldlen, newp, newlen)
        return await _describe(l, root, node, path, oldp, oldlen, newp, newlen)
    except KernelError as e:
        return oldlen, e.errno


async def _node_in(l: "Lwp", newp: int, newlen: int) -> S.SysctlNode:
    """sysctl_cvt_in: the caller's struct sysctlnode, SYSCTL_VERSION only."""
    if not newp or newlen < 4:
        raise KernelError(E.EINVAL)
    raw = await l.copyin(newp, _NODE if newlen == _NODE else 4)
    flags = struct.unpack_from("<I", raw)[0]
    if newlen != _NODE or S.SYSCTL_VERS(flags) != S.SYSCTL_VERSION:
        raise KernelError(E.EINVAL)
    return S.unpack_sysctlnode(raw)


async def _query(l: "Lwp", root: Node, node: Node, path: tuple[str, ...], oldp: int,
                 oldlen: int, newp: int, newlen: int) -> tuple[int, int]:
    q = await _node_in(l, newp, newlen)
    vers = versions(root)
    if q.ver and q.ver != vers[id(node)] and q.ver != vers[id(root)]:
        return oldlen, E.EINVAL
    recs = [record(c, num, path + (c.name,), vers[id(c)])
            for num, c in sorted(node.children.items())]
    if oldp:
        fit = min(len(recs), oldlen // _NODE)
        if fit:
            l.copyout(oldp, b"".join(recs[:fit]))
    return len(recs) * _NODE, 0


async def _describe(l: "Lwp", root: Node, node: Node, path: tuple[str, ...], oldp: int,
                    oldlen: int, newp: int, newlen: int) -> tuple[int, int]:
    vers = versions(root)
    want = None
    if newp:
        d = await _node_in(l, newp, newlen)
        if d.desc:  # setting a description
            if not l.proc.cred.is_root:
                return oldlen, E.EPERM
            child = node.children.get(d.num)
            if child is None:
                return oldlen, E.ENOENT
            if d.ver and d.ver != vers[id(child)]:
                return oldlen, E.EINVAL
            return oldlen, E.EPERM
        want = d.num
    out: list[bytes] = []
    left = oldlen
    total = 0
    for num, c in sorted(node.children.items()):
        if want is not None and num != want:
            continue
        text = NODES.get(path + (c.name,), (0, ""))[1].encode()
        if len(text) + 1 > S.MAXDESCLEN - S.SYSCTLDESC_SIZEOF:
            text = b""
        rec = S.pack_sysctldesc(num, vers[id(c)], text)
        if oldp and left >= len(rec):
            out.append(rec)
            left -= len(rec)
        total += len(rec)
        if want is not None:
            break
    if want is not None and total == 0:
        return oldlen, E.ENOENT
    if out:
        l.copyout(oldp, b"".join(out))
    return total, 0


def record(c: Node, num: int, path: tuple[str, ...], ver: int) -> bytes:
    """The struct sysctlnode a query reports for one child."""
    extra = NODES.get(path, (0, ""))[0]
    flags = S.SYSCTL_VERSION | c.type | S.CTLFLAG_PERMANENT | extra
    if c.set is not None:
        flags |= S.CTLFLAG_READWRITE
    if c.type == S.CTLTYPE_NODE:
        clen = len(c.children)
        return S.pack_sysctlnode(flags, num, c.name, ver, csize=_csize(clen), clen=clen,
                                 size=_NODE)
    size = leaf_size(c)
    if extra & S.CTLFLAG_IMMEDIATE and c.get is not None:
        raw = c.get()
        if c.type == S.CTLTYPE_INT:
            return S.pack_sysctlnode(flags, num, c.name, ver, size=size,
                                     idata=struct.unpack("<i", raw[:4])[0])
        if c.type == S.CTLTYPE_QUAD:
            return S.pack_sysctlnode(flags, num, c.name, ver, size=size,
                                     qdata=struct.unpack("<Q", raw[:8])[0])
    return S.pack_sysctlnode(flags, num, c.name, ver, size=size)


def leaf_size(c: Node) -> int:
    if c.type == S.CTLTYPE_INT:
        return 4
    if c.type == S.CTLTYPE_QUAD:
        return 8
    if c.type == S.CTLTYPE_BOOL:
        return 1
    if c.type == S.CTLTYPE_STRING and c.set is None and c.get is not None:
        return len(c.get())  # the value with its NUL
    return c.size


def _csize(clen: int) -> int:
    """sysctl_alloc gives a node SYSCTL_DEFSIZE child slots; sysctl_realloc doubles them."""
    if clen == 0:
        return 0
    n = S.SYSCTL_DEFSIZE
    while n < clen:
        n *= 2
    return n


def versions(root: Node) -> dict[int, int]:
    """id(node) -> sysctl_ver: creation stamps in MIB order, each node the newest below it."""
    vers: dict[int, int] = {}
    stamp = 0

    def walk(node: Node) -> int:
        nonlocal stamp
        stamp += 1
        top = stamp
        for _, c in sorted(node.children.items()):
            top = walk(c)
        vers[id(node)] = top
        return top

    top = 0
    for _, c in sorted(root.children.items()):
        top = walk(c)
    vers[id(root)] = top
    return vers
