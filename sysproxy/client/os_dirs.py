"""Directory calls like :mod:`os`: listdir, scandir, walk, makedirs, removedirs."""
from __future__ import annotations

import os
import stat as _stat
import warnings
from typing import TYPE_CHECKING

from sysproxy.abi import stat as nbstat

from .memory import Out
from .syscalls import SYS

_GETDENTS_BUF = 16384
_DTYPE_MODE = {nbstat.DT_DIR: _stat.S_IFDIR, nbstat.DT_REG: _stat.S_IFREG,
               nbstat.DT_LNK: _stat.S_IFLNK, nbstat.DT_FIFO: _stat.S_IFIFO,
               nbstat.DT_CHR: _stat.S_IFCHR, nbstat.DT_BLK: _stat.S_IFBLK,
               nbstat.DT_SOCK: _stat.S_IFSOCK}


class DirEntry:
    """Like os.DirEntry: name, path, inode(), is_dir(), is_file(), is_symlink(), stat()."""

    __slots__ = ("name", "path", "_ino", "_dtype", "_kernel", "_stat", "_lstat")

    def __init__(self, kernel, dirpath, name, ino: int, dtype: int) -> None:
        self._kernel = kernel
        self.name = name
        self.path = os.path.join(dirpath, name)
        self._ino = ino
        self._dtype = dtype
        self._stat: os.stat_result | None = None
        self._lstat: os.stat_result | None = None

    def __repr__(self) -> str:
        return f"<DirEntry {self.name!r}>"

    def __fspath__(self):
        return self.path

    def inode(self) -> int:
        return self._ino

    def stat(self, *, follow_symlinks: bool = True) -> os.stat_result:
        if follow_symlinks and not self.is_symlink():
            follow_symlinks = False
        if follow_symlinks:
            if self._stat is None:
                self._stat = self._kernel.stat(self.path)
            return self._stat
        if self._lstat is None:
            self._lstat = self._kernel.lstat(self.path)
        return self._lstat

    def _mode(self, follow_symlinks: bool) -> int:
        if self._dtype == nbstat.DT_UNKNOWN or (follow_symlinks and self._dtype == nbstat.DT_LNK):
            try:
                return self.stat(follow_symlinks=follow_symlinks).st_mode
            except FileNotFoundError:
                return 0
        return _DTYPE_MODE.get(self._dtype, 0)

    def is_dir(self, *, follow_symlinks: bool = True) -> bool:
        return _stat.S_ISDIR(self._mode(follow_symlinks))

    def is_file(self, *, follow_symlinks: bool = True) -> bool:
        return _stat.S_ISREG(self._mode(follow_symlinks))

    def is_symlink(self) -> bool:
        return self._dtype == nbstat.DT_LNK if self._dtype else \
            _stat.S_ISLNK(self._mode(False))

    def is_junction(self) -> bool:
        return False


class ScandirIterator:
    """The iterator scandir returns; a context manager closing the kernel descriptor.

    No reference cycle: dropped unexhausted and unclosed, it is freed at once and
    its descriptor is closed by the kernel object's next open or scandir (a
    ResourceWarning says so, as os.scandir's does). __del__ makes no call itself:
    it may run inside another call of the same connection (cyclic GC), where a
    call would deadlock.
    """

    def __init__(self, kernel, path) -> None:
        self._kernel = kernel
        self._path = path
        self._fd: int | None = None
        self._buf: list[DirEntry] = []
        self._fd = kernel.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)

    def __iter__(self):
        return self

    def __next__(self) -> DirEntry:
        while not self._buf:
            if self._fd is None:
                raise StopIteration
            buf = bytearray(_GETDENTS_BUF)
            n = self._kernel.syscall(SYS.getdents, self._fd, Out(buf), len(buf))[0]
            if n <= 0:
                self.close()
                raise StopIteration
            binary = isinstance(self._path, bytes)
            self._buf = [DirEntry(self._kernel, self._path,
                                  name if binary else os.fsdecode(name), ino, dtype)
                         for ino, name, dtype in nbstat.unpack_dirents(bytes(buf[:n]))
                         if name not in (b".", b"..")]
            self._buf.reverse()
        return self._buf.pop()

    def close(self) -> None:
        self._buf = []
        if self._fd is not None:
            fd, self._fd = self._fd, None
            try:
                self._kernel.close(fd)
            except OSError:
                pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self) -> None:
        fd = getattr(self, "_fd", None)
        if fd is not None:
            self._fd = None
            warnings.warn(f"unclosed scandir iterator {self!r}", ResourceWarning, 2)
            self._kernel._close_later(fd)


