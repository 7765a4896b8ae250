"""Server addresses (``RUMP_SERVER`` URLs), parsed as librumpuser's parseurl does.

Forms (PROTOCOL.md section 1):

* ``unix://PATH``: AF_UNIX; a relative PATH is made absolute against the current
  directory; the absolute path must fit ``sun_path`` (107 bytes + NUL), else
  ENAMETOOLONG.
* ``tcp://ADDR:PORT[/anything]``: AF_INET, ADDR dotted IPv4; ``*`` or ``0`` is
  INADDR_ANY, allowed only for a server (EINVAL for a client). PORT is digits
  only; a value over 65535 is ERANGE, as in the C code.
* ``tcp6://[ADDR]:PORT[/anything]``: AF_INET6 (ours; the C code refuses it).
  ``[::]`` is the wildcard, again only for a server.

Every other input is EINVAL. Errors are :class:`URLError`, an OSError (so it has
``.errno``, a host errno) that is also a ValueError, with a message naming the
problem and the URL.
"""
from __future__ import annotations

import errno
import os
import socket
from typing import Any, NamedTuple

__all__ = ["Address", "URLError", "parse", "SUN_PATH_MAX"]

SUN_PATH_MAX = 107   # usable bytes of sockaddr_un.sun_path (108 with the NUL)
_SCHEME_MAX = 15     # the C parser's id[16] buffer
_TCP_ADDR_MAX = 63   # the C parser's buf[64] for the address part
_SCHEMES = ("tcp", "unix", "tcp6")


class URLError(OSError, ValueError):
    """A server URL that cannot be used; ``.errno`` says why (host errno)."""


def _fail(code: int, what: str, url: str) -> URLError:
    return URLError(code, f"{what} in server URL {url!r}")


class Address(NamedTuple):
    """A parsed server address: what to give socket(), bind() and connect()."""

    family: int
    sockaddr: str | tuple[Any, ...]  # a path, or (host, port[, flowinfo, scope_id])
    url: str                  # normalised form, e.g. unix:///abs/path
    path: str | None = None   # unix only: the absolute socket path
    host: str | None = None   # tcp/tcp6 only: numeric address
    port: int | None = None   # tcp/tcp6 only

    @property
    def is_unix(self) -> bool:
        return self.family == socket.AF_UNIX

    def make_socket(self) -> socket.socket:
        """A stream socket of this family; TCP_NODELAY set for tcp, as the C code does."""
        s = socket.socket(self.family, socket.SOCK_STREAM)
        if self.family != socket.AF_UNIX:
            try:
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass
        return s

    def __str__(self) -> str:
        return self.url


def parse(url: str, server: bool = False) -> Address:
    """Parse a server URL; ``server`` allows the INADDR_ANY wildcard."""
    if not isinstance(url, str):
        raise TypeError(f"server URL must be str, not {type(url).__name__}")
    sep = url.find("://")
    if sep < 0:
        raise _fail(errno.EINVAL, "no '://' (invalid locator)", url)
    scheme = url[:sep]
    if len(scheme) > _SCHEME_MAX:
        raise _fail(errno.EINVAL, "scheme longer than 15 characters", url)
    rest = url[sep + 3:]
    if scheme == "unix":
        return _parse_unix(rest, url)
    if scheme == "tcp":
        return _parse_tcp(rest, url, server)
    if scheme == "tcp6":
        return _parse_tcp6(rest, url, server)
    raise _fail(errno.EINVAL, f"unknown scheme {scheme!r} (want one of {', '.join(_SCHEMES)})",
                url)


def _parse_unix(path: str, url: str) -> Address:
    if not path:
        raise _fail(errno.EINVAL, "empty socket path", url)
    if "\0" in path:
        raise _fail(errno.EINVAL, "NUL in socket path", url)
    if not path.startswith("/"):
        path = os.path.join(os.getcwd(), path)
    if len(os.fsencode(path)) > SUN_PATH_MAX:
        raise _fail(errno.ENAMETOOLONG,
                    f"socket path longer than {SUN_PATH_MAX} bytes ({path!r})", url)
    return Address(socket.AF_UNIX, path, "unix://" + path, path=path)


def _parse_port(text: str, url: str) -> int:
    """PORT = digits, then end or '/' and anything (the C strspn rule)."""
    n = 0
    while n < len(text) and text[n] in "0123456789":
        n += 1
    if n == 0:
        raise _fail(errno.EINVAL, "missing port number", url)
    if n < len(text) and text[n] != "/":
        raise _fail(errno.EINVAL, f"junk after port {text[n:]!r}", url)
    port = int(text[:n])
    if port > 65535:
        raise _fail(errno.ERANGE, f"port {port} out of range 0..65535", url)
    return port


def _parse_tcp(rest: str, url: str, server: bool) -> Address:
    colon = rest.find(":")
    if colon < 0:
        raise _fail(errno.EINVAL, "missing port specifier", url)
    host = rest[:colon]
    if len(host) > _TCP_ADDR_MAX:
        raise _fail(errno.EINVAL, "address too long", url)
    if host in ("*", "0"):
        host = "0.0.0.0"
    else:
        try:
            socket.inet_pton(socket.AF_INET, host)
        except (OSError, ValueError):
            raise _fail(errno.EINVAL, f"cannot parse IPv4 address {host!r}", url) from None
    if host == "0.0.0.0" and not server:
        raise _fail(errno.EINVAL, "a client needs a specific address, not INADDR_ANY", url)
    port = _parse_port(rest[colon + 1:], url)
    return Address(socket.AF_INET, (host, port), f"tcp://{host}:{port}", host=host, port=port)


def _parse_tcp6(rest: str, url: str, server: bool) -> Address:
    if not rest.startswith("["):
        raise _fail(errno.EINVAL, "IPv6 address must be in brackets: tcp6://[ADDR]:PORT", url)
    close = rest.find("]")
    if close < 0:
        raise _fail(errno.EINVAL, "missing ']' after IPv6 address", url)
    host = rest[1:close]
    if not rest.startswith(":", close + 1):
        raise _fail(errno.EINVAL, "missing port specifier", url)
    port = _parse_port(rest[close + 2:], url)
    try:
        infos = socket.getaddrinfo(host, port, socket.AF_INET6, socket.SOCK_STREAM, 0,
                                   socket.AI_NUMERICHOST)
    except (OSError, UnicodeError):
        raise _fail(errno.EINVAL, f"cannot parse IPv6 address {host!r}", url) from None
    sockaddr = infos[0][4]
    if sockaddr[0] == "::" and not server:
        raise _fail(errno.EINVAL, "a client needs a specific address, not the wildcard", url)
    return Address(socket.AF_INET6, sockaddr, f"tcp6://[{host}]:{port}", host=host, port=port)
