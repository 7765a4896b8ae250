"""Fake kernel addresses: what kern.file2 and the pcblists report for pointers.

NetBSD's records carry kernel pointers (the struct file, its f_data, the pcb,
the vnode...) that tools only compare with each other: sockstat(1) matches a
kinfo_file's ki_fdata with a kinfo_pcb's ki_sockaddr, and a pcb's ki_conn with
its peer's ki_pcbaddr. Each Python object gets one slot here, handed out from
a counter the first time it is asked for and kept while the object lives, so
the same object always shows the same address and no two live objects share
one. The parts of an object NetBSD allocates separately (a socket's pcb, a
vnode's file-system data) are fixed offsets inside its slot.
"""
from __future__ import annotations

import itertools
import weakref
from typing import Any

KVA_BASE = 0xFFFF_8000_0000_0000  # where amd64 kernel memory starts
SLOT = 0x400

# parts of one object's slot
OBJ = 0x000      # the object itself (struct file, vnode, mount, proc, fileops)
DATA = 0x100     # f_data of a file that is not itself the data (pipe end, kqueue)
SOCKET = 0x100   # a socket File's struct socket
PCB = 0x200      # its protocol control block (unpcb, inpcb)
PPCB = 0x280     # the protocol's own block (tcpcb)
VDATA = 0x100    # a vnode's v_data (the tmpfs node)
SPEC = 0x200     # a device vnode's specnode
CRED = 0x300     # a process's credentials

_next = itertools.count()
_slots: dict[int, tuple["weakref.ref[Any]", int]] = {}


def kaddr(obj: Any, part: int = OBJ) -> int:
    """The address of ``obj`` (or of one of its parts); 0 for None, like a NULL pointer."""
    if obj is None:
        return 0
    key = id(obj)
    ent = _slots.get(key)
    if ent is None or ent[0]() is not obj:
        addr = KVA_BASE + next(_next) * SLOT

        def gone(_ref: Any, key: int = key, addr: int = addr) -> None:
            cur = _slots.get(key)
            if cur is not None and cur[1] == addr:
                del _slots[key]
        ent = (weakref.ref(obj, gone), addr)
        _slots[key] = ent
    return ent[1] + part
