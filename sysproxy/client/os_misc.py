"""Process, sysctl, statvfs, poll and socket calls of the os-like API."""
from __future__ import annotations

import os
import socket as _hsock
import struct
from typing import TYPE_CHECKING

from sysproxy.abi import poll as nbpoll
from sysproxy.abi import signal as nbsignal
from sysproxy.abi import socket as nbsock
from sysproxy.abi import statvfs as nbstatvfs
from sysproxy.abi import sysctl as nbsysctl

from .errors import KernelError
from .memory import InOut, Out
from .syscalls import SYS

if TYPE_CHECKING:
    from .connection import Slot

_ST_WAIT = 1  # statvfs1 flag ST_WAIT
_FAMILY_TO_NB: dict[int, int] = {_hsock.AF_UNIX: nbsock.AF_LOCAL, _hsock.AF_INET: nbsock.AF_INET,
                                  _hsock.AF_INET6: nbsock.AF_INET6}
_FAMILY_FROM_NB = {v: k for k, v in _FAMILY_TO_NB.items()}
_I32 = struct.Struct("<i")


# sysctl(8) names whose spelling differs from their header constant's
# (kern.osrevision is KERN_OSREV), and the names tools commonly ask for.
SYSCTL_NAMES: dict[str, tuple[int, ...]] = {
    "kern.osrevision": (nbsysctl.CTL_KERN, nbsysctl.KERN_OSREV),
    "kern.securelevel": (nbsysctl.CTL_KERN, nbsysctl.KERN_SECURELVL),
    "kern.posix1version": (nbsysctl.CTL_KERN, nbsysctl.KERN_POSIX1),
    "kern.urandom": (nbsysctl.CTL_KERN, nbsysctl.KERN_URND),
    "kern.arandom": (nbsysctl.CTL_KERN, nbsysctl.KERN_ARND),
    "kern.proc2": (nbsysctl.CTL_KERN, nbsysctl.KERN_PROC2),
    "kern.proc_args": (nbsysctl.CTL_KERN, nbsysctl.KERN_PROC_ARGS),
    "hw.machine_arch": (nbsysctl.CTL_HW, nbsysctl.HW_MACHINE_ARCH),
}


def sysctl_mib(name: str | list[int] | tuple[int, ...]) -> list[int]:
    """'kern.hostname' -> [1, 10] (CTL_KERN, KERN_HOSTNAME); int lists pass through.

    Components may be numbers ('kern.proc2.0.0.648.10'); names come from
    :data:`SYSCTL_NAMES`, else from the CTL_*/KERN_*/HW_* constants.
    """
    if not isinstance(name, str):
        return [int(x) for x in name]
    parts = name.split(".")
    mib: list[int] = []
    for i, part in enumerate(parts):
        alias = SYSCTL_NAMES.get(".".join(parts[:i + 1]))
        if alias is not None:
            mib = list(alias)
            continue
        if part.lstrip("-").isdigit():
            mib.append(int(part))
            continue
        const = f"CTL_{part.upper()}" if i == 0 else f"{parts[i - 1].upper()}_{part.upper()}"
        if not hasattr(nbsysctl, const):
            raise ValueError(f"unknown sysctl name component {part!r} in {name!r}")
        mib.append(getattr(nbsysctl, const))
    return mib


def statvfs_result(raw: bytes | bytearray) -> os.statvfs_result:
    v = nbstatvfs.unpack_statvfs(raw)
    return os.statvfs_result((v.f_bsize, v.f_frsize, v.f_blocks, v.f_bfree, v.f_bavail,
                              v.f_files, v.f_ffree, v.f_favail, v.f_flag, v.f_namemax),
                             {"f_fsid": v.f_fsid})


def _sockaddr(family: int, address) -> bytes:
    """A Python socket address -> a NetBSD struct sockaddr."""
    if family == nbsock.AF_LOCAL:
        return nbsock.pack_sockaddr_un(os.fsencode(address))
    if family == nbsock.AF_INET:
        return nbsock.pack_sockaddr_in(address[0], address[1])
    if family == nbsock.AF_INET6:
        return nbsock.pack_sockaddr_in6(address[0], address[1], *address[2:4])
    raise ValueError(f"unsupported address family {family}")


def _from_sockaddr(raw: bytes):
    fam, addr = nbsock.unpack_sockaddr(raw)
    if fam == nbsock.AF_LOCAL and isinstance(addr, bytes):
        return os.fsdecode(addr)
    return addr