class DirOps:
    """Directory listing and tree walking on top of getdents."""

    if TYPE_CHECKING:  # what this mixin uses of FileOps (Kernel's other base)
        def _close_deferred(self) -> None: ...
        def stat(self, path, *, dir_fd: int | None = None,
                 follow_symlinks: bool = True) -> os.stat_result: ...
        def lstat(self, path, *, dir_fd: int | None = None) -> os.stat_result: ...
        def mkdir(self, path, mode: int = 0o777, *, dir_fd: int | None = None) -> None: ...
        def rmdir(self, path, *, dir_fd: int | None = None) -> None: ...

    def scandir(self, path=".") -> ScandirIterator:
        self._close_deferred()
        return ScandirIterator(self, os.fspath(path))

    def listdir(self, path=".") -> list:
        with self.scandir(path) as it:
            return [e.name for e in it]

    def walk(self, top, topdown: bool = True, onerror=None, followlinks: bool = False):
        """os.walk over the kernel's file system."""
        top = os.fspath(top)
        stack = [top]
        while stack:
            top = stack.pop()
            if isinstance(top, tuple):  # bottom-up: yield after the children
                yield top
                continue
            dirs: list[str | bytes] = []
            nondirs: list[str | bytes] = []
            walk_into = []
            try:
                with self.scandir(top) as it:
                    for entry in it:
                        try:
                            is_dir = entry.is_dir()
                        except OSError:
                            is_dir = False
                        (dirs if is_dir else nondirs).append(entry.name)
                        if not topdown and is_dir:
                            if followlinks or not entry.is_symlink():
                                walk_into.append(entry.path)
            except OSError as e:
                if onerror is not None:
                    onerror(e)
                continue
            if topdown:
                yield top, dirs, nondirs
                for d in reversed(dirs):
                    p = os.path.join(top, d)
                    if followlinks or not _stat.S_ISLNK(self._lmode(p)):
                        stack.append(p)
            else:
                stack.append((top, dirs, nondirs))
                stack.extend(reversed(walk_into))

    def _lmode(self, path) -> int:
        try:
            return self.lstat(path).st_mode
        except OSError:
            return 0

    def makedirs(self, name, mode: int = 0o777, exist_ok: bool = False) -> None:
        name = os.fspath(name)
        head, tail = os.path.split(name)
        if not tail:
            head, tail = os.path.split(head)
        if head and tail and not self._exists(head):
            try:
                self.makedirs(head, exist_ok=exist_ok)
            except FileExistsError:
                pass
            cur = os.curdir if isinstance(head, str) else os.curdir.encode()
            if tail == cur:
                return
        try:
            self.mkdir(name, mode)
        except OSError:
            if not exist_ok or not self._isdir(name):
                raise

    def removedirs(self, name) -> None:
        self.rmdir(name)
        head, tail = os.path.split(os.fspath(name))
        if not tail:
            head, tail = os.path.split(head)
        while head and tail:
            try:
                self.rmdir(head)
            except OSError:
                break
            head, tail = os.path.split(head)

    def _exists(self, path) -> bool:
        try:
            self.stat(path)
        except OSError:
            return False
        return True

    def _isdir(self, path) -> bool:
        try:
            return _stat.S_ISDIR(self.stat(path).st_mode)
        except OSError:
            return False

    def exists(self, path) -> bool:
        """os.path.exists on the kernel's file system."""
        return self._exists(path)

    def isdir(self, path) -> bool:
        return self._isdir(path)

    def isfile(self, path) -> bool:
        try:
            return _stat.S_ISREG(self.stat(path).st_mode)
        except OSError:
            return False
