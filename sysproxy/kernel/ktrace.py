"""ktrace(2): per-process trace points written as NetBSD ktrace records to a file.

As NetBSD's kern_ktrace.c: a process has ``traceflag`` (KTRFAC_* bits, the
record version, INHERIT, TRC_EMUL) and ``tracep`` (a TraceFile shared by every
process traced to the same file, found again by the file's vnode). The hot path
tests only ``proc.traceflag``; everything else lives here. NetBSD queues
records for a kernel thread; this kernel is one thread, so records are written
at once, in order, at the shared file offset. A write error stops all tracing
to that file (ktrwrite's ktrderefall).
"""
from __future__ import annotations

import logging
import struct
from typing import TYPE_CHECKING, Any

from ..abi import errno as E
from ..abi import ktrace as K
from ..abi.syscalls import SYSCALLS
from .clock import realtime_ns
from .errors import KernelError

if TYPE_CHECKING:
    from .file import File
    from .lwp import Lwp
    from .proc import Proc

log = logging.getLogger(__name__)

EMUL_NAME = b"netbsd-rump"  # what the reference rump kernel's KTR_EMUL records say
TRACE_SYSCALLS = K.KTRFAC_SYSCALL | K.KTRFAC_SYSRET


class TraceFile:
    """NetBSD's struct ktr_desc: one trace output file and how many processes use it."""

    def __init__(self, fp: "File") -> None:
        self.fp = fp.hold()
        self.ref = 0

    def same(self, fp: "File") -> bool:
        """ktrsamefile: the same file, or one open on the same vnode."""
        mine = getattr(self.fp, "vp", None)
        return self.fp is fp or (mine is not None and mine is getattr(fp, "vp", None))

    def write(self, l: "Lwp", data: bytes) -> None:
        fp = self.fp
        try:
            vp = getattr(fp, "vp", None)
            if vp is not None:  # a vnode: written as the kernel thread would, without limits
                n = vp.write(fp.offset, data)
                fp.offset += n
                return
            coro = fp.write(l, data, None)
            try:
                coro.send(None)
            except StopIteration:
                return
            coro.close()  # it would have blocked (a full pipe)
            raise KernelError(E.EAGAIN)
        except KernelError as e:
            log.warning("ktrace write failed, errno %d, tracing stopped", e.errno)
            deref_all(l.kernel.procs.values(), self)


def _tf(p: "Proc") -> TraceFile | None:
    tf: TraceFile | None = p.tracep
    return tf


def deref(p: "Proc") -> None:
    """ktrderef: the process stops tracing; the file is released with its last user."""
    p.traceflag = 0
    tf = _tf(p)
    if tf is None:
        return
    p.tracep = None
    tf.ref -= 1
    if tf.ref == 0:
        tf.fp.release()
        tf.ref = -1  # released: never found again


def deref_all(procs: Any, tf: TraceFile) -> None:
    for p in list(procs):
        if p.tracep is tf:
            deref(p)


def emit(l: "Lwp", ktype: int, payload: bytes) -> None:
    """ktealloc + ktraddentry: one record of the current process (an EMUL one first if due)."""
    p = l.proc
    tf = _tf(p)
    if tf is None:
        return
    version = (p.traceflag & K.KTRFAC_VER_MASK) >> K.KTRFAC_VER_SHIFT
    if p.traceflag & K.KTRFAC_TRC_EMUL:
        p.traceflag &= ~K.KTRFAC_TRC_EMUL
        if p.traceflag & K.KTRFAC_EMUL:
            _write(l, tf, K.KTR_EMUL, EMUL_NAME, version)
    _write(l, tf, ktype, payload, version)


def _write(l: "Lwp", tf: TraceFile, ktype: int, payload: bytes, version: int) -> None:
    p = l.proc
    ns = realtime_ns()
    hdr = K.header(len(payload), ktype, p.pid, p.comm.encode(), ns // 1_000_000_000,
                   ns % 1_000_000_000, l.lid, version)
    tf.write(l, hdr + payload)


