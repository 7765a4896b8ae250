"""Seccomp user notification from Python: the BPF filter and the listener's ioctls.

Why seccomp and not LD_PRELOAD: the filter sees every system call the program
makes, from any libc or none (static binaries, Go), and the listener lets this
process answer a call instead of the host kernel, or let it continue natively
(``SECCOMP_USER_NOTIF_FLAG_CONTINUE``), or put a descriptor into the program
(``SECCOMP_IOCTL_NOTIF_ADDFD``). Facts from linux/seccomp.h and linux/filter.h.
"""
from __future__ import annotations

import ctypes
import fcntl
import struct
from collections.abc import Iterable

__all__ = ["Filter", "Listener", "Notification", "install", "CONTINUE_FLAG"]

SYS_seccomp = 317
PR_SET_NO_NEW_PRIVS = 38
SECCOMP_SET_MODE_FILTER = 1
SECCOMP_FILTER_FLAG_NEW_LISTENER = 1 << 3
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_USER_NOTIF = 0x7FC00000
AUDIT_ARCH_X86_64 = 0xC000003E
CONTINUE_FLAG = 1             # SECCOMP_USER_NOTIF_FLAG_CONTINUE
ADDFD_SETFD = 1               # SECCOMP_ADDFD_FLAG_SETFD: at a chosen number (replaces)
ADDFD_SEND = 2                # SECCOMP_ADDFD_FLAG_SEND: and that number is the call's result

# struct seccomp_data offsets
_NR, _ARCH, _ARG0 = 0, 4, 16

# BPF opcodes
_LD_W_ABS = 0x20
_JEQ_K, _JGE_K = 0x15, 0x35
_RET_K = 0x06

_NOTIF = struct.Struct("QIIiIQ6Q")        # struct seccomp_notif (80 bytes)
_RESP = struct.Struct("QqiI")             # struct seccomp_notif_resp
_ADDFD = struct.Struct("QIIII")           # struct seccomp_notif_addfd


def _iowr(nr: int, size: int) -> int:
    return (3 << 30) | (size << 16) | (ord("!") << 8) | nr


def _iow(nr: int, size: int) -> int:
    return (1 << 30) | (size << 16) | (ord("!") << 8) | nr


NOTIF_RECV = _iowr(0, _NOTIF.size)
NOTIF_SEND = _iowr(1, _RESP.size)
NOTIF_ID_VALID = _iow(2, 8)
NOTIF_ADDFD = _iow(3, _ADDFD.size)


class Filter:
    """A classic-BPF program built from three rules, in this order:

    * ``always``: these system calls always go to the supervisor;
    * ``fd_calls``: these go when their first argument (an ``int`` descriptor)
      is below ``low`` (the shell's descriptors 0-9, which may be redirected
      to kernel files) or one of ``extra`` (bash keeps its script at 255);
    * any call whose first argument lies in ``[base, base + count)``, the
      placeholder range, goes (the supervisor lets non-descriptor ones continue);
    * ``arg4_calls`` (mmap) go when their fifth argument is such a descriptor.

    Everything else is allowed by the host kernel without a round trip.
    """

    def __init__(self, always: Iterable[int], fd_calls: Iterable[int],
                 arg4_calls: Iterable[int], low: int, base: int, count: int,
                 extra: Iterable[int] = ()) -> None:
        self.extra = sorted(set(extra))
        self.always = sorted(set(always))
        self.fd_calls = sorted(set(fd_calls) - set(self.always))
        self.arg4_calls = sorted(set(arg4_calls) - set(self.always))
        self.low, self.base, self.count = low, base, count

    def program(self) -> bytes:
        ins: list[tuple[int, int, int, int]] = []
        NOTIFY, ALLOW, FDCHECK, ARG4 = "notify", "allow", "fdcheck", "arg4"
        out: list[tuple[int, int | str, int | str, int]] = []
        out.append((_LD_W_ABS, 0, 0, _ARCH))
        out.append((_JEQ_K, 0, ALLOW, AUDIT_ARCH_X86_64))
        out.append((_LD_W_ABS, 0, 0, _NR))
        for nr in self.always:
            out.append((_JEQ_K, NOTIFY, 0, nr))
        for nr in self.arg4_calls:
            out.append((_JEQ_K, ARG4, 0, nr))
        for nr in self.fd_calls:
            out.append((_JEQ_K, FDCHECK, 0, nr))
        # any other call: argument 0 in the placeholder range
        out.append((_LD_W_ABS, 0, 0, _ARG0))
        out.append((_JGE_K, 0, ALLOW, self.base))
        out.append((_JGE_K, ALLOW, NOTIFY, self.base + self.count))
        labels: dict[str, int] = {FDCHECK: len(out)}
        out.append((_LD_W_ABS, 0, 0, _ARG0))
        for fd in self.extra:
            out.append((_JEQ_K, NOTIFY, 0, fd))
        out.append((_JGE_K, 0, NOTIFY, self.low))
        out.append((_JGE_K, 0, ALLOW, self.base))
        out.append((_JGE_K, ALLOW, NOTIFY, self.base + self.count))
        labels[ARG4] = len(out)
        out.append((_LD_W_ABS, 0, 0, _ARG0 + 4 * 8))
        for fd in self.extra:
            out.append((_JEQ_K, NOTIFY, 0, fd))
        out.append((_JGE_K, 0, NOTIFY, self.low))
        out.append((_JGE_K, 0, ALLOW, self.base))
        out.append((_JGE_K, ALLOW, NOTIFY, self.base + self.count))
        labels[NOTIFY] = len(out)
        out.append((_RET_K, 0, 0, SECCOMP_RET_USER_NOTIF))
        labels[ALLOW] = len(out)
        out.append((_RET_K, 0, 0, SECCOMP_RET_ALLOW))

        def rel(target: int | str, at: int) -> int:
            if isinstance(target, int):
                return target
            d = labels[target] - at - 1
            if not 0 <= d < 256:
                raise ValueError("BPF jump too far")
            return d
        for i, (code, jt, jf, k) in enumerate(out):
            ins.append((code, rel(jt, i), rel(jf, i), k))
        return b"".join(struct.pack("HBBI", c, jt, jf, k) for c, jt, jf, k in ins)


