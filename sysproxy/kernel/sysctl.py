"""The sysctl MIB tree (kern.*, hw.*, ...) and NetBSD's lookup rules.

Leaves hold a getter returning the value's bytes and, when writable, a
setter. :func:`lookup` follows a numeric name; the ``__sysctl`` handler in
syscalls/sysctl.py does the copying around it as sys___sysctl does. Names
ending in CTL_QUERY or CTL_DESCRIBE enumerate the tree: sysctl_query.py.
"""
from __future__ import annotations

import functools
import struct
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from ..abi import errno as E
from .errors import KernelError

if TYPE_CHECKING:
    from .kernel import Kernel

CTL_MAXNAME = 12
CTLTYPE_NODE, CTLTYPE_INT, CTLTYPE_STRING, CTLTYPE_QUAD, CTLTYPE_STRUCT, CTLTYPE_BOOL = 1, 2, 3, 4, 5, 6
MAXHOSTNAMELEN = 256

CTL_KERN, CTL_VM, CTL_VFS, CTL_NET, CTL_DEBUG, CTL_HW = 1, 2, 3, 4, 5, 6


class Node:
    """A sysctl node: an inner node with children, or a leaf with a getter/setter.

    ``size`` is the most a string leaf may hold, NUL included. ``func`` serves
    the rest of the name itself, as NetBSD's sysctl_func on a node (kern.proc2):
    async (lwp, rest, oldp, oldlen, newp, newlen) -> (oldlen, errno).
    """

    __slots__ = ("name", "type", "get", "set", "size", "children", "func")

    def __init__(self, name: str, type: int, get: Callable[[], bytes] | None = None,
                 set: Callable[[bytes], None] | None = None, size: int = 0,
                 children: dict[int, "Node"] | None = None,
                 func: Callable[..., Awaitable[tuple[int, int]]] | None = None) -> None:
        self.name = name
        self.type = type
        self.get = get
        self.set = set
        self.size = size
        self.children = children if children is not None else {}
        self.func = func

    def add(self, num: int, node: "Node") -> "Node":
        self.children[num] = node
        return node


def string_leaf(name: str, get: Callable[[], str], set: Callable[[str], None] | None = None,
                size: int = MAXHOSTNAMELEN) -> Node:
    setter = None
    if set is not None:
        def setter(raw: bytes) -> None:
            set(raw.split(b"\0", 1)[0].decode("utf-8", "replace"))
    return Node(name, CTLTYPE_STRING, lambda: get().encode() + b"\0", setter, size)


def int_leaf(name: str, get: Callable[[], int], set: Callable[[int], None] | None = None) -> Node:
    setter = None
    if set is not None:
        def setter(raw: bytes) -> None:
            set(struct.unpack("<i", raw)[0])
    return Node(name, CTLTYPE_INT, lambda: struct.pack("<i", get()), setter, 4)


def quad_leaf(name: str, get: Callable[[], int]) -> Node:
    return Node(name, CTLTYPE_QUAD, lambda: struct.pack("<q", get()), None, 8)


def lookup(root: Node, name: list[int]) -> Node:
    return resolve(root, name)[0]


def resolve(root: Node, name: list[int]) -> tuple[Node, list[int]]:
    """The node a name reaches, and what is left of the name once a helper node takes over."""
    node = root
    for i, num in enumerate(name):
        if node.func is not None:
            return node, name[i:]
        if node.type != CTLTYPE_NODE:
            raise KernelError(E.ENOTDIR)
        child = node.children.get(num)
        if child is None:
            raise KernelError(E.ENOENT)
        node = child
    return node, []


