"""Real Python file objects over kernel descriptors.

:class:`KernelFileIO` is an ``io.RawIOBase`` (like ``io.FileIO``), so the
standard ``io.BufferedReader``/``BufferedWriter``/``BufferedRandom`` and
``TextIOWrapper`` stack on it and give buffering, text mode, newlines and
``with`` support. :func:`open_file` builds that stack as :func:`io.open` does.
"""
from __future__ import annotations

import io
import os
import stat as _stat

from sysproxy.abi import errno as nberrno

from .errors import kernel_error

__all__ = ["KernelFileIO", "open_file"]

DEFAULT_BUFFER_SIZE = 64 * 1024   # each raw read/write is a round trip: go big


class KernelFileIO(io.RawIOBase):
    """Unbuffered binary I/O on a descriptor of the rump kernel."""

    def __init__(self, kernel, file, mode: str = "r", closefd: bool = True) -> None:
        super().__init__()
        self._kernel = kernel
        self._fd = -1
        self.mode, flags, self._readable, self._writable, self._append = _raw_mode(mode)
        own = False
        if isinstance(file, int):
            if file < 0:
                raise ValueError("negative file descriptor")
            self._fd = file
            self.name = file
        else:
            if not closefd:
                raise ValueError("cannot use closefd=False with file name")
            self.name = file
            self._fd = kernel.open(file, flags | os.O_CLOEXEC, 0o666)
            own = True
        self._closefd = closefd
        try:
            if _stat.S_ISDIR(kernel.fstat(self._fd).st_mode):  # as io.FileIO does
                raise kernel_error(nberrno.EISDIR, file)
        except BaseException:
            if own:
                fd, self._fd = self._fd, -1
                kernel.close(fd)
            raise
        if self._append:
            kernel.lseek(self._fd, 0, os.SEEK_END)

    def __repr__(self) -> str:
        if self.closed:
            return "<KernelFileIO [closed]>"
        return f"<KernelFileIO name={self.name!r} mode={self.mode!r} fd={self._fd}>"

    @property
    def kernel_fd(self) -> int:
        """The descriptor number in the kernel process (not a host descriptor)."""
        return self._fd

    def fileno(self) -> int:
        raise io.UnsupportedOperation("a kernel descriptor is not a host descriptor; "
                                      "use .kernel_fd")

    def _check(self) -> None:
        if self.closed:
            raise ValueError("I/O operation on closed file")

    def readable(self) -> bool:
        self._check()
        return self._readable

    def writable(self) -> bool:
        self._check()
        return self._writable

    def seekable(self) -> bool:
        self._check()
        try:
            self._kernel.lseek(self._fd, 0, os.SEEK_CUR)
        except OSError:
            return False
        return True

    def isatty(self) -> bool:
        self._check()
        return False

    def readinto(self, b) -> int:
        self._check()
        if not self._readable:
            raise io.UnsupportedOperation("File not open for reading")
        return self._kernel.readinto(self._fd, b)

    def readall(self) -> bytes:
        """Read to EOF in large chunks (fewer round trips than the default)."""
        self._check()
        if not self._readable:
            raise io.UnsupportedOperation("File not open for reading")
        chunks = []
        while True:
            data = self._kernel.read(self._fd, DEFAULT_BUFFER_SIZE)
            if not data:
                break
            chunks.append(data)
        return b"".join(chunks)

    def write(self, b) -> int:
        self._check()
        if not self._writable:
            raise io.UnsupportedOperation("File not open for writing")
        return self._kernel.write(self._fd, b)

    def seek(self, pos: int, whence: int = os.SEEK_SET) -> int:
        self._check()
        return self._kernel.lseek(self._fd, pos, whence)

    def tell(self) -> int:
        self._check()
        return self._kernel.lseek(self._fd, 0, os.SEEK_CUR)

    def truncate(self, size: int | None = None) -> int:
        self._check()
        if size is None:
            size = self.tell()
        self._kernel.ftruncate(self._fd, size)
        return size

    def close(self) -> None:
        if not self.closed:
            try:
                super().close()
            finally:
                if self._closefd and self._fd >= 0:
                    fd, self._fd = self._fd, -1
                    self._kernel.close(fd)


def _raw_mode(mode: str) -> tuple[str, int, bool, bool, bool]:
    """'r', 'w', 'a', 'x' with optional '+' -> (normalised mode, flags, r, w, append)."""
    modes = set(mode)
    if modes - set("rwaxb+") or len(mode) != len(modes):
        raise ValueError(f"invalid mode: {mode!r}")
    kinds = modes & set("rwax")
    if len(kinds) != 1:
        raise ValueError("Must have exactly one of create/read/write/append mode")
    kind = kinds.pop()
    plus = "+" in modes
    flags = {"r": 0, "w": os.O_CREAT | os.O_TRUNC, "a": os.O_CREAT | os.O_APPEND,
             "x": os.O_CREAT | os.O_EXCL}[kind]
    readable = kind == "r" or plus
    writable = kind != "r" or plus
    flags |= os.O_RDWR if readable and writable else os.O_WRONLY if writable else os.O_RDONLY
    # The mode io.FileIO reports: 'w+' reads back as 'rb+' (CPython's mode_string).
    if kind == "x":
        norm = "xb+" if readable else "xb"
    elif kind == "a":
        norm = "ab+" if readable else "ab"
    elif readable:
        norm = "rb+" if writable else "rb"
    else:
        norm = "wb"
    return norm, flags, readable, writable, kind == "a"


def open_file(kernel, file, mode: str = "r", buffering: int = -1,
              encoding: str | None = None, errors: str | None = None,
              newline: str | None = None, closefd: bool = True):
    """io.open() for a kernel path or descriptor: a real io object of the right class."""
    modes = set(mode)
    if modes - set("rwaxbt+") or len(mode) != len(modes):
        raise ValueError(f"invalid mode: {mode!r}")
    text = "b" not in modes
    if "t" in modes and not text:
        raise ValueError("can't have text and binary mode at once")
    if not text and (encoding is not None or errors is not None or newline is not None):
        raise ValueError("binary mode doesn't take an encoding, errors or newline argument")
    raw = KernelFileIO(kernel, file, mode.replace("t", "").replace("b", ""), closefd)
    result: io.IOBase = raw
    try:
        line_buffering = buffering == 1
        if buffering == 1 or buffering < 0:
            buffering = DEFAULT_BUFFER_SIZE
        if buffering == 0:
            if text:
                raise ValueError("can't have unbuffered text I/O")
            return raw
        buffer: io.BufferedIOBase
        if raw.readable() and raw.writable():
            buffer = io.BufferedRandom(raw, buffering)
        elif raw.writable():
            buffer = io.BufferedWriter(raw, buffering)
        else:
            buffer = io.BufferedReader(raw, buffering)
        result = buffer
        if not text:
            return buffer
        result = io.TextIOWrapper(buffer, io.text_encoding(encoding), errors, newline,
                                  line_buffering)
        # io.open sets it too; typeshed declares IO.mode a read-only property
        result.mode = mode  # type: ignore[misc]
        return result
    except BaseException:
        result.close()
        raise
