"""A tiny in-memory file system behind the fake server, to exercise the os-like
API's argument layouts and result parsing without the real kernel."""
from __future__ import annotations

import posixpath
import threading

from sysproxy.abi import stat as nbstat

ENOENT, EBADF, EEXIST, ENOTDIR, EISDIR, EINVAL, ENOTEMPTY, ENOSYS = 2, 9, 17, 20, 21, 22, 66, 78
O_APPEND, O_CREAT, O_TRUNC, O_EXCL, O_DIRECTORY = 0x8, 0x200, 0x400, 0x800, 0x200000


def _s64(v: int) -> int:
    return v - (1 << 64) if v >> 63 else v


class FakeFS:
    def __init__(self) -> None:
        self.files: dict[str, bytearray] = {}
        self.dirs: set[str] = {"/"}
        self.fds: dict[int, list] = {}   # fd -> [path, offset, flags, dirpos]
        self.lock = threading.Lock()

    def _fd(self) -> int:
        fd = 3
        while fd in self.fds:
            fd += 1
        return fd

    def _stat(self, path: str) -> bytes:
        if path in self.dirs:
            mode, size = nbstat.S_IFDIR | 0o755, 512
        else:
            mode, size = nbstat.S_IFREG | 0o644, len(self.files[path])
        return nbstat.pack_stat(0xab01, hash(path) & 0xffff, mode, 1, 0, 0, 0,
                                1_500_000_000, 1_234_567_890_000_000_000, 0, 0,
                                size, (size + 511) // 512, 4096)

    def __call__(self, ctx, n: int, a: list[int]) -> tuple[int, int, int]:
        with self.lock:
            return self._call(ctx, n, a)

    def _path(self, ctx, addr: int) -> str:
        return posixpath.normpath(ctx.copyinstr(addr, 1024).rstrip(b"\0").decode())

    def _call(self, ctx, n: int, a: list[int]) -> tuple[int, int, int]:
        if n == 20:
            return 0, 2, 1
        if n == 5:  # open
            p, flags = self._path(ctx, a[0]), a[1] & 0xFFFFFFFF
            exists = p in self.files or p in self.dirs
            if exists and flags & O_CREAT and flags & O_EXCL:
                return EEXIST, 0, 0
            if not exists:
                if not flags & O_CREAT:
                    return ENOENT, 0, 0
                if posixpath.dirname(p) not in self.dirs:
                    return ENOENT, 0, 0
                self.files[p] = bytearray()
            if flags & O_DIRECTORY and p not in self.dirs:
                return ENOTDIR, 0, 0
            if flags & O_TRUNC and p in self.files:
                del self.files[p][:]
            fd = self._fd()
            self.fds[fd] = [p, 0, flags, 0]
            return 0, fd, 0
        if n == 6:
            return (0, 0, 0) if self.fds.pop(a[0] & 0xFFFFFFFF, None) else (EBADF, 0, 0)
        if n in (136, 137, 10, 439, 441):  # mkdir rmdir unlink stat lstat
            p = self._path(ctx, a[0])
            if n == 136:
                if p in self.dirs or p in self.files:
                    return EEXIST, 0, 0
                if posixpath.dirname(p) not in self.dirs:
                    return ENOENT, 0, 0
                self.dirs.add(p)
            elif n == 137:
                if p not in self.dirs:
                    return ENOENT, 0, 0
                if any(posixpath.dirname(x) == p for x in (*self.dirs, *self.files) if x != p):
                    return ENOTEMPTY, 0, 0
                self.dirs.discard(p)
            elif n == 10:
                if p not in self.files:
                    return ENOENT, 0, 0
                del self.files[p]
            else:
                if p not in self.files and p not in self.dirs:
                    return ENOENT, 0, 0
                ctx.copyout(a[1], self._stat(p))
            return 0, 0, 0
        if n == 128:  # rename
            src, dst = self._path(ctx, a[0]), self._path(ctx, a[1])
            if src not in self.files:
                return ENOENT, 0, 0
            self.files[dst] = self.files.pop(src)
            return 0, 0, 0
        fdent = self.fds.get(a[0] & 0xFFFFFFFF) if a else None
        if fdent is None:
            return (ENOSYS if n not in (3, 4, 173, 174, 199, 201, 440, 390) else EBADF), 0, 0
        path = fdent[0]
        if n == 440:
            ctx.copyout(a[1], self._stat(path))
            return 0, 0, 0
        if n == 390:  # getdents: one record per entry, as tmpfs does
            names = sorted(posixpath.basename(x) for x in (*self.dirs, *self.files)
                           if x != path and posixpath.dirname(x) == path)
            entries = [(".", nbstat.DT_DIR), ("..", nbstat.DT_DIR)] + \
                [(nm, nbstat.DT_DIR if posixpath.join(path, nm) in self.dirs else nbstat.DT_REG)
                 for nm in names]
            out, off = b"", 0
            for i, (nm, dt) in enumerate(entries[fdent[3]:]):
                rec = nbstat.pack_dirent(100 + i, nm.encode(), dt)
                if len(out) + len(rec) > a[2]:
                    break
                ctx.copyout(a[1] + off, rec)
                out += rec
                off += len(rec)
                fdent[3] += 1
            return 0, len(out), 0
        if path in self.dirs:
            return EISDIR, 0, 0
        data = self.files[path]
        if n in (3, 173):  # read, pread
            pos = fdent[1] if n == 3 else _s64(a[4])
            chunk = bytes(data[pos:pos + a[2]])
            if chunk:
                ctx.copyout(a[1], chunk)
            if n == 3:
                fdent[1] += len(chunk)
            return 0, len(chunk), 0
        if n in (4, 174):  # write, pwrite
            buf = ctx.copyin(a[1], a[2])
            pos = len(data) if fdent[2] & O_APPEND else (fdent[1] if n == 4 else _s64(a[4]))
            if pos > len(data):
                data.extend(bytes(pos - len(data)))
            data[pos:pos + len(buf)] = buf
            if n == 4:
                fdent[1] = pos + len(buf)
            return 0, len(buf), 0
        if n == 199:  # lseek(fd, PAD, off, whence)
            base = {0: 0, 1: fdent[1], 2: len(data)}[a[3] & 0xFFFFFFFF]
            new = base + _s64(a[2])
            if new < 0:
                return EINVAL, 0, 0
            fdent[1] = new
            return 0, new, 0
        if n == 201:
            del data[_s64(a[2]):]
            return 0, 0, 0
        return ENOSYS, 0, 0

