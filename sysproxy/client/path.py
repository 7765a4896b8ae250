"""A pathlib-style path on a kernel's file system: ``k.path("/etc") / "motd"``.

Pure path arithmetic is :class:`pathlib.PurePosixPath`'s; every operation that
touches the file system goes through the :class:`Kernel` the path belongs to.
"""
from __future__ import annotations

import os
import stat as _stat
from collections.abc import Iterator
from pathlib import PurePosixPath

__all__ = ["KPath"]


class KPath:
    """A path plus the kernel it lives in."""

    __slots__ = ("_kernel", "_pure")

    def __init__(self, kernel, *parts) -> None:
        self._kernel = kernel
        self._pure: PurePosixPath = PurePosixPath(*[os.fspath(p) if not isinstance(p, KPath) else p._pure
                                     for p in parts]) if parts else PurePosixPath(".")

    def _new(self, pure: PurePosixPath) -> "KPath":
        return KPath(self._kernel, pure)

    # ----- pure parts ---------------------------------------------------------

    def __fspath__(self) -> str:
        return str(self._pure)

    def __str__(self) -> str:
        return str(self._pure)

    def __repr__(self) -> str:
        return f"KPath({str(self._pure)!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, KPath) and other._pure == self._pure and \
            other._kernel is self._kernel

    def __hash__(self) -> int:
        return hash(self._pure)

    def __truediv__(self, other) -> "KPath":
        return self._new(self._pure / os.fspath(other))

    def joinpath(self, *others) -> "KPath":
        return self._new(self._pure.joinpath(*map(os.fspath, others)))

    @property
    def name(self) -> str:
        return self._pure.name

    @property
    def suffix(self) -> str:
        return self._pure.suffix

    @property
    def stem(self) -> str:
        return self._pure.stem

    @property
    def parts(self) -> tuple[str, ...]:
        return self._pure.parts

    @property
    def parent(self) -> "KPath":
        return self._new(self._pure.parent)

    def with_name(self, name: str) -> "KPath":
        return self._new(self._pure.with_name(name))

    def with_suffix(self, suffix: str) -> "KPath":
        return self._new(self._pure.with_suffix(suffix))

    def is_absolute(self) -> bool:
        return self._pure.is_absolute()

    # ----- file system --------------------------------------------------------

    def stat(self, *, follow_symlinks: bool = True) -> os.stat_result:
        return self._kernel.stat(str(self), follow_symlinks=follow_symlinks)

    def lstat(self) -> os.stat_result:
        return self._kernel.lstat(str(self))

    def _mode(self, follow: bool = True) -> int:
        try:
            return self.stat(follow_symlinks=follow).st_mode
        except (FileNotFoundError, NotADirectoryError):
            return 0

    def exists(self) -> bool:
        return self._mode() != 0

    def is_dir(self) -> bool:
        return _stat.S_ISDIR(self._mode())

    def is_file(self) -> bool:
        return _stat.S_ISREG(self._mode())

    def is_symlink(self) -> bool:
        return _stat.S_ISLNK(self._mode(False))

    def iterdir(self) -> Iterator["KPath"]:
        for name in self._kernel.listdir(str(self)):
            yield self / name

    def open(self, mode: str = "r", buffering: int = -1, encoding: str | None = None,
             errors: str | None = None, newline: str | None = None):
        return self._kernel.open_file(str(self), mode, buffering, encoding, errors, newline)

    def read_bytes(self) -> bytes:
        with self.open("rb") as f:
            return f.read()

    def write_bytes(self, data: bytes) -> int:
        with self.open("wb") as f:
            return f.write(data)

    def read_text(self, encoding: str | None = None, errors: str | None = None) -> str:
        with self.open("r", encoding=encoding, errors=errors) as f:
            return f.read()

    def write_text(self, data: str, encoding: str | None = None,
                   errors: str | None = None, newline: str | None = None) -> int:
        with self.open("w", encoding=encoding, errors=errors, newline=newline) as f:
            return f.write(data)

    def touch(self, mode: int = 0o666, exist_ok: bool = True) -> None:
        flags = os.O_CREAT | os.O_WRONLY | (0 if exist_ok else os.O_EXCL)
        self._kernel.close(self._kernel.open(str(self), flags, mode))

    def mkdir(self, mode: int = 0o777, parents: bool = False, exist_ok: bool = False) -> None:
        if parents:
            self._kernel.makedirs(str(self), mode, exist_ok=exist_ok)
            return
        try:
            self._kernel.mkdir(str(self), mode)
        except FileExistsError:
            if not exist_ok or not self.is_dir():
                raise

    def rmdir(self) -> None:
        self._kernel.rmdir(str(self))

    def unlink(self, missing_ok: bool = False) -> None:
        try:
            self._kernel.unlink(str(self))
        except FileNotFoundError:
            if not missing_ok:
                raise

    def rename(self, target) -> "KPath":
        self._kernel.rename(str(self), os.fspath(target))
        return self._new(PurePosixPath(os.fspath(target)))

    replace = rename

    def symlink_to(self, target, target_is_directory: bool = False) -> None:
        self._kernel.symlink(os.fspath(target), str(self))

    def hardlink_to(self, target) -> None:
        self._kernel.link(os.fspath(target), str(self))

    def readlink(self) -> "KPath":
        return self._new(PurePosixPath(self._kernel.readlink(str(self))))

    def chmod(self, mode: int, *, follow_symlinks: bool = True) -> None:
        self._kernel.chmod(str(self), mode, follow_symlinks=follow_symlinks)