def attach(kernel: "Kernel") -> None:
    k = kernel
    root = Node("", CTLTYPE_NODE)
    kern = root.add(CTL_KERN, Node("kern", CTLTYPE_NODE))
    kern.add(1, string_leaf("ostype", lambda: k.ostype))
    kern.add(2, string_leaf("osrelease", lambda: k.osrelease))
    kern.add(3, int_leaf("osrevision", lambda: _osrevision(k.osrelease)))
    kern.add(4, string_leaf("version", lambda: f"{k.ostype} {k.osrelease} (SYSPROXY)"))
    # kern.maxproc, argmax, posix1version, ngroups, job_control and saved_ids are not
    # there: the rump kernel leaves out init_sysctl.c's nodes (ENOENT on the reference)
    kern.add(7, int_leaf("maxfiles", lambda: 3404))
    kern.add(9, int_leaf("securelevel", lambda: -1))

    def set_hostname(v: str) -> None:
        k.hostname = v

    def set_domainname(v: str) -> None:
        k.domainname = v
    kern.add(10, string_leaf("hostname", lambda: k.hostname, set_hostname))
    k.boottime_ns = time.time_ns()  # settime1 moves it with the clock
    kern.add(21, Node("boottime", CTLTYPE_STRUCT,
                      lambda: struct.pack("<qq", *divmod(k.boottime_ns, 10**9)), None, 16))
    kern.add(22, string_leaf("domainname", lambda: k.domainname, set_domainname))
    from . import sysctl_file, sysctl_proc
    sysctl_proc.attach(kern, k)
    sysctl_file.attach(kern, k)
    hw = root.add(CTL_HW, Node("hw", CTLTYPE_NODE))
    hw.add(1, string_leaf("machine", lambda: k.machine))
    hw.add(2, string_leaf("model", lambda: "sysproxy virtual machine"))
    hw.add(3, int_leaf("ncpu", lambda: k.ncpu))
    hw.add(4, int_leaf("byteorder", lambda: 1234))
    hw.add(5, int_leaf("physmem", lambda: min(_physmem(k), 0x7FFFFFFF)))
    hw.add(6, int_leaf("usermem", lambda: min(_physmem(k), 0x7FFFFFFF)))
    hw.add(7, int_leaf("pagesize", lambda: k.pagesize))
    hw.add(10, string_leaf("machine_arch", lambda: "x86_64"))
    hw.add(11, int_leaf("alignbytes", lambda: 7))  # ALIGNBYTES on amd64: sizeof(long) - 1
    hw.add(13, quad_leaf("physmem64", lambda: _physmem(k)))
    hw.add(14, quad_leaf("usermem64", lambda: _physmem(k)))
    for num, name in ((CTL_VM, "vm"), (CTL_VFS, "vfs"), (CTL_NET, "net"), (CTL_DEBUG, "debug")):
        root.add(num, Node(name, CTLTYPE_NODE))
    from . import sysctl_pcb
    sysctl_pcb.attach(root.children[CTL_NET], k)
    _inet_leaves(root.children[CTL_NET])
    k.sysctl_root = root  # type: ignore[attr-defined]


def _inet_leaves(net: Node) -> None:
    """The net.inet values a program reads most, at their 7.99.34 defaults in a rump kernel
    (which forwards: GATEWAY)."""
    inet = net.children[2]
    ip = inet.children.get(0) or inet.add(0, Node("ip", CTLTYPE_NODE))
    ip.add(1, int_leaf("forwarding", lambda: 1))
    ip.add(3, int_leaf("ttl", lambda: 64))
    tcp, udp = inet.children[6], inet.children[17]
    for num, name, value in ((1, "rfc1323", 1), (2, "sendspace", 32768), (3, "recvspace", 32768),
                             (4, "mssdflt", 536), (8, "init_win", 4), (9, "mss_ifmtu", 0)):
        tcp.add(num, int_leaf(name, functools.partial(int, value)))
    for num, name, value in ((1, "checksum", 1), (2, "sendspace", 9216), (3, "recvspace", 41600)):
        udp.add(num, int_leaf(name, functools.partial(int, value)))


def _osrevision(release: str) -> int:
    """NetBSD's __NetBSD_Version__ for a release like 7.99.34 (MMmmrrpp00)."""
    try:
        parts = [int(x) for x in release.split(".")[:3]] + [0, 0, 0]
    except ValueError:
        return 0
    return parts[0] * 100000000 + parts[1] * 1000000 + parts[2] * 100


def _physmem(k: "Kernel") -> int:
    if k.memlimit:
        return k.memlimit
    try:
        import os
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        return 1 << 30
