"""Pipes and FIFOs (NetBSD's sys_pipe.c semantics, our own code).

One :class:`PipeChannel` is the buffer that data flows through; a pipe()
has a read end and a write end (:class:`PipeFile`), each a File shared by
every descriptor dup'd or forked from it, so processes that share a pipe
across PREFORK/FORK block and wake on the same channel. A FIFO vnode owns
one channel too; its opens count readers and writers the same way.

Facts kept from NetBSD: the buffer starts at PIPE_SIZE and grows once to
BIG_PIPE_SIZE (at most 32 such pipes) for a write larger than PIPE_SIZE
into an empty pipe; writes up to PIPE_BUF are atomic; POLLOUT needs
PIPE_BUF bytes of room; a write without readers fails with EPIPE and posts
SIGPIPE unless the file has FNOSIGPIPE; fstat gives S_IFIFO|0600 with
st_blksize = buffer size and st_size = bytes buffered.
"""
from __future__ import annotations

import struct
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..abi import errno as E
from ..abi import ioctl as IO
from ..abi import poll as P
from ..abi.fcntl import FNOSIGPIPE, FREAD, FWRITE, O_NONBLOCK
from ..abi.limits import BIG_PIPE_SIZE, PIPE_BUF, PIPE_SIZE
from ..abi.signal import SIGPIPE
from ..abi.stat import S_IFIFO, S_IRUSR, S_IWUSR, pack_stat
from .clock import realtime_ns
from .errors import KernelError
from .file import DTYPE_PIPE, File
from .sleepq import Sleep, WaitQueue

if TYPE_CHECKING:
    from .kernel import Kernel
    from .lwp import Lwp

MAXBIGPIPES = 32
_INT = struct.Struct("<i")


class PipeChannel:
    """The buffer between writers and readers, with the queues they sleep on."""

    __slots__ = ("kernel", "buf", "size", "readers", "writers", "rq", "wq", "openq",
                 "atime", "mtime", "ctime", "knotes", "gen", "__weakref__")

    def __init__(self, kernel: "Kernel") -> None:
        self.kernel = kernel
        self.buf = bytearray()
        self.size = PIPE_SIZE
        self.readers = 0          # open read ends (File objects)
        self.writers = 0          # open write ends
        self.rq = WaitQueue()     # readers and pollers for input
        self.wq = WaitQueue()     # writers and pollers for room
        self.openq = WaitQueue()  # FIFO opens waiting for the other side
        self.atime = self.mtime = self.ctime = realtime_ns()
        self.knotes: list[Callable[[], None]] = []  # kqueue activations
        self.gen = 0              # FIFO: count of writer opens (EOF generation)

    def changed(self) -> None:
        """State changed: wake sleepers on both sides and notify kqueues."""
        self.rq.wakeup()
        self.wq.wakeup()
        for kn in list(self.knotes):
            kn()

    def grow_for(self, n: int) -> None:
        if n > PIPE_SIZE and self.size <= PIPE_SIZE and not self.buf:
            k = self.kernel
            nbig = getattr(k, "nbigpipe", 0)
            if nbig < MAXBIGPIPES:
                k.nbigpipe = nbig + 1
                self.size = BIG_PIPE_SIZE

    def free(self) -> None:
        """No end is open any more: drop buffered data and big-pipe accounting."""
        if self.size > PIPE_SIZE:
            self.kernel.nbigpipe = max(0, getattr(self.kernel, "nbigpipe", 1) - 1)
            self.size = PIPE_SIZE
        self.buf = bytearray()


