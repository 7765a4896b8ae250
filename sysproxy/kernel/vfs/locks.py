"""Advisory locks on vnodes: POSIX byte-range locks (fcntl) and whole-file flock.

As NetBSD's vfs_lockf.c: both kinds live in one list per vnode and conflict
with each other; a POSIX lock belongs to a process (here its descriptor
table, which no other process shares) and goes away when that process closes
any descriptor of the file; an flock lock belongs to the open file and goes
away with its last close. A blocked F_SETLKW/flock sleeps on the vnode's wait
queue; a wait that would close a cycle of POSIX waiters fails with EDEADLK.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...abi import errno as E
from ...abi.fcntl import F_RDLCK, F_UNLCK, F_WRLCK
from ..errors import KernelError
from ..sleepq import Sleep, WaitQueue

if TYPE_CHECKING:
    from ..lwp import Lwp
    from .vnode import Vnode

INF = (1 << 63) - 1

# owner -> the owner whose lock it waits for (deadlock detection)
_waiting: dict[int, Any] = {}


class Lock:
    __slots__ = ("owner", "pid", "type", "start", "end", "flock")

    def __init__(self, owner: Any, pid: int, ltype: int, start: int, end: int, flock: bool) -> None:
        self.owner, self.pid, self.type = owner, pid, ltype
        self.start, self.end, self.flock = start, end, flock


class LockState:
    __slots__ = ("locks", "queue")

    def __init__(self) -> None:
        self.locks: list[Lock] = []
        self.queue = WaitQueue()


def _state(vp: "Vnode") -> LockState:
    st = vp.locks
    if st is None:
        st = vp.locks = LockState()
    return st


def conflict(vp: "Vnode", owner: Any, ltype: int, start: int, end: int) -> Lock | None:
    """The first lock of another owner that overlaps [start, end] and is incompatible."""
    st = vp.locks
    if st is None:
        return None
    for lk in st.locks:
        if lk.owner is owner or lk.end < start or lk.start > end:
            continue
        if ltype == F_WRLCK or lk.type == F_WRLCK:
            return lk
    return None


def _remove_range(st: LockState, owner: Any, start: int, end: int) -> None:
    out: list[Lock] = []
    for lk in st.locks:
        if lk.owner is not owner or lk.end < start or lk.start > end:
            out.append(lk)
            continue
        if lk.start < start:
            out.append(Lock(owner, lk.pid, lk.type, lk.start, start - 1, lk.flock))
        if lk.end > end:
            out.append(Lock(owner, lk.pid, lk.type, end + 1, lk.end, lk.flock))
    st.locks = out


async def setlock(l: "Lwp", vp: "Vnode", owner: Any, ltype: int, start: int, end: int,
                  wait: bool, flock: bool) -> None:
    """Take (or with F_UNLCK drop) a lock on [start, end] for ``owner``."""
    st = _state(vp)
    if ltype == F_UNLCK:
        _remove_range(st, owner, start, end)
        st.queue.wakeup()
        return
    if flock:
        # flock converts by dropping the old lock first, as BSD does.
        if any(lk.owner is owner for lk in st.locks):
            _remove_range(st, owner, 0, INF)
            st.queue.wakeup()
    while True:
        blocker = conflict(vp, owner, ltype, start, end)
        if blocker is None:
            break
        if not wait:
            raise KernelError(E.EAGAIN)
        if not flock:
            o = blocker.owner
            seen = 0
            while o in _waiting and seen < 1000:
                o = _waiting[o]
                seen += 1
                if o is owner:
                    raise KernelError(E.EDEADLK)
            if blocker.owner is owner:
                raise KernelError(E.EDEADLK)
        _waiting[owner] = blocker.owner
        try:
            await Sleep(l.kernel.sched, [st.queue], intr=True)
        finally:
            _waiting.pop(owner, None)
    _remove_range(st, owner, start, end)
    st.locks.append(Lock(owner, l.proc.pid, ltype, start, end, flock))
    if ltype == F_RDLCK:  # a downgrade may let readers in
        st.queue.wakeup()


def release_owner(vp: "Vnode", owner: Any) -> None:
    """Drop every lock ``owner`` holds on ``vp`` (close, exit)."""
    st = vp.locks
    if st is None or not st.locks:
        return
    before = len(st.locks)
    st.locks = [lk for lk in st.locks if lk.owner is not owner]
    if len(st.locks) != before:
        st.queue.wakeup()
