"""Descriptor tables (struct filedesc): small integers naming open files.

The rump fork rules: a GUEST process starts with an empty table, PREFORK
copies its parent's table (the File objects are shared, as after fork(2)),
and exec closes the close-on-exec descriptors.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..abi import errno as E
from .errors import KernelError
from .file import DTYPE_KQUEUE, File

if TYPE_CHECKING:
    from .fairness import Tree

DEFAULT_MAXFILES = 3404  # kern.maxfiles; a process's own limit is RLIMIT_NOFILE (resource.py)
NDFILE, NDEXTENT = 20, 50  # sys/filedesc.h: the built-in table, then the first expansion


class FileTable:
    __slots__ = ("_files", "_cloexec", "maxfiles", "knlist", "nfiles", "acct")

    def __init__(self, maxfiles: int = DEFAULT_MAXFILES) -> None:
        self._files: list[File | None] = []
        self._cloexec: list[bool] = []
        self.maxfiles = maxfiles
        # kqueues holding knotes on this table's descriptors (fd_knlist): closing a
        # descriptor drops its knotes from them (knote_fdclose)
        self.knlist: list = []
        # dt_nfiles: the table's size as NetBSD grows it (NDFILE, NDEXTENT, then doubling;
        # never shrinking); select clips nd to it, poll allows 1000 more entries
        self.nfiles = NDFILE
        # The client process tree whose descriptor limit this table counts against.
        self.acct: Tree | None = None

    def charge_to(self, tree: "Tree", errno: int) -> None:
        """Count this table's descriptors against ``tree`` (``errno`` if they do not fit)."""
        tree.take_fds(len(self), errno)
        self.acct = tree

    def __len__(self) -> int:
        return sum(1 for f in self._files if f is not None)

    def fds(self) -> list[int]:
        return [i for i, f in enumerate(self._files) if f is not None]

    def get(self, fd: int) -> File:
        files = self._files
        if 0 <= fd < len(files):
            f = files[fd]
            if f is not None:
                return f
        raise KernelError(E.EBADF)

    def lookup(self, fd: int) -> File | None:
        return self._files[fd] if 0 <= fd < len(self._files) else None

    def alloc(self, f: File, cloexec: bool = False, minfd: int = 0) -> int:
        """Install ``f`` at the lowest free descriptor >= minfd (takes a reference)."""
        files = self._files
        if minfd >= self.maxfiles:  # fd_alloc: nothing free below the limit
            raise KernelError(E.EMFILE)
        for fd in range(minfd, min(len(files), self.maxfiles)):  # never past the limit
            if files[fd] is None:
                break
        else:
            fd = max(minfd, len(files))
            if fd >= self.maxfiles:
                raise KernelError(E.EMFILE)
            self._grow(fd)
        if self.acct is not None:
            self.acct.take_fds(1)
        files[fd] = f.hold()
        self._cloexec[fd] = cloexec
        return fd

    def install(self, fd: int, f: File, cloexec: bool = False) -> None:
        """Put ``f`` at exactly ``fd`` (dup2), closing what was there."""
        if not 0 <= fd < self.maxfiles:
            raise KernelError(E.EBADF)
        self._grow(fd)
        old = self._files[fd]
        if old is None and self.acct is not None:
            self.acct.take_fds(1)
        self._files[fd] = f.hold()
        self._cloexec[fd] = cloexec
        if old is not None:
            if self.knlist:
                self._knote_fdclose(fd)
            old.fd_closed(self)
            old.release()

    def _knote_fdclose(self, fd: int) -> None:
        for kq in list(self.knlist):
            kq.drop_fd(fd)

    def _grow(self, fd: int) -> None:
        while fd >= self.nfiles:  # fd_tryexpand
            self.nfiles = NDEXTENT if self.nfiles < NDEXTENT else 2 * self.nfiles
        n = fd + 1 - len(self._files)
        if n > 0:
            self._files.extend([None] * n)
            self._cloexec.extend([False] * n)

    def close(self, fd: int) -> None:
        f = self.get(fd)
        self._files[fd] = None
        self._cloexec[fd] = False
        if self.acct is not None:
            self.acct.fds -= 1
        if self.knlist:
            self._knote_fdclose(fd)
        f.fd_closed(self)
        f.release()

    def get_cloexec(self, fd: int) -> bool:
        self.get(fd)
        return self._cloexec[fd]

    def set_cloexec(self, fd: int, on: bool) -> None:
        self.get(fd)
        self._cloexec[fd] = on

    def copy(self) -> "FileTable":
        """The table a forked child gets: same files, each with one more reference."""
        t = FileTable(self.maxfiles)
        # fd_copy: kqueue descriptors are not copied
        t._files = [f.hold() if f is not None and f.dtype != DTYPE_KQUEUE else None
                    for f in self._files]
        t._cloexec = [c and f is not None for c, f in zip(self._cloexec, t._files, strict=True)]
        # the child's table: the built-in one while the last open fd fits, else the
        # parent's size halved while twice the last fd still fits (at least NDEXTENT*2)
        last = self.maxfd()
        if last < NDFILE:
            t.nfiles = NDFILE
        else:
            n = self.nfiles
            while n >= 2 * NDEXTENT and n > last * 2:
                n //= 2
            t.nfiles = n
        return t

    def close_on_exec(self) -> None:
        for fd, on in enumerate(self._cloexec):
            if on and self._files[fd] is not None:
                self.close(fd)

    def close_from(self, lowfd: int) -> None:
        """F_CLOSEM: close every descriptor >= lowfd."""
        for fd in range(max(0, lowfd), len(self._files)):
            if self._files[fd] is not None:
                self.close(fd)

    def close_all(self) -> None:
        self.close_from(0)
        self._files.clear()
        self._cloexec.clear()

    def maxfd(self) -> int:
        """F_MAXFD: the highest open descriptor, -1 if none."""
        for fd in range(len(self._files) - 1, -1, -1):
            if self._files[fd] is not None:
                return fd
        return -1