class PipeFile(File):
    """One end of a pipe (FREAD or FWRITE) or an open FIFO (either or both)."""

    dtype = DTYPE_PIPE

    def __init__(self, chan: PipeChannel, flag: int, uid: int = 0, gid: int = 0,
                 on_free: Callable[[PipeChannel], None] | None = None) -> None:
        super().__init__(flag)
        self.chan = chan
        self.uid, self.gid = uid, gid
        self.on_free = on_free
        self.owner_pgid = 0
        if flag & FREAD:
            chan.readers += 1
        if flag & FWRITE:
            chan.writers += 1

    # -- data ----------------------------------------------------------------
    async def read(self, lwp: "Lwp", n: int, offset: int | None) -> bytes:
        ch = self.chan
        while True:
            if ch.buf:
                data = bytes(ch.buf[:n])
                del ch.buf[:n]
                ch.atime = realtime_ns()
                ch.changed()
                return data
            if n == 0 or ch.writers == 0:
                return b""
            if self.nonblocking:
                raise KernelError(E.EAGAIN)
            await Sleep(lwp.kernel.sched, (ch.rq,))
            if self.revoked:  # the FIFO was revoked while we slept: deadfs answers
                return await self.read(lwp, n, offset)

    async def write(self, lwp: "Lwp", data: bytes, offset: int | None) -> int:
        ch = self.chan
        if ch.readers == 0:
            self._sigpipe(lwp)
            raise KernelError(E.EPIPE)
        ch.grow_for(len(data))
        done = 0
        total = len(data)
        while done < total:
            rest = total - done
            space = ch.size - len(ch.buf)
            if space < rest and rest <= PIPE_BUF:
                space = 0  # writes of up to PIPE_BUF bytes are atomic
            if space > 0:
                k = min(space, rest)
                ch.buf += data[done:done + k]
                done += k
                ch.mtime = realtime_ns()
                ch.changed()
                continue
            if self.nonblocking:
                if done:
                    return done
                raise KernelError(E.EAGAIN)
            try:
                await Sleep(lwp.kernel.sched, (ch.wq,))
            except KernelError as e:
                if done and e.errno == E.EINTR:
                    return done
                raise
            if self.revoked:  # the FIFO was revoked while we slept: deadfs answers
                return await self.write(lwp, data[done:], offset)
            if ch.readers == 0:
                self._sigpipe(lwp)
                raise KernelError(E.EPIPE)
        return done

    def _sigpipe(self, lwp: "Lwp") -> None:
        if not self.flag & FNOSIGPIPE:
            lwp.kernel.psignal(lwp.proc, SIGPIPE)

    # -- state ---------------------------------------------------------------
    def poll(self, events: int) -> int:
        ch = self.chan
        rev = 0
        eof_r = self.flag & FREAD and ch.writers == 0
        eof_w = self.flag & FWRITE and ch.readers == 0
        if events & (P.POLLIN | P.POLLRDNORM) and self.flag & FREAD:
            if ch.buf or eof_r:
                rev |= events & (P.POLLIN | P.POLLRDNORM)
        if events & (P.POLLOUT | P.POLLWRNORM) and self.flag & FWRITE:
            # only a write end is ever writable (sys_pipe.c pipe_poll: the direction flag decides)
            if eof_w or ch.size - len(ch.buf) >= PIPE_BUF:
                rev |= events & (P.POLLOUT | P.POLLWRNORM)
        if (eof_r or eof_w) and self.on_free is None:
            # a pipe (not a FIFO) whose other end is closed: pipe_poll sees its own
            # PIPE_EOF (readable) and no peer (writable), whichever end this is
            rev |= events & (P.POLLIN | P.POLLRDNORM | P.POLLOUT | P.POLLWRNORM)
        if eof_r or eof_w:
            rev |= P.POLLHUP
        return rev

    def wait_queues(self) -> tuple[WaitQueue, ...]:
        return (self.chan.rq, self.chan.wq)

    def readable_bytes(self) -> int:
        return len(self.chan.buf) if self.flag & FREAD else 0

    def at_eof(self) -> bool:
        """Read side: no writer left. Write side: no reader left."""
        ch = self.chan
        if self.flag & FREAD and ch.writers == 0:
            return True
        return bool(self.flag & FWRITE and not self.flag & FREAD and ch.readers == 0)

    def write_space(self) -> int:
        ch = self.chan
        return ch.size - len(ch.buf)

    def stat(self, lwp: "Lwp") -> bytes:
        ch = self.chan
        reader = bool(self.flag & FREAD)
        size = len(ch.buf) if reader else 0
        return pack_stat(0, 0, S_IFIFO | S_IRUSR | S_IWUSR, 0, self.uid, self.gid, 0,
                         ch.atime, ch.mtime, ch.ctime, ch.ctime, size,
                         1 if size else 0, ch.size)

    async def ioctl(self, lwp: "Lwp", cmd: int, data: bytearray) -> None:
        ch = self.chan
        reader = bool(self.flag & FREAD)
        if cmd == IO.FIONBIO:
            return
        if cmd == IO.FIOASYNC:
            return
        if cmd == IO.FIONREAD:
            data[:4] = _INT.pack(len(ch.buf) if reader else 0)
        elif cmd == IO.FIONWRITE:
            data[:4] = _INT.pack(0 if reader else len(ch.buf))
        elif cmd == IO.FIONSPACE:
            data[:4] = _INT.pack(0 if reader else ch.size - len(ch.buf))
        elif cmd == IO.FIOSETOWN:
            self.owner = _INT.unpack_from(data)[0]
        elif cmd == IO.FIOGETOWN:
            data[:4] = _INT.pack(self.owner)
        else:
            raise KernelError(E.ENOTTY)

    def on_last_close(self) -> None:
        ch = self.chan
        if self.flag & FREAD:
            ch.readers -= 1
        if self.flag & FWRITE:
            ch.writers -= 1
        if ch.readers == 0 and ch.writers == 0:
            ch.free()
            if self.on_free is not None:
                self.on_free(ch)
        ch.changed()
        ch.openq.wakeup()


