"""__sysctl: the copy dance of NetBSD's sys___sysctl around a tree lookup.

Names ending in CTL_QUERY or CTL_DESCRIBE go to sysctl_query.py.
"""
from __future__ import annotations

import struct
from typing import TYPE_CHECKING

from ...abi import errno as E
from .. import sysctl_query
from ..errors import KernelError
from ..sysctl import CTL_MAXNAME, CTLTYPE_NODE, CTLTYPE_STRING, Node, resolve
from .args import u32
from .table import Args, syscall

if TYPE_CHECKING:
    from ..lwp import Lwp

_SIZE = struct.Struct("<Q")


@syscall("__sysctl")
async def sys___sysctl(l: "Lwp", a: Args) -> int:
    namep, namelen, oldp, oldlenp, newp, newlen = a[0], u32(a[1]), a[2], a[3], a[4], a[5]
    oldlen = 0
    if oldlenp:
        oldlen = _SIZE.unpack(await l.copyin(oldlenp, 8))[0]
    savelen = oldlen
    if not 1 <= namelen <= CTL_MAXNAME:
        raise KernelError(E.EINVAL)
    raw = await l.copyin(namep, namelen * 4)
    name = list(struct.unpack(f"<{namelen}i", raw))
    if name[-1] in sysctl_query.META:
        oldlen, error = await sysctl_query.serve(l, l.kernel.sysctl_root, name, oldp,
                                                 oldlen, newp, newlen)
        return _finish(l, oldp, oldlenp, savelen, oldlen, error)
    error = 0
    node: Node | None = None
    try:
        node, rest = resolve(l.kernel.sysctl_root, name)
        if node.func is not None:  # a helper node (kern.proc2) serves the rest itself
            error = await _helper(l, node, rest, oldp, oldlenp, oldlen, newp, newlen)
            if error:  # *oldlenp is the helper's already: not rewritten below
                raise KernelError(error)
            return 0
        if node.type == CTLTYPE_NODE or node.get is None:
            # reading a node without a handler is EINVAL in 7.99.34 (sysctl_dispatch)
            raise KernelError(E.EINVAL if node.type == CTLTYPE_NODE else E.EOPNOTSUPP)
        value = node.get()
        if oldp:
            if oldlen:
                l.copyout(oldp, value[:oldlen])
        oldlen = len(value)
        if newp and newlen:
            if node.set is None:
                raise KernelError(E.EPERM)
            if not l.proc.cred.is_root:
                raise KernelError(E.EPERM)
            if node.type == CTLTYPE_STRING:
                if newlen > node.size:
                    raise KernelError(E.EINVAL)
                new = await l.copyin(newp, newlen)
                if new[-1:] != b"\0" and newlen == node.size:
                    raise KernelError(E.EINVAL)
            else:
                if newlen != node.size:
                    raise KernelError(E.EINVAL)
                new = await l.copyin(newp, newlen)
            node.set(new)
    except KernelError as e:
        if node is not None and node.func is not None:
            raise
        error = e.errno
    return _finish(l, oldp, oldlenp, savelen, oldlen, error)


def _finish(l: "Lwp", oldp: int, oldlenp: int, savelen: int, oldlen: int, error: int) -> int:
    """sys___sysctl's end: *oldlenp gets the size, a buffer shorter than it is ENOMEM."""
    if oldlenp:
        l.copyout(oldlenp, _SIZE.pack(oldlen))
    if error == 0 and oldp and savelen < oldlen:
        error = E.ENOMEM
    if error:
        raise KernelError(error)
    return 0


async def _helper(l: "Lwp", node: Node, rest: list[int], oldp: int, oldlenp: int,
                  oldlen: int, newp: int, newlen: int) -> int:
    """A helper copies out what it serves and says how much; *oldlenp is written
    before its errno (ENOMEM included) is returned, as sys___sysctl does."""
    assert node.func is not None
    oldlen, error = await node.func(l, rest, oldp, oldlen, newp, newlen)
    if oldlenp:
        l.copyout(oldlenp, _SIZE.pack(oldlen))
    return error
