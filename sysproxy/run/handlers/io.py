"""read/write and their vector and positioned forms on kernel descriptors.

Data moves kernel -> supervisor -> program memory (/proc/PID/mem). A single
call moves at most ``CHUNK`` bytes: a short count, which callers loop over.
"""
from __future__ import annotations

from sysproxy.client import SYS, Out

from ..call import CONTINUE, Call, Errno, handles

CHUNK = 8 << 20


def _kread(c: Call, kfd: int, n: int, off: int | None) -> bytes:
    out = Out(min(n, CHUNK))
    if off is None:
        got = c.k.syscall(SYS.read, kfd, out, len(out.buf))[0]
    else:
        got = c.k.syscall(SYS.pread, kfd, out, len(out.buf), 0, off)[0]
    return bytes(out.buf[:got])


def _kwrite(c: Call, kfd: int, data: bytes, off: int | None) -> int:
    if off is None:
        return c.k.syscall(SYS.write, kfd, data, len(data))[0]
    return c.k.syscall(SYS.pwrite, kfd, data, len(data), 0, off)[0]


@handles("read", "pread64")
def sys_read(c: Call) -> object:
    kfd = c.kfd(c.args[0])
    if kfd is None:
        return CONTINUE
    off = c.args[3] if c.n.nr == 17 else None
    data = _kread(c, kfd, c.args[2], off)
    c.proc.mem.write(c.args[1], data)
    return len(data)


@handles("write", "pwrite64")
def sys_write(c: Call) -> object:
    kfd = c.kfd(c.args[0])
    if kfd is None:
        return CONTINUE
    off = c.args[3] if c.n.nr == 18 else None
    data = c.proc.mem.read(c.args[1], min(c.args[2], CHUNK))
    return _kwrite(c, kfd, data, off)


@handles("readv", "preadv", "preadv2")
def sys_readv(c: Call) -> object:
    kfd = c.kfd(c.args[0])
    if kfd is None:
        return CONTINUE
    off = None if c.n.nr == 19 else c.args[3]
    if off is not None and off >= (1 << 63):
        off = None         # preadv2 with offset -1: the file offset
    total = 0
    for base, ln in c.proc.mem.iovecs(c.args[1], c.args[2]):
        if not ln:
            continue
        data = _kread(c, kfd, ln, None if off is None else off + total)
        c.proc.mem.write(base, data)
        total += len(data)
        if len(data) < ln:
            break
    return total


@handles("writev", "pwritev", "pwritev2")
def sys_writev(c: Call) -> object:
    kfd = c.kfd(c.args[0])
    if kfd is None:
        return CONTINUE
    off = None if c.n.nr == 20 else c.args[3]
    if off is not None and off >= (1 << 63):
        off = None
    data = b"".join(c.proc.mem.read(b, ln) for b, ln in
                    c.proc.mem.iovecs(c.args[1], c.args[2]))
    total = 0
    while total < len(data):   # one kernel call per chunk keeps writev's atomicity for small ones
        n = _kwrite(c, kfd, data[total:total + CHUNK], None if off is None else off + total)
        total += n
        if n == 0:
            break
    return total


@handles("sendfile", "splice", "tee", "copy_file_range")
def sys_copy(c: Call) -> object:
    """In-kernel copies between a host and a kernel descriptor cannot be: EXDEV/EINVAL
    make cp, cat and friends fall back to read and write."""
    a = c.args
    fds = (a[0], a[1]) if c.n.nr in (40, 276) else (a[0], a[2])
    if all(c.kfd(f) is None for f in fds):
        return CONTINUE
    raise Errno(18 if c.n.nr == 326 else 22)
