"""kqueue: knotes evaluated on demand, sleeping on the watched objects' queues.

A knote's filter is a function of the watched object's state (level
triggered); EV_CLEAR reports again only after the state moved on (more data,
another timer tick, a new trigger); EV_ONESHOT deletes after one report.
Supported filters: EVFILT_READ, EVFILT_WRITE (any File; exact data counts
for pipes and sockets), EVFILT_TIMER, EVFILT_USER, EVFILT_PROC (NOTE_EXIT),
EVFILT_SIGNAL (signals posted to the process) and EVFILT_VNODE (through the
vnode's ``knotes`` callbacks, which the VFS calls with NOTE_* hints).
"""
from __future__ import annotations

import struct
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeGuard

from ..abi import errno as E
from ..abi import event as EV
from ..abi import poll as P
from ..abi.fcntl import FREAD, FWRITE
from ..abi.ioctl import _IOWR
from ..abi.limits import PIPE_BUF
from .errors import KernelError
from .file import DTYPE_KQUEUE, File
from .sleepq import WaitQueue

if TYPE_CHECKING:
    from .kernel import Kernel
    from .lwp import Lwp
    from .proc import Proc
    from .vfs.vnfile import VnodeFile

Kevent = tuple[int, int, int, int, int, int]

# struct kfilter_mapping { char *name; size_t len; uint32_t filter; } and its ioctls
KFILTER_MAPPING = struct.Struct("<QQI4x")
KFILTER_BYFILTER = _IOWR("k", 0, KFILTER_MAPPING.size)
KFILTER_BYNAME = _IOWR("k", 1, KFILTER_MAPPING.size)
KFILTER_MAXNAME = 256
KEVENT_SIZE = 40  # sizeof(struct kevent) on LP64: kqueue_stat's st_blksize
# the filters this kernel knows by name (sys_kfilters order)
FILTER_NAMES = {
    EV.EVFILT_READ: "EVFILT_READ", EV.EVFILT_WRITE: "EVFILT_WRITE", EV.EVFILT_AIO: "EVFILT_AIO",
    EV.EVFILT_VNODE: "EVFILT_VNODE", EV.EVFILT_PROC: "EVFILT_PROC",
    EV.EVFILT_SIGNAL: "EVFILT_SIGNAL", EV.EVFILT_TIMER: "EVFILT_TIMER", EV.EVFILT_FS: "EVFILT_FS",
    EV.EVFILT_USER: "EVFILT_USER",
}


# the hints that report an access, not a change (vop_open/read/close_post)
_ACCESS_NOTES = EV.NOTE_OPEN | EV.NOTE_READ | EV.NOTE_CLOSE | EV.NOTE_CLOSE_WRITE


def _is_vnode_file(f: File | None) -> TypeGuard[VnodeFile]:
    """An open regular vnode file (not a device, FIFO or socket: those have filters of their own)."""
    from .vfs.vnfile import VnodeFile
    return type(f) is VnodeFile


class Knote:
    __slots__ = ("kq", "ident", "filter", "flags", "sfflags", "sdata", "udata", "file",
                 "fired", "fflags", "last", "timer", "unhook", "eof", "queued")

    def __init__(self, kq: "KqueueFile", ev: Kevent, file: File | None) -> None:
        self.kq = kq
        self.ident, self.filter = ev[0], ev[1]
        self.flags = ev[2] & ~(EV.EV_DELETE | EV.EV_ENABLE | EV.EV_RECEIPT)  # EV_ADD stays, as BSDs report it
        self.sfflags, self.sdata, self.udata = ev[3], ev[4], ev[5]
        self.file = file
        self.fired = 0          # timer ticks, signal counts, user triggers, vnode hints
        self.fflags = 0
        self.last: int | None = None  # data at the last EV_CLEAR report
        self.timer: Any = None
        self.unhook: Callable[[], None] | None = None
        self.eof = False        # EVFILT_VNODE: the vnode was revoked (EV_EOF from then on)
        self.queued: int | None = None  # place on the kqueue's active queue (kq_head)

    def activate(self, hint: int = 0) -> None:
        self.fflags |= hint
        self.kq.changed()


