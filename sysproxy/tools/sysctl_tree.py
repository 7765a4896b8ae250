"""The kernel's sysctl tree, learnt with CTL_QUERY as NetBSD's sysctl(8) learns it.

Each level is one __sysctl({..., CTL_QUERY}) carrying a struct sysctlnode with
sysctl_flags = SYSCTL_VERSION, as libc's __learn_tree sends it; the answer is
an array of struct sysctlnode, retried with a bigger buffer on ENOMEM. A server
that does not answer CTL_QUERY at the top level gets None (callers fall back).
"""
from __future__ import annotations

import errno
from typing import TYPE_CHECKING, NamedTuple

from sysproxy.abi import sysctl as S

if TYPE_CHECKING:
    from sysproxy.client import Kernel

_QUERY = S.pack_sysctlnode(S.SYSCTL_VERSION, 0)


class Leaf(NamedTuple):
    name: str               # "kern.hostname"
    mib: tuple[int, ...]    # (1, 10)
    type: int               # CTLTYPE_*


def query(k: "Kernel", mib: list[int]) -> list[S.SysctlNode]:
    """The children of the node ``mib`` names, in MIB order."""
    size = 32 * S.SYSCTLNODE_SIZE
    for _ in range(8):
        try:
            raw = k.sysctl(mib + [S.CTL_QUERY], new=_QUERY, oldlen=size) or b""
        except OSError as e:
            if e.errno != errno.ENOMEM:
                raise
            size *= 4
            continue
        return sorted(S.unpack_sysctlnodes(raw), key=lambda n: n.num)
    raise OSError(errno.ENOMEM, "sysctl tree keeps growing")


def leaves(k: "Kernel") -> list[Leaf] | None:
    """Every leaf below the root, depth first in MIB order; None without CTL_QUERY."""
    try:
        top = query(k, [])
    except OSError:
        return None
    out: list[Leaf] = []

    def walk(nodes: list[S.SysctlNode], mib: list[int], prefix: str) -> None:
        for n in nodes:
            if n.flags & S.CTLFLAG_HIDDEN:
                continue
            name, here = prefix + n.name, mib + [n.num]
            if n.type != S.CTLTYPE_NODE:
                out.append(Leaf(name, tuple(here), n.type))
                continue
            try:
                kids = query(k, here)
            except OSError:
                continue  # a helper node with rules of its own
            walk(kids, here, name + ".")
    walk(top, [], "")
    return out