class MiscOps:
    """getpid, kill, sysctl, statvfs, poll and the BSD socket calls by descriptor."""

    if TYPE_CHECKING:  # what this mixin uses of Client (Kernel's other base)
        def syscall(self, number: int, *args: Slot) -> tuple[int, int]: ...

    def getpid(self) -> int:
        return self.syscall(SYS.getpid)[0]

    def getppid(self) -> int:
        return self.syscall(SYS.getpid)[1]

    def getuid(self) -> int:
        return self.syscall(SYS.getuid)[0]

    def getgid(self) -> int:
        return self.syscall(SYS.getgid)[0]

    def kill(self, pid: int, sig: int) -> None:
        """Signal a kernel process; ``sig`` is a host signal number (as os.kill)."""
        nb = nbsignal.from_host(int(sig)) if sig else 0
        if nb is None:
            raise ValueError(f"signal {sig} has no NetBSD equivalent")
        self.syscall(SYS.kill, pid, nb)

    def reboot(self, howto: int = 0) -> None:
        """reboot(2): what rump.halt sends; the server exits after replying."""
        self.syscall(SYS.reboot, howto, None)

    def sysctl(self, name, new: bytes | None = None, oldlen: int | None = 1024) -> bytes | None:
        """Read (and with ``new``, set) a sysctl node; raw bytes as the kernel has them.

        ``oldlen=None`` skips the read; a string value comes with its NUL.
        """
        mib = sysctl_mib(name)
        mibbuf = struct.pack(f"<{len(mib)}i", *mib)
        old = Out(oldlen) if oldlen is not None else None
        lenbuf = InOut(struct.pack("<Q", oldlen or 0)) if oldlen is not None else None
        self.syscall(SYS.sysctl, mibbuf, len(mib), old, lenbuf,
                     new, len(new) if new is not None else 0)
        if old is None or lenbuf is None:
            return None
        n = struct.unpack("<Q", lenbuf.buf)[0]
        return bytes(old.buf[:min(n, oldlen)])

    def sysctl_size(self, name) -> int:
        """The size the kernel reports for a node (oldp NULL, as a size probe)."""
        mib = sysctl_mib(name)
        lenbuf = InOut(bytes(8))
        self.syscall(SYS.sysctl, struct.pack(f"<{len(mib)}i", *mib), len(mib), None,
                     lenbuf, None, 0)
        return struct.unpack("<Q", lenbuf.buf)[0]

    def sysctl_str(self, name) -> str:
        return (self.sysctl(name) or b"").split(b"\0", 1)[0].decode()

    def sysctl_int(self, name) -> int:
        raw = self.sysctl(name) or b""
        return int.from_bytes(raw, "little", signed=True) if len(raw) in (4, 8) else 0

    def statvfs(self, path) -> os.statvfs_result:
        if isinstance(path, int):
            return self.fstatvfs(path)
        buf = bytearray(nbstatvfs.STATVFS_SIZE)
        try:
            self.syscall(SYS.statvfs1, os.fsencode(os.fspath(path)) + b"\0", Out(buf),
                         _ST_WAIT)
        except KernelError as e:
            e.filename = path
            raise
        return statvfs_result(buf)

    def mount(self, fstype: str, path, flags: int = 0, data: bytes | None = None) -> None:
        """mount(2) (``__mount50``): NetBSD MNT_* flags, ``data`` the file system's args."""
        try:
            self.syscall(SYS.mount, fstype.encode() + b"\0", os.fsencode(os.fspath(path)) + b"\0",
                         flags, data, len(data) if data is not None else 0)
        except KernelError as e:
            e.filename = path
            raise

    def mount_tmpfs(self, path, mode: int = 0o1777, size_max: int = 0, nodes_max: int = 0,
                    uid: int = 0, gid: int = 0, flags: int = 0) -> None:
        """Mount a fresh tmpfs on the directory ``path`` (as mount_tmpfs(8) does)."""
        args = nbstatvfs.pack_tmpfs_args(nbstatvfs.TMPFS_ARGS_VERSION, nodes_max, size_max,
                                         uid, gid, mode)
        self.mount("tmpfs", path, flags, args)

    def unmount(self, path, flags: int = 0) -> None:
        """unmount(2); ``flags`` NetBSD's (MNT_FORCE is 0x80000)."""
        try:
            self.syscall(SYS.unmount, os.fsencode(os.fspath(path)) + b"\0", flags)
        except KernelError as e:
            e.filename = path
            raise

    def fstatvfs(self, fd: int) -> os.statvfs_result:
        buf = bytearray(nbstatvfs.STATVFS_SIZE)
        self.syscall(SYS.fstatvfs1, fd, Out(buf), _ST_WAIT)
        return statvfs_result(buf)

    def poll(self, fds: list[tuple[int, int]], timeout_ms: int = -1) -> list[tuple[int, int]]:
        """poll(2) with NetBSD POLL* bits: [(fd, revents)] of the ready descriptors."""
        buf = bytearray(nbpoll.pack_pollfds([(fd, ev, 0) for fd, ev in fds]))
        self.syscall(SYS.poll, Out(buf), len(fds), timeout_ms)
        return [(fd, rev) for fd, _, rev in nbpoll.unpack_pollfds(bytes(buf), len(fds)) if rev]

    # ----- sockets (by kernel descriptor; family/type: host socket module values) --

    def socket(self, family: int = _hsock.AF_INET, type: int = _hsock.SOCK_STREAM,
               proto: int = 0) -> int:
        return self.syscall(SYS.socket, _FAMILY_TO_NB.get(family, family), type, proto)[0]

    def socketpair(self, family: int = _hsock.AF_UNIX, type: int = _hsock.SOCK_STREAM,
                   proto: int = 0) -> tuple[int, int]:
        fds = bytearray(8)
        self.syscall(SYS.socketpair, _FAMILY_TO_NB.get(family, family), type, proto, Out(fds))
        a, b = struct.unpack("<ii", fds)
        return a, b

    def _sockfamily(self, fd: int) -> int:
        raw = self.getsockname(fd, raw=True)
        return raw[1] if len(raw) > 1 else nbsock.AF_INET

    def bind(self, fd: int, address) -> None:
        sa = _sockaddr(self._sockfamily(fd), address)
        self.syscall(SYS.bind, fd, sa, len(sa))

    def connect(self, fd: int, address) -> None:
        sa = _sockaddr(self._sockfamily(fd), address)
        self.syscall(SYS.connect, fd, sa, len(sa))

    def listen(self, fd: int, backlog: int = 128) -> None:
        self.syscall(SYS.listen, fd, backlog)

    def accept(self, fd: int):
        name = Out(nbsock.SOCKADDR_STORAGE_SIZE)
        namelen = InOut(_I32.pack(nbsock.SOCKADDR_STORAGE_SIZE))
        newfd = self.syscall(SYS.accept, fd, name, namelen)[0]
        n = _I32.unpack(namelen.buf)[0]
        return newfd, (_from_sockaddr(bytes(name.buf[:n])) if n >= 2 else None)

    def _name(self, num: int, fd: int, raw: bool):
        name = Out(nbsock.SOCKADDR_STORAGE_SIZE)
        namelen = InOut(_I32.pack(nbsock.SOCKADDR_STORAGE_SIZE))
        self.syscall(num, fd, name, namelen)
        data = bytes(name.buf[:_I32.unpack(namelen.buf)[0]])
        return data if raw else _from_sockaddr(data)

    def getsockname(self, fd: int, raw: bool = False):
        return self._name(SYS.getsockname, fd, raw)

    def getpeername(self, fd: int, raw: bool = False):
        return self._name(SYS.getpeername, fd, raw)

    def send(self, fd: int, data, flags: int = 0) -> int:
        data = bytes(data)
        return self.syscall(SYS.sendto, fd, data, len(data), flags, None, 0)[0]

    def sendto(self, fd: int, data, address, flags: int = 0) -> int:
        data = bytes(data)
        sa = _sockaddr(self._sockfamily(fd), address)
        return self.syscall(SYS.sendto, fd, data, len(data), flags, sa, len(sa))[0]

    def recv(self, fd: int, n: int, flags: int = 0) -> bytes:
        buf = bytearray(n)
        got = self.syscall(SYS.recvfrom, fd, Out(buf), n, flags, None, None)[0]
        return bytes(buf[:got])

    def recvfrom(self, fd: int, n: int, flags: int = 0):
        buf = bytearray(n)
        name = Out(nbsock.SOCKADDR_STORAGE_SIZE)
        namelen = InOut(_I32.pack(nbsock.SOCKADDR_STORAGE_SIZE))
        got = self.syscall(SYS.recvfrom, fd, Out(buf), n, flags, name, namelen)[0]
        ln = _I32.unpack(namelen.buf)[0]
        return bytes(buf[:got]), (_from_sockaddr(bytes(name.buf[:ln])) if ln >= 2 else None)

    def shutdown(self, fd: int, how: int) -> None:
        self.syscall(SYS.shutdown, fd, how)

    def setsockopt(self, fd: int, level: int, optname: int, value: int | bytes) -> None:
        """setsockopt with NetBSD level/option numbers (SOL_SOCKET is 0xffff)."""
        val = _I32.pack(value) if isinstance(value, int) else bytes(value)
        self.syscall(SYS.setsockopt, fd, level, optname, val, len(val))

    def getsockopt(self, fd: int, level: int, optname: int, buflen: int = 0):
        size = buflen or 4
        val = Out(size)
        vlen = InOut(_I32.pack(size))
        self.syscall(SYS.getsockopt, fd, level, optname, val, vlen)
        got = bytes(val.buf[:_I32.unpack(vlen.buf)[0]])
        return _I32.unpack(got.ljust(4, b"\0")[:4])[0] if not buflen else got