class KqueueFile(File):
    dtype = DTYPE_KQUEUE

    def __init__(self, kernel: "Kernel", proc: "Proc") -> None:
        super().__init__(0x3)
        self.kernel = kernel
        self.proc = proc
        self.knotes: dict[tuple[int, int], Knote] = {}
        self.sq = WaitQueue()
        self.parents: list[Callable[[], None]] = []
        self.seq = 0  # the next place on the active queue

    def enqueue_active(self) -> None:
        """knote_activate: a knote that has become active joins the tail of the queue
        (kevent returns events in that order); a queued one keeps its place."""
        for kn in self.knotes.values():
            if kn.queued is None and not kn.flags & EV.EV_DISABLE and self._state(kn)[0]:
                kn.queued = self.seq
                self.seq += 1

    def changed(self) -> None:
        self.enqueue_active()
        self.sq.wakeup()
        for fn in list(self.parents):
            fn()

    # -- registration ------------------------------------------------------
    def apply(self, ev: Kevent) -> bool:
        """kqueue_register; True when it made a new knote."""
        ev = (ev[0], ev[1], ev[2] & ~EV.EV_SYSFLAGS, ev[3], ev[4], ev[5])
        ident, filt, flags = ev[0], ev[1], ev[2]
        key = (ident, filt)
        kn = self.knotes.get(key)
        if filt not in (EV.EVFILT_READ, EV.EVFILT_WRITE, EV.EVFILT_TIMER, EV.EVFILT_USER,
                        EV.EVFILT_PROC, EV.EVFILT_SIGNAL, EV.EVFILT_VNODE):
            raise KernelError(E.EINVAL)
        f: File | None = None
        if filt in (EV.EVFILT_READ, EV.EVFILT_WRITE, EV.EVFILT_VNODE):
            f = self.proc.fd.get(ident)
        if flags & EV.EV_DELETE:
            if kn is None:
                raise KernelError(E.ENOENT)
            self._drop(kn)
            return False
        new = kn is None
        if kn is None:
            if not flags & EV.EV_ADD:
                raise KernelError(E.ENOENT)
            kn = Knote(self, ev, f)
            self._attach(kn)
            self.knotes[key] = kn
            if f is not None:  # closing the descriptor drops the knote (knote_fdclose)
                fdt = self.proc.fd
                if self not in fdt.knlist:
                    fdt.knlist.append(self)
        else:
            if filt == EV.EVFILT_TIMER and flags & EV.EV_ADD:
                if ev[4] <= 0:
                    raise KernelError(E.EINVAL)
                # filt_timermodify: the new period starts now, expirations so far are dropped
                if kn.timer is not None:
                    kn.timer.cancel()
                kn.fired = 0
                kn.sdata = ev[4]
                self._arm_timer(kn)
            # a later EV_ADD changes fflags, data and udata only: the flags stay
            kn.sfflags, kn.sdata, kn.udata = ev[3], ev[4], ev[5]
        if filt == EV.EVFILT_USER:
            op = ev[3] & EV.NOTE_FFCTRLMASK
            v = ev[3] & EV.NOTE_FFLAGSMASK
            if op == EV.NOTE_FFAND:
                kn.fflags &= v
            elif op == EV.NOTE_FFOR:
                kn.fflags |= v
            elif op == EV.NOTE_FFCOPY:
                kn.fflags = v
            if ev[3] & EV.NOTE_TRIGGER:
                kn.fired += 1
        if flags & EV.EV_DISABLE:
            kn.flags |= EV.EV_DISABLE
        if flags & EV.EV_ENABLE:
            kn.flags &= ~EV.EV_DISABLE
        self.changed()
        return new

    def _attach(self, kn: Knote) -> None:
        if kn.filter == EV.EVFILT_TIMER:
            if kn.sdata <= 0:
                raise KernelError(E.EINVAL)
            self._arm_timer(kn)
        elif kn.filter == EV.EVFILT_PROC:
            p = self.kernel.procs.get(kn.ident)
            if p is None or p.exiting:
                raise KernelError(E.ESRCH)
            watchers = self.kernel.kq_proc_watch.setdefault(kn.ident, [])
            watchers.append(kn)
            kn.unhook = lambda: watchers.remove(kn) if kn in watchers else None
        elif kn.filter == EV.EVFILT_SIGNAL:
            watchers = self.proc.data.setdefault("kq_signals", [])
            watchers.append(kn)
            kn.unhook = lambda: watchers.remove(kn) if kn in watchers else None
        elif kn.filter == EV.EVFILT_VNODE:
            vn = getattr(kn.file, "vp", None)  # an open vnode (VnodeFile, DeviceFile)
            if vn is None or not hasattr(vn, "knotes"):
                raise KernelError(E.EINVAL)

            def hint(h: int, kn: Knote = kn) -> None:
                """filt_genfsvnode: a hint that shares a bit with the ones asked for is
                recorded whole ("if (kn_sfflags & hint) kn_fflags |= hint": NOTE_WRITE
                asked brings the NOTE_EXTEND posted with it); NOTE_REVOKE is EOF too."""
                if h == EV.NOTE_REVOKE:
                    kn.eof = True
                    kn.activate(h & kn.sfflags)
                elif h & kn.sfflags:
                    kn.activate(h)
                elif kn.eof:
                    kn.activate(0)
            vn.knotes.append(hint)
            kn.unhook = lambda: vn.knotes.remove(hint) if hint in vn.knotes else None
        elif kn.filter == EV.EVFILT_READ and _is_vnode_file(kn.file):
            # an open vnode: its writes (NOTE_WRITE...) re-activate the knote even when
            # size - offset comes out as before (EV_CLEAR reports it again, as NetBSD)
            vp = kn.file.vp

            def touched(h: int, kn: Knote = kn) -> None:
                if not h & ~_ACCESS_NOTES:  # opens, reads and closes change nothing to read
                    return
                kn.fired += 1
                self.changed()
            vp.knotes.append(touched)
            kn.unhook = lambda: vp.knotes.remove(touched) if touched in vp.knotes else None
        else:
            obj = getattr(kn.file, "chan", None) or kn.file
            lst = getattr(obj, "knotes", None)
            if isinstance(lst, list):
                cb = self.changed
                lst.append(cb)
                kn.unhook = lambda: lst.remove(cb) if cb in lst else None

    def _arm_timer(self, kn: Knote) -> None:
        def tick() -> None:
            if (kn.ident, kn.filter) in self.knotes and self.knotes[(kn.ident, kn.filter)] is kn:
                kn.fired += 1
                if not kn.flags & EV.EV_ONESHOT:
                    kn.timer = self.kernel.sched.call_later(kn.sdata / 1000, tick)
                self.changed()
        kn.timer = self.kernel.sched.call_later(kn.sdata / 1000, tick)

    def _drop(self, kn: Knote) -> None:
        self.knotes.pop((kn.ident, kn.filter), None)
        if kn.timer is not None:
            kn.timer.cancel()
        if kn.unhook is not None:
            kn.unhook()

    def drop_fd(self, fd: int) -> None:
        for kn in [k for k in self.knotes.values() if k.file is not None and k.ident == fd]:
            self._drop(kn)

    # -- evaluation --------------------------------------------------------
    def _state(self, kn: Knote) -> tuple[bool, int, int]:
        """-> (active, data, extra flags)."""
        f = kn.file
        if kn.filter in (EV.EVFILT_READ, EV.EVFILT_WRITE):
            assert f is not None
            if self.proc.fd.lookup(kn.ident) is not f:
                return False, 0, 0
            read = kn.filter == EV.EVFILT_READ
            from .pipe import PipeFile
            from .socket.base import SS_CANTRCVMORE, SS_CANTSENDMORE, Socket
            if isinstance(f, PipeFile):
                if not f.flag & (FREAD if read else FWRITE):
                    return False, 0, 0  # filt_pipewrongend: the wrong end never fires
                if read:
                    eof = f.chan.writers == 0
                    data = len(f.chan.buf)
                    return data > 0 or eof, data, EV.EV_EOF if eof else 0
                if f.chan.readers == 0:
                    return True, 0, EV.EV_EOF
                data = f.write_space()
                return data >= PIPE_BUF, data, 0
            if isinstance(f, Socket):
                if read:
                    eof = bool(f.state & SS_CANTRCVMORE)
                    data = len(f.acceptq) if f.listening else f.rcv.cc
                    return f.readable(), data, EV.EV_EOF if eof else 0
                eof = bool(f.state & SS_CANTSENDMORE)
                return f.writable(), max(0, f.writable_room()), EV.EV_EOF if eof else 0
            if read and _is_vnode_file(f):  # filt_genfsread: what is left to read
                data = f.vp.size - f.offset
                return data != 0, data, 0
            ev = P.POLLIN if read else P.POLLOUT
            return bool(f.poll(ev)), 0, 0
        if kn.filter in (EV.EVFILT_TIMER, EV.EVFILT_SIGNAL, EV.EVFILT_USER):
            return kn.fired > 0, kn.fired, 0
        if kn.filter == EV.EVFILT_PROC:
            return kn.fired > 0, 0, EV.EV_EOF if kn.fired else 0
        if kn.filter == EV.EVFILT_VNODE:  # active while hints are recorded (EV_CLEAR clears)
            return bool(kn.fflags) or kn.eof, 0, EV.EV_EOF if kn.eof else 0
        return False, 0, 0

    def collect(self, limit: int) -> list[Kevent]:
        out: list[Kevent] = []
        self.enqueue_active()
        for kn in sorted((k for k in self.knotes.values() if k.queued is not None),
                         key=lambda k: k.queued or 0):
            if len(out) >= limit:
                break
            if kn.flags & EV.EV_DISABLE:
                kn.queued = None
                continue
            active, data, extra = self._state(kn)
            kn.queued = None  # taken off the queue; a level-triggered one goes back at the tail
            if not active:
                continue
            if kn.flags & EV.EV_CLEAR and kn.filter in (EV.EVFILT_READ, EV.EVFILT_WRITE):
                if kn.last == data and not extra and not kn.fired:
                    continue
                kn.last = data
            fflags = kn.fflags if kn.filter != EV.EVFILT_USER else kn.fflags & EV.NOTE_FFLAGSMASK
            if kn.filter == EV.EVFILT_PROC:
                fflags = kn.fflags
            out.append((kn.ident, kn.filter, (kn.flags | extra) & 0xFFFF, fflags, data, kn.udata))
            if kn.flags & EV.EV_ONESHOT:
                self._drop(kn)
            elif kn.flags & (EV.EV_CLEAR | EV.EV_DISPATCH) or kn.filter in (
                    EV.EVFILT_TIMER, EV.EVFILT_SIGNAL):
                kn.fired = 0
                if kn.filter != EV.EVFILT_USER:
                    kn.fflags = 0
                if kn.flags & EV.EV_DISPATCH:
                    kn.flags |= EV.EV_DISABLE
            else:
                kn.queued = self.seq
                self.seq += 1
        return out

    def queues(self) -> list[WaitQueue]:
        qs = [self.sq]
        for kn in self.knotes.values():
            if kn.file is not None:
                qs.extend(kn.file.wait_queues())
        return qs

    # -- File ----------------------------------------------------------------
    def poll(self, events: int) -> int:
        if events & (P.POLLIN | P.POLLRDNORM):
            for kn in self.knotes.values():
                if not kn.flags & EV.EV_DISABLE and self._state(kn)[0]:
                    return events & (P.POLLIN | P.POLLRDNORM)
        return 0

    def wait_queues(self) -> tuple[WaitQueue, ...]:
        return tuple(self.queues())

    async def ioctl(self, lwp: "Lwp", cmd: int, data: bytearray) -> None:
        """kqueue_ioctl: KFILTER_BYFILTER (number -> name) and KFILTER_BYNAME (name -> number)."""
        if cmd not in (KFILTER_BYFILTER, KFILTER_BYNAME):
            raise KernelError(E.ENOTTY)
        nameaddr, length, filt = KFILTER_MAPPING.unpack_from(data)
        if cmd == KFILTER_BYFILTER:
            name = FILTER_NAMES.get(filt)
            if name is None:
                raise KernelError(E.ENOENT)
            raw = name.encode() + b"\0"
            if len(raw) > length:  # copyoutstr: the name with its NUL must fit
                if length:
                    lwp.copyout(nameaddr, raw[:length])
                raise KernelError(E.ENAMETOOLONG)
            lwp.copyout(nameaddr, raw)
            return
        want = (await lwp.copyinstr(nameaddr, KFILTER_MAXNAME)).decode("latin-1")
        for num, name in FILTER_NAMES.items():
            if name == want:
                KFILTER_MAPPING.pack_into(data, 0, nameaddr, length, num)
                return
        raise KernelError(E.ENOENT)

    def stat(self, lwp: "Lwp") -> bytes:
        """kqueue_stat: all zero but st_mode S_IFIFO (no permission bits), st_size the
        events queued, st_blksize sizeof(struct kevent)."""
        from ..abi.stat import S_IFIFO, pack_stat
        queued = sum(1 for kn in self.knotes.values()
                     if not kn.flags & EV.EV_DISABLE and self._state(kn)[0])
        return pack_stat(0, 0, S_IFIFO, 0, 0, 0, 0, 0, 0, 0, 0, queued, 0, KEVENT_SIZE)

    async def read(self, lwp: "Lwp", n: int, offset: int | None) -> bytes:
        raise KernelError(E.ENXIO)  # kqueueops: fo_read is enxio

    async def write(self, lwp: "Lwp", data: bytes, offset: int | None) -> int:
        raise KernelError(E.ENXIO)

    async def ioctl_flag(self, lwp: "Lwp", cmd: int, data: bytearray) -> None:
        raise KernelError(E.ENOTTY)  # kqueue_ioctl knows only the KFILTER_* commands

    refuses_flag_ioctls = True

    async def fcntl_check(self) -> None:
        raise KernelError(E.ENOTTY)  # kqueue_fcntl

    def on_last_close(self) -> None:
        for kn in list(self.knotes.values()):
            self._drop(kn)
        knlist = self.proc.fd.knlist
        if self in knlist:
            knlist.remove(self)


def _exit_hook(kernel: "Kernel") -> Callable[["Proc"], None]:
    def hook(p: "Proc") -> None:
        for kn in kernel.kq_proc_watch.pop(p.pid, []):
            kn.flags |= EV.EV_EOF | EV.EV_ONESHOT  # filt_proc: reported once, then deleted
            kn.fired += 1
            kn.activate(EV.NOTE_EXIT if kn.sfflags & EV.NOTE_EXIT else 0)
    return hook


def _signal_hook(p: "Proc", signo: int) -> None:
    for kn in list(p.data.get("kq_signals", [])):
        if kn.ident == signo:
            kn.fired += 1
            kn.activate()


def attach(kernel: "Kernel") -> None:
    kernel.kq_proc_watch = {}
    kernel.exit_hooks.append(_exit_hook(kernel))
    kernel.signal_hooks.append(_signal_hook)
