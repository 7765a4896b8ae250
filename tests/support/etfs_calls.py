"""One call sequence on a `-d` device, run the same way on our server and the reference.

Each step records (errno, return value, data) with what may differ between two
boots (times, inode and device numbers) left out, so two servers can be compared
step by step.
"""
from __future__ import annotations

import struct

from sysproxy.abi import ioctl as IO
from sysproxy.abi.fcntl import O_RDONLY, O_RDWR, SEEK_CUR, SEEK_END, SEEK_SET
from sysproxy.abi.stat import unpack_stat

from support.rawclient import RawClient

DISKLABEL_SIZE = 404  # struct disklabel on amd64 (MAXPARTITIONS 16)
DIOCGDINFO = IO._IOR("d", 101, DISKLABEL_SIZE)
DIOCGPARTINFO = IO._IOW("d", 104, 32)
DIOCCACHESYNC = IO._IOW("d", 118, 4)
DIOCGWEDGEINFO = IO._IOR("d", 122, 216)
DIOCGMEDIASIZE = IO._IOR("d", 132, 8)
DIOCGSECTORSIZE = IO._IOR("d", 133, 4)
IOCTLS = {"DIOCGDINFO": (DIOCGDINFO, DISKLABEL_SIZE), "DIOCGPARTINFO": (DIOCGPARTINFO, 32),
          "DIOCCACHESYNC": (DIOCCACHESYNC, 4), "DIOCGWEDGEINFO": (DIOCGWEDGEINFO, 216),
          "DIOCGMEDIASIZE": (DIOCGMEDIASIZE, 8), "DIOCGSECTORSIZE": (DIOCGSECTORSIZE, 4),
          "FIONREAD": (IO.FIONREAD, 4)}

Step = tuple[str, int, int, object]


def stat_view(raw: bytes) -> tuple[int, int, int, int, int, int, int, int]:
    """The fields of a stat that a boot does not choose: mode, nlink, uid, gid, rdev
    (minor only: the major is the driver's), size, blocks, blksize."""
    s = unpack_stat(raw)
    return (s.mode, s.nlink, s.uid, s.gid, s.rdev & 0xFFF000FF, s.size, s.blocks, s.blksize)


def sequence(c: RawClient, key: str, size: int) -> list[Step]:
    """Stat, open, aligned and unaligned I/O, the region's end, seeks, fsync, ioctls."""
    out: list[Step] = []
    m = c.mem

    def rec(name: str, r: tuple[int, int, int], data: object = None) -> None:
        out.append((name, r[0], r[1], data if not r[0] else None))

    sb = m.out(152)
    r = c.call("__stat50", m.str(key), sb)
    rec("stat", r, stat_view(m.get(sb, 152)) if not r[0] else None)
    r = c.call("open", m.str(key), O_RDWR, 0)
    rec("open", r)
    fd = r[1]
    pattern = bytes(range(256)) * 32  # 8 KiB
    for name, data, off in [("write 4096@0", pattern[:4096], 0),
                            ("write 100@0", pattern[7:107], 0),
                            ("write 512@100", pattern[:512], 100),
                            ("write 1000@1024", pattern[:1000], 1024),
                            ("write 512@end-512", pattern[:512], size - 512),
                            ("write 1024@end-512", pattern[:1024], size - 512),
                            ("write 512@end", pattern[:512], size),
                            ("write 512@end+512", pattern[:512], size + 512),
                            ("write 2048@end", pattern[:2048], size),
                            ("write 4096@end", pattern[:4096], size),
                            ("write 512@end+2048", pattern[:512], size + 2048),
                            ("write 4608@end-512", pattern[:4608], size - 512),
                            ("write 8192@end-4096", pattern[:8192], size - 4096)]:
        rec("p" + name, c.call("pwrite", fd, m.buf(data), len(data), 0, off))
    for name, n, off in [("read 4096@0", 4096, 0), ("read 100@3", 100, 3),
                         ("read 512@end-512", 512, size - 512),
                         ("read 1024@end-512", 1024, size - 512),
                         ("read 512@end", 512, size), ("read 512@end+512", 512, size + 512),
                         ("read 512@end+2048", 512, size + 2048),
                         ("read 8192@end-4096", 8192, size - 4096)]:
        buf = m.out(n)
        r = c.call("pread", fd, buf, n, 0, off)
        rec("p" + name, r, m.get(buf, r[1]) if not r[0] else None)
    rec("lseek end", c.call("lseek", fd, 0, 0, SEEK_END))
    rec("lseek end-100", c.call("lseek", fd, 0, -100, SEEK_END))
    rec("lseek 1000", c.call("lseek", fd, 0, 1000, SEEK_SET))
    rec("lseek cur+24", c.call("lseek", fd, 0, 24, SEEK_CUR))
    buf = m.out(512)
    r = c.call("read", fd, buf, 512)
    rec("read 512 at cur", r, m.get(buf, r[1]) if not r[0] else None)
    rec("lseek cur", c.call("lseek", fd, 0, 0, SEEK_CUR))
    data = pattern[:512]
    rec("write 512 at cur", c.call("write", fd, m.buf(data), 512))
    rec("lseek cur after write", c.call("lseek", fd, 0, 0, SEEK_CUR))
    rec("fsync", c.call("fsync", fd))
    for name, (cmd, n) in IOCTLS.items():
        buf = m.out(n)
        r = c.call("ioctl", fd, cmd, buf)
        rec("ioctl " + name, r, m.get(buf, n) if not r[0] else None)
    sb = m.out(152)
    r = c.call("__fstat50", fd, sb)
    rec("fstat", r, stat_view(m.get(sb, 152)) if not r[0] else None)
    rec("close", c.call("close", fd))
    r = c.call("open", m.str(key), O_RDONLY, 0)
    rec("open rdonly", r)
    rec("write on rdonly", c.call("write", r[1], m.buf(b"x" * 512), 512))
    rec("close rdonly", c.call("close", r[1]))
    first = c.call("open", m.str(key), O_RDWR, 0)
    rec("open again", first)
    second = c.call("open", m.str(key), O_RDONLY, 0)  # a block device opens once (EBUSY)
    rec("open while open", second)
    rec("ftruncate", c.call("ftruncate", first[1], 0, 4096))
    sb = m.out(152)
    r = c.call("__fstat50", first[1], sb)
    rec("fstat after ftruncate", r, stat_view(m.get(sb, 152)) if not r[0] else None)
    if not second[0]:
        rec("close second", c.call("close", second[1]))
    rec("close first", c.call("close", first[1]))
    rec("unlink", c.call("unlink", m.str(key)))
    r = c.call("__stat50", m.str(key), m.out(152))
    rec("stat after unlink", r)
    return out


def unpack_u64(b: bytes) -> int:
    return int(struct.unpack("<q", b[:8])[0])
