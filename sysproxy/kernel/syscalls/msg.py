"""Sending and receiving on sockets: sendto, recvfrom, sendmsg, recvmsg, sendmmsg, recvmmsg.

Copies follow NetBSD's order: the data, then the sender's address, then the
control messages, then the updated msghdr (or the address length).
"""
from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Any

from ...abi import errno as E
from ...abi import socket as S
from ...abi.time import TIMESPEC
from ..errors import KernelError
from ..socket.base import Socket, discard_control
from .args import i32, u32
from .socket import copyout_sockname, getsock, sockaddr_in
from .table import Args, syscall
from .uio import IOV_MAX, copyin_iovecs, gather, scatter

if TYPE_CHECKING:
    from ..lwp import Lwp

_U32 = struct.Struct("<I")
_INT = struct.Struct("<i")


async def _control_in(l: "Lwp", ctl: int, ctllen: int) -> list[tuple[int, int, Any]]:
    if not ctllen:
        return []
    if ctllen < S.CMSGHDR_SIZE or ctllen > 65536:
        raise KernelError(E.EINVAL)
    raw = await l.copyin(ctl, ctllen)
    out: list[tuple[int, int, Any]] = []
    off = 0
    while off + S.CMSGHDR_SIZE <= len(raw):
        ln, level, ctype = S.CMSGHDR.unpack_from(raw, off)
        if ln < S.CMSGHDR_SIZE or off + ln > len(raw):
            raise KernelError(E.EINVAL)
        out.append((level, ctype, bytes(raw[off + S.CMSG_DATA_OFFSET: off + ln])))
        off += S.CMSG_ALIGN(ln)
    return out