def make_pipe(kernel: "Kernel", uid: int, gid: int, extra: int = 0) -> tuple[PipeFile, PipeFile]:
    """A new pipe: (read end, write end); ``extra`` adds pipe2's flags to both ends' f_flag."""
    ch = PipeChannel(kernel)
    return (PipeFile(ch, FREAD | extra, uid, gid), PipeFile(ch, FWRITE | extra, uid, gid))


# -- FIFOs ---------------------------------------------------------------------
async def fifo_open(lwp: "Lwp", vnode: Any, fflags: int) -> File:
    """Open FIFO ``vnode`` (kernel.fifo_open; await it): NetBSD fifo_open rules.

    A reader waits for a writer and a writer for a reader, unless O_NONBLOCK:
    then a reader opens at once and a writer fails with ENXIO. O_RDWR never waits.
    """
    ch: PipeChannel | None = getattr(vnode, "fifo", None)
    if ch is None:
        ch = PipeChannel(lwp.kernel)
        vnode.fifo = ch
    mode = fflags & (FREAD | FWRITE)
    nonblock = bool(fflags & O_NONBLOCK)
    if mode == FWRITE and nonblock and ch.readers == 0:
        raise KernelError(E.ENXIO)
    c = lwp.proc.cred

    def detach(chan: PipeChannel) -> None:
        if getattr(vnode, "fifo", None) is chan:
            vnode.fifo = None
    f = PipeFile(ch, fflags, c.euid, c.egid, detach)
    try:
        if fflags & FWRITE:
            ch.gen += 1
        ch.changed()
        ch.openq.wakeup()
        if not nonblock:
            if mode == FREAD:
                gen = ch.gen
                while ch.writers == 0 and ch.gen == gen:
                    await Sleep(lwp.kernel.sched, (ch.openq,))
            elif mode == FWRITE:
                while ch.readers == 0:
                    await Sleep(lwp.kernel.sched, (ch.openq,))
    except BaseException:
        f.on_last_close()  # never installed: undo the open
        raise
    return f


def attach(kernel: "Kernel") -> None:
    """Boot: FIFO opens come here from the VFS."""
    kernel.fifo_open = fifo_open
    kernel.nbigpipe = 0