# -- the trace points ------------------------------------------------------------
def syscall(l: "Lwp", code: int, args: tuple[int, ...]) -> None:
    """KTR_SYSCALL: the number and the argument slots as the process passed them."""
    if l.proc.traceflag & K.KTRFAC_SYSCALL:
        emit(l, K.KTR_SYSCALL, K.SYSCALL.pack(code, 8 * len(args))
             + b"".join((a & 0xFFFFFFFFFFFFFFFF).to_bytes(8, "little") for a in args))


def sysret(l: "Lwp", code: int, error: int, rv0: int, rv1: int) -> None:
    """KTR_SYSRET: the return values only when the call succeeded."""
    if l.proc.traceflag & K.KTRFAC_SYSRET and error >= 0:
        if error:
            rv0 = rv1 = 0
        emit(l, K.KTR_SYSRET, K.SYSRET.pack((code + 0x8000) % 0x10000 - 0x8000, 0, error,
                                            _reg(rv0), _reg(rv1)))


def _reg(v: int) -> int:
    return (v + (1 << 63)) % (1 << 64) - (1 << 63)


def namei(l: "Lwp", path: bytes) -> None:
    """KTR_NAMEI: the path as given, with its NUL (ni_pathlen counts it)."""
    if l.proc.traceflag & K.KTRFAC_NAMEI:
        emit(l, K.KTR_NAMEI, path + b"\0")


def genio(l: "Lwp", fd: int, rw: int, data: bytes) -> None:
    """KTR_GENIO: the data moved, in records of at most a page (payload header included)."""
    if not l.proc.traceflag & K.KTRFAC_GENIO:
        return
    step = K.PAGE_SIZE - K.GENIO.size
    head = K.GENIO.pack(fd, rw)
    for off in range(0, max(len(data), 1), step):
        emit(l, K.KTR_GENIO, head + data[off:off + step])


def user(l: "Lwp", label: bytes, data: bytes) -> None:
    """KTR_USER: a 20-byte id (NUL-terminated, truncated) then the caller's bytes."""
    ident = label[:K.KTR_USER_MAXIDLEN - 1]
    emit(l, K.KTR_USER, K.USER_ID.pack(ident) + data)


# -- ktrace_common -----------------------------------------------------------------
def can_trace(l: "Lwp", p: "Proc") -> bool:
    """ktrcanset: root, or the same real/saved ids as the target (not set-id, not persistent)."""
    c, t = l.proc.cred, p.cred
    if c.euid == 0:
        return True
    if p.traceflag & K.KTRFAC_PERSISTENT or getattr(p, "sugid", False):
        return False
    return c.euid == t.uid and c.uid == t.svuid and c.gid == t.gid and c.gid == t.svgid


def ktrops(l: "Lwp", p: "Proc", ops: int, facs: int, tf: TraceFile | None) -> bool:
    """Set or clear ``facs`` on ``p``; False only for a bad version (NetBSD's ktrops
    skips a process it may not trace and still counts it as done)."""
    if not can_trace(l, p):
        return True
    vers = ops & K.KTRFAC_VER_MASK
    if vers not in (K.KTRFACv0, K.KTRFACv1, K.KTRFACv2):
        return False
    if ops & K.KTROP_MASK == K.KTROP_SET:
        assert tf is not None
        if p.tracep is not tf:
            deref(p)
            p.tracep = tf
            tf.ref += 1
        p.traceflag |= facs
        if l.proc.cred.euid == 0:
            p.traceflag |= K.KTRFAC_PERSISTENT
    elif (p.traceflag & ~facs) & K.KTRFAC_MASK == 0:
        deref(p)
    else:
        p.traceflag &= ~facs
    if p.traceflag:
        p.traceflag |= vers
    if p.traceflag & K.KTRFAC_EMUL:  # an EMUL record after every change
        p.traceflag |= K.KTRFAC_TRC_EMUL
    return True