class _Fprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def install(prog: bytes) -> int:
    """In the process to be supervised: no new privileges, the filter; the listener fd."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        e = ctypes.get_errno()
        raise OSError(e, "prctl(PR_SET_NO_NEW_PRIVS)")
    buf = ctypes.create_string_buffer(prog, len(prog))
    fp = _Fprog(len(prog) // 8, ctypes.addressof(buf))
    fd = libc.syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
                      SECCOMP_FILTER_FLAG_NEW_LISTENER, ctypes.byref(fp))
    if fd < 0:
        e = ctypes.get_errno()
        raise OSError(e, "seccomp(SECCOMP_SET_MODE_FILTER, NEW_LISTENER)")
    return int(fd)


class Notification:
    """One stopped system call: who (pid is the thread id), which, with what."""

    __slots__ = ("id", "pid", "nr", "args")

    def __init__(self, raw: bytes | bytearray) -> None:
        nid, pid, _flags, nr, _arch, _ip, *args = _NOTIF.unpack(raw)
        self.id, self.pid, self.nr, self.args = nid, pid, nr, args

    def __repr__(self) -> str:
        return f"<notif {self.id} pid {self.pid} nr {self.nr} {self.args}>"


class Listener:
    """The supervisor's side of the filter."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def recv(self) -> Notification:
        buf = bytearray(_NOTIF.size)   # the kernel wants it zeroed
        fcntl.ioctl(self.fd, NOTIF_RECV, buf)
        return Notification(buf)

    def reply(self, nid: int, val: int = 0, error: int = 0) -> None:
        """Answer: ``error`` is a positive host errno (sent negated), else ``val``."""
        fcntl.ioctl(self.fd, NOTIF_SEND, _RESP.pack(nid, val, -error if error else 0, 0))

    def cont(self, nid: int) -> None:
        """Let the call run in the host kernel as if never stopped."""
        fcntl.ioctl(self.fd, NOTIF_SEND, _RESP.pack(nid, 0, 0, CONTINUE_FLAG))

    def valid(self, nid: int) -> bool:
        try:
            fcntl.ioctl(self.fd, NOTIF_ID_VALID, struct.pack("Q", nid))
            return True
        except OSError:
            return False

    def addfd(self, nid: int, srcfd: int, newfd: int, cloexec: bool, send: bool) -> int:
        """Put ``srcfd`` into the program at ``newfd`` (replacing what was there);
        with ``send`` that is also the answer to the call."""
        flags = ADDFD_SETFD | (ADDFD_SEND if send else 0)
        o_cloexec = 0o2000000 if cloexec else 0
        return _addfd_int(self.fd, _ADDFD.pack(nid, flags, srcfd, newfd, o_cloexec))


def _addfd_int(fd: int, arg: bytes) -> int:
    """ADDFD returns the new descriptor as the ioctl's value, which fcntl.ioctl
    hides when given a buffer; call it with a pointer through ctypes instead."""
    libc = _libc()
    buf = ctypes.create_string_buffer(arg, len(arg))
    r = libc.ioctl(fd, ctypes.c_ulong(NOTIF_ADDFD), buf)
    if r < 0:
        e = ctypes.get_errno()
        raise OSError(e, "SECCOMP_IOCTL_NOTIF_ADDFD")
    return int(r)


_LIBC: ctypes.CDLL | None = None


def _libc() -> ctypes.CDLL:
    global _LIBC
    if _LIBC is None:
        _LIBC = ctypes.CDLL(None, use_errno=True)
    return _LIBC