def _control_out(l: "Lwp", control: list[tuple[int, int, Any]], room: int,
                 cloexec: bool) -> tuple[bytes, int]:
    """Externalize control (install passed files) into at most ``room`` bytes -> (bytes, flags)."""
    out = b""
    flags = 0
    for level, ctype, obj in control:
        if ctype == S.SCM_RIGHTS:
            files = list(obj)
            fit = max(0, (room - len(out) - S.CMSG_DATA_OFFSET) // 4)
            if fit < len(files):
                flags |= S.MSG_CTRUNC
            fds = []
            for i, f in enumerate(files):
                if i < fit:
                    try:
                        fds.append(l.proc.fd.alloc(f, cloexec))
                    except KernelError:
                        flags |= S.MSG_CTRUNC
                f.release()  # the in-flight reference
            if fds:
                out += S.pack_cmsg(level, ctype, b"".join(_INT.pack(fd) for fd in fds))
            continue
        rec = S.pack_cmsg(level, ctype, obj)
        if len(out) + S.CMSG_LEN(len(obj)) > room:
            flags |= S.MSG_CTRUNC
            continue
        out += rec
    if len(out) > room:
        out = out[:room]
    return out, flags


async def do_send(l: "Lwp", so: Socket, data: bytes, to: bytes | None,
                  control: list[tuple[int, int, Any]], flags: int) -> int:
    try:
        return await so.send(l, data, to, control, flags)
    except KernelError:
        discard_control(control)
        raise


@syscall("sendto")
async def sys_sendto(l: "Lwp", a: Args) -> int:
    so = getsock(l, i32(a[0]))
    buf, n, flags, to, tolen = a[1], a[2], i32(a[3]), a[4], u32(a[5])
    addr = await sockaddr_in(l, to, tolen) if to else None
    data = await l.copyin(buf, n) if n else b""
    return await do_send(l, so, data, addr, [], flags)


@syscall("recvfrom")
async def sys_recvfrom(l: "Lwp", a: Args) -> int:
    so = getsock(l, i32(a[0]))
    buf, n, flags, frm, fromlenp = a[1], a[2], i32(a[3]), a[4], a[5]
    data, addr, control, _ = await so.recv(l, n, flags)
    discard_control(control)
    if data:
        l.copyout(buf, data)
    if frm:
        await copyout_sockname(l, frm, fromlenp, addr)
    return len(data)


async def sendmsg_one(l: "Lwp", so: Socket, hdr: bytes, flags: int) -> int:
    name, namelen, iovp, iovlen, ctl, ctllen, _ = S.unpack_msghdr(hdr)
    addr = await sockaddr_in(l, name, namelen) if name else None
    iov = await copyin_iovecs(l, iovp, iovlen, E.EMSGSIZE)
    control = await _control_in(l, ctl, ctllen)
    data = await gather(l, iov)
    return await do_send(l, so, data, addr, control, flags)


async def recvmsg_one(l: "Lwp", so: Socket, hdr: bytes, flags: int) -> tuple[int, bytes]:
    """-> (bytes received, the updated msghdr)."""
    name, namelen, iovp, iovlen, ctl, ctllen, _ = S.unpack_msghdr(hdr)
    iov = await copyin_iovecs(l, iovp, iovlen, E.EMSGSIZE)
    data, addr, control, mflags = await so.recv(l, sum(n for _, n in iov), flags)
    mflags |= flags & S.MSG_USERFLAGS  # soreceive ORs its flags into the caller's own
    scatter(l, iov, data)
    if name:
        n = 0 if addr is None else min(namelen, len(addr))
        if n:
            l.copyout(name, addr[:n])  # type: ignore[index]
        namelen = n
    else:
        namelen = 0
    if control:
        if ctl and ctllen:
            out, cflags = _control_out(l, control, ctllen, bool(flags & S.MSG_CMSG_CLOEXEC))
        else:
            discard_control(control)
            out, cflags = b"", S.MSG_CTRUNC
        mflags |= cflags
        if out:
            l.copyout(ctl, out)
        ctllen = len(out)
    else:
        ctllen = 0
    return len(data), S.pack_msghdr(name, namelen, iovp, iovlen, ctl, ctllen, mflags)


@syscall("sendmsg")
async def sys_sendmsg(l: "Lwp", a: Args) -> int:
    so = getsock(l, i32(a[0]))
    hdr = await l.copyin(a[1], S.MSGHDR_SIZE)
    return await sendmsg_one(l, so, hdr, i32(a[2]))


@syscall("recvmsg")
async def sys_recvmsg(l: "Lwp", a: Args) -> int:
    so = getsock(l, i32(a[0]))
    hdr = await l.copyin(a[1], S.MSGHDR_SIZE)
    n, newhdr = await recvmsg_one(l, so, hdr, i32(a[2]))
    l.copyout(a[1], newhdr)
    return n


@syscall("sendmmsg")
async def sys_sendmmsg(l: "Lwp", a: Args) -> int:
    so = getsock(l, i32(a[0]))
    base, vlen, flags = a[1], u32(a[2]), i32(a[3])
    vlen = min(vlen, IOV_MAX)
    sent = 0
    for i in range(vlen):
        addr = base + i * S.MMSGHDR_SIZE
        hdr = await l.copyin(addr, S.MMSGHDR_SIZE)
        try:
            n = await sendmsg_one(l, so, hdr[:S.MSGHDR_SIZE], flags)
        except KernelError:
            if sent:
                break
            raise
        l.copyout(addr + S.MSGHDR_SIZE, _U32.pack(n))
        sent += 1
    return sent


@syscall("recvmmsg")
async def sys_recvmmsg(l: "Lwp", a: Args) -> int:
    so = getsock(l, i32(a[0]))
    base, vlen, flags, tsp = a[1], u32(a[2]), u32(a[3]), a[4]
    deadline = None
    if tsp:
        sec, nsec = TIMESPEC.unpack(await l.copyin(tsp, 16))
        if sec < 0 or not 0 <= nsec < 1_000_000_000:
            raise KernelError(E.EINVAL)
        deadline = l.kernel.sched.clock() + sec + nsec / 1e9
    vlen = min(vlen, IOV_MAX)
    got = 0
    for i in range(vlen):
        addr = base + i * S.MMSGHDR_SIZE
        hdr = await l.copyin(addr, S.MMSGHDR_SIZE)
        f = flags
        if got and flags & S.MSG_WAITFORONE:
            f |= S.MSG_DONTWAIT
        try:
            n, newhdr = await recvmsg_one(l, so, hdr[:S.MSGHDR_SIZE], f & ~S.MSG_WAITFORONE)
        except KernelError:
            if got:
                break
            raise
        l.copyout(addr, newhdr + _U32.pack(n))
        got += 1
        if deadline is not None and l.kernel.sched.clock() >= deadline:
            break
    return got