def _descendants(procs: Any, top: "Proc") -> list["Proc"]:
    out = [top]
    i = 0
    while i < len(out):
        out.extend(c for c in procs if c.ppid == out[i].pid and c is not out[i])
        i += 1
    return out


def common(l: "Lwp", ops: int, facs: int, pid: int, fp: "File | None") -> None:
    """ktrace_common: find or make the trace file, then set or clear the targets."""
    kernel = l.kernel
    facs &= ~K.KTRFAC_PERSISTENT & 0xFFFFFFFF
    op = ops & K.KTROP_MASK
    files: list[TraceFile] = kernel.__dict__.setdefault("ktrace_files", [])
    files[:] = [t for t in files if t.ref > 0]
    tf: TraceFile | None = None
    if op == K.KTROP_CLEARFILE:
        assert fp is not None
        for t in files:
            if t.same(fp):
                denied = False
                for p in list(kernel.procs.values()):
                    if p.tracep is t:
                        if can_trace(l, p):
                            deref(p)
                        else:
                            denied = True
                if denied:
                    raise KernelError(E.EPERM)
        return
    if op == K.KTROP_SET:
        assert fp is not None
        tf = next((t for t in files if t.same(fp)), None)
        if tf is None:
            tf = TraceFile(fp)
            files.append(tf)
    if not facs:
        _drop_unused(tf)
        raise KernelError(E.EINVAL)
    procs = kernel.procs.values()
    if pid < 0:
        targets = [p for p in procs if p.pgid == -pid and p.pid != 1]
        if not targets:
            _drop_unused(tf)
            raise KernelError(E.ESRCH)
    else:
        p = kernel.procs.get(pid)
        if p is None or p.exiting:
            _drop_unused(tf)
            raise KernelError(E.ESRCH)
        targets = [p]
    if ops & K.KTRFLAG_DESCEND:
        targets = [d for t in targets for d in _descendants(list(procs), t)]
    ok = False
    for p in targets:
        ok |= ktrops(l, p, ops, facs, tf)
    _drop_unused(tf)
    if not ok:
        raise KernelError(E.EPERM)


def _drop_unused(tf: TraceFile | None) -> None:
    if tf is not None and tf.ref == 0:  # made for this call, and nobody uses it
        tf.fp.release()
        tf.ref = -1


def fork_hook(parent: "Proc", child: "Proc") -> None:
    """A child inherits its parent's tracing when the parent was traced with INHERIT."""
    tf = _tf(parent)
    if tf is not None and parent.traceflag & K.KTRFAC_INHERIT:
        child.tracep = tf
        child.traceflag = parent.traceflag
        tf.ref += 1


def exit_hook(p: "Proc") -> None:
    deref(p)


def attach(kernel: Any) -> None:
    kernel.fork_hooks.append(fork_hook)
    kernel.exit_hooks.append(exit_hook)


def trace_call(l: "Lwp", code: int, body: bytes, on_done: Any) -> Any:
    """trace_enter/trace_exit around one call of a traced process: a SYSCALL record
    now, and ``on_done`` wrapped to write the SYSRET first. Only when SYSCALL or
    SYSRET is traced at entry (p_trace_enabled), as NetBSD's sy_invoke decides."""
    if not l.proc.traceflag & TRACE_SYSCALLS:
        return on_done
    info = SYSCALLS.get(code)
    narg = info.nargs if info is not None else 0
    raw = body[:8 * narg].ljust(8 * narg, b"\0")
    syscall(l, code, struct.unpack(f"<{narg}Q", raw))

    def done(lwp: "Lwp", error: int, rv0: int, rv1: int) -> None:
        sysret(lwp, code, error, rv0, rv1)
        on_done(lwp, error, rv0, rv1)
    return done
