"""Exceptions the client raises.

A failed system call raises :class:`KernelError`, an OSError whose ``errno`` is
the host's number (so ``except FileNotFoundError`` and ``e.errno ==
errno.ENOENT`` work as with :mod:`os`) and whose ``netbsd_errno`` is the number
the kernel sent. For each builtin OSError subclass there is a KernelError
subclass deriving from both, e.g. ``KernelFileNotFoundError(KernelError,
FileNotFoundError)``, so callers can tell kernel failures from host ones.
"""
from __future__ import annotations

import errno as _herrno
import os
from typing import Any

from sysproxy.abi import errno as nberrno

__all__ = ["KernelError", "ConnectionLost", "ServerProtocolError", "kernel_error",
           "error_class"]


class KernelError(OSError):
    """A system call served by the rump kernel failed."""

    netbsd_errno: int = 0

    def __reduce__(self) -> tuple[Any, ...]:  # keep netbsd_errno across pickling
        return (_rebuild, (type(self), self.args, self.filename, self.filename2,
                           self.netbsd_errno))


def _rebuild(cls: type[KernelError], args: tuple[Any, ...], filename: Any, filename2: Any,
             nb: int) -> KernelError:
    if len(args) == 2 and filename2 is not None:
        e = cls(*args, filename, None, filename2)
    elif len(args) == 2 and filename is not None:
        e = cls(*args, filename)
    else:
        e = cls(*args)
    e.netbsd_errno = nb
    return e


class ConnectionLost(KernelError, ConnectionError):
    """The connection to the server is gone (ENOTCONN); the call did not complete."""


class ServerProtocolError(KernelError, ConnectionError):
    """The server broke the wire protocol; the connection was dropped."""


# Host errno -> builtin OSError subclass, the mapping OSError() itself applies.
_BUILTIN: dict[int, type[OSError]] = {}
for _cls in (BlockingIOError, ChildProcessError, ConnectionAbortedError,
             ConnectionRefusedError, ConnectionResetError, BrokenPipeError,
             FileExistsError, FileNotFoundError, InterruptedError, IsADirectoryError,
             NotADirectoryError, PermissionError, ProcessLookupError, TimeoutError):
    for _name in ("EAGAIN", "EALREADY", "EWOULDBLOCK", "EINPROGRESS", "ECHILD",
                  "ECONNABORTED", "ECONNREFUSED", "ECONNRESET", "EPIPE", "ESHUTDOWN",
                  "EEXIST", "ENOENT", "EINTR", "EISDIR", "ENOTDIR", "EACCES", "EPERM",
                  "ESRCH", "ETIMEDOUT"):
        _num = getattr(_herrno, _name, None)
        if _num is not None and type(OSError(_num, "")) is _cls:
            _BUILTIN[_num] = _cls

_CLASSES: dict[type[OSError], type[KernelError]] = {}
for _base in set(_BUILTIN.values()):
    _name = "Kernel" + _base.__name__
    _CLASSES[_base] = globals()[_name] = type(
        _name, (KernelError, _base),
        {"__doc__": f"A kernel call failed with {_base.__name__}'s errno.",
         "__module__": __name__})
    __all__.append(_name)


def error_class(host_errno: int) -> type[KernelError]:
    """The KernelError subclass for a host errno (KernelError itself if no builtin fits)."""
    base = _BUILTIN.get(host_errno)
    if base is None:
        return ConnectionLost if host_errno == _herrno.ENOTCONN else KernelError
    return _CLASSES[base]


def kernel_error(netbsd_errno: int, filename: object = None,
                 filename2: object = None) -> KernelError:
    """Build the exception for a NetBSD errno, translated to the host's number."""
    host = nberrno.to_host(netbsd_errno)
    cls = error_class(host)
    msg = os.strerror(host)
    if filename2 is not None:
        e = cls(host, msg, filename, None, filename2)
    elif filename is not None:
        e = cls(host, msg, filename)
    else:
        e = cls(host, msg)
    e.netbsd_errno = netbsd_errno
    return e


def connection_lost(why: str = "connection to the rump kernel lost") -> ConnectionLost:
    e = ConnectionLost(_herrno.ENOTCONN, why)
    e.netbsd_errno = nberrno.ENOTCONN
    return e


def protocol_error(why: str) -> ServerProtocolError:
    e = ServerProtocolError(_herrno.EPROTO, why)
    e.netbsd_errno = nberrno.EPROTO
    return e
