"""The RUMPSP 0.4 wire format, sans-IO: frames, banner and handshake bodies.

Nothing here touches a socket. Both the server and the client build frames with
the encoders and turn received bytes into frames with :class:`Decoder`, which
takes bytes split at any point and never allocates a frame's advertised size
before those bytes have actually arrived.
"""
from __future__ import annotations

import struct
from typing import NamedTuple

PROTOMAJOR = 0
PROTOMINOR = 4
HDRSZ = 24
MAXBANNER = 96
AUTHLEN = 16  # bytes in a prefork cookie

# Default ceiling on one frame: a 64 MiB copy plus its header and copy descriptor.
DEFAULT_MAX_FRAME = 64 * 1024 * 1024 + 4096

HEADER = struct.Struct("<QQHHI")        # len, reqno, class, type, union
_SYSRESP = struct.Struct("<QQHHIi4xQQ")  # header + error, pad, retval[0], retval[1]
_SYSRESPBODY = struct.Struct("<i4xqq")   # the body alone, retvals signed
_HSRESP = struct.Struct("<QQHHIi")       # header + int error
_COPYREQ = struct.Struct("<QQHHIQQ")     # header + len, addr
_U64 = struct.Struct("<Q")
_FORKBODY = struct.Struct("<16si")

# Frame classes.
REQ, RESP, ERROR = 0, 1, 2
# Frame types.
HANDSHAKE, SYSCALL, COPYIN, COPYINSTR, COPYOUT, COPYOUTSTR, ANONMMAP, PREFORK, RAISE = range(9)
TYPE_NAMES = ("HANDSHAKE", "SYSCALL", "COPYIN", "COPYINSTR", "COPYOUT", "COPYOUTSTR",
              "ANONMMAP", "PREFORK", "RAISE", "SYSCALL_INLINE")
# sysproxy extension (docs/PROTOCOL-EXTENSIONS.md): a SYSCALL carrying the call's
# input buffers. Only sent to a server that advertised EXT_TAG; never to NetBSD's.
SYSCALL_INLINE = 9
# Handshake kinds (the union field of a HANDSHAKE request).
HANDSHAKE_GUEST, HANDSHAKE_AUTH, HANDSHAKE_FORK, HANDSHAKE_EXEC = 0, 1, 2, 3

# Error codes carried in an ERROR frame, and the NetBSD errno each one becomes.
ERR_NONE, ERR_TRYAGAIN, ERR_AUTH, ERR_INVALID_PREFORK, ERR_RFORK_FAILED = 0, 1, 2, 3, 4
ERR_INEXEC, ERR_NOMEM, ERR_MALFORMED_REQUEST = 5, 6, 7
ERROR_ERRNO = {ERR_NONE: 0, ERR_TRYAGAIN: 35, ERR_AUTH: 1, ERR_INVALID_PREFORK: 3,
               ERR_RFORK_FAILED: 5, ERR_INEXEC: 16, ERR_NOMEM: 12,
               ERR_MALFORMED_REQUEST: 22}

_MASK64 = (1 << 64) - 1


class ProtocolError(Exception):
    """The peer broke the framing; the connection cannot continue."""


class Frame(NamedTuple):
    reqno: int
    cls: int
    type: int
    union: int  # sysnum, error, handshake kind or signo, by frame type
    body: bytes


# Frame(...) without the NamedTuple's Python-level __new__ (the decoder's hot path):
# _new_frame(Frame, (reqno, cls, type, union, body)).
_new_frame = tuple.__new__


# ----- banner -----------------------------------------------------------------

def banner(ostype: str = "NetBSD", osrelease: str = "7.99.34", machine: str = "amd64") -> bytes:
    """The line a server writes right after accepting, in one write."""
    line = f"RUMPSP-{PROTOMAJOR}.{PROTOMINOR}-{ostype}-{osrelease}/{machine}\n".encode()
    if len(line) > MAXBANNER:
        raise ValueError("banner longer than 96 bytes")
    return line


class Banner(NamedTuple):
    major: int
    minor: int
    ostype: str
    osrelease: str
    machine: str


def parse_banner(data: bytes) -> Banner:
    """Parse a banner line as the C client does; ProtocolError if malformed."""
    if not data.endswith(b"\n") or len(data) > MAXBANNER:
        raise ProtocolError("banner is not one line of at most 96 bytes")
    try:
        text = data[:-1].decode("ascii")
        proto, version, ostype, rest = text.split("-", 3)
        major, minor = (int(x) for x in version.split("."))
        osrelease, machine = rest.rsplit("/", 1)
    except ValueError as e:
        raise ProtocolError(f"malformed banner {data!r}") from e
    if proto != "RUMPSP":
        raise ProtocolError(f"not a RUMPSP banner: {data!r}")
    return Banner(major, minor, ostype, osrelease, machine)


# ----- encoders ---------------------------------------------------------------

def header(length: int, reqno: int, cls: int, typ: int, union: int = 0) -> bytes:
    return HEADER.pack(length, reqno & _MASK64, cls, typ, union & 0xFFFFFFFF)


def frame(reqno: int, cls: int, typ: int, union: int = 0, body: bytes = b"") -> bytes:
    return header(HDRSZ + len(body), reqno, cls, typ, union) + body


def error_frame(reqno: int, code: int) -> bytes:
    """ERROR frames are header-only and carry type 0, whatever they answer."""
    return HEADER.pack(HDRSZ, reqno & _MASK64, ERROR, 0, code)


def handshake_request(reqno: int, kind: int, body: bytes = b"") -> bytes:
    return frame(reqno, REQ, HANDSHAKE, kind, body)


def guest_body(name: str | bytes, offer: bool = False) -> bytes:
    """A GUEST/EXEC body: the name and its NUL, then (``offer``) the extension tag.

    NetBSD's server takes the name up to its NUL and ignores the rest.
    """
    if isinstance(name, str):
        name = name.encode()
    return name + b"\0" + EXT_TAG if offer else name + b"\0"


def handshake_response(reqno: int, error: int = 0, ext: bool = False) -> bytes:
    """The int error; with ``ext`` followed by EXT_TAG (only for a client that offered it)."""
    if ext:
        return _HSRESP.pack(HDRSZ + 4 + len(EXT_TAG), reqno, RESP, HANDSHAKE, 0,
                            error) + EXT_TAG
    return _HSRESP.pack(HDRSZ + 4, reqno, RESP, HANDSHAKE, 0, error)


def fork_body(cookie: bytes, cancel: bool = False) -> bytes:
    return _FORKBODY.pack(cookie, 1 if cancel else 0)


def parse_fork_body(body: bytes) -> tuple[bytes, int]:
    if len(body) != _FORKBODY.size:
        raise ProtocolError("FORK handshake body must be 20 bytes")
    cookie, cancel = _FORKBODY.unpack(body)
    return cookie, cancel


def syscall_request(reqno: int, sysnum: int, args: bytes) -> bytes:
    return header(HDRSZ + len(args), reqno, REQ, SYSCALL, sysnum) + args


def syscall_response(reqno: int, error: int, rv0: int = 0, rv1: int = 0) -> bytes:
    """A SYSCALL reply; retvals are register_t, so -1 and 2**64-1 encode alike."""
    return _SYSRESP.pack(HDRSZ + 24, reqno, RESP, SYSCALL, 0, error,
                         rv0 & _MASK64, rv1 & _MASK64)


def parse_syscall_response(body: bytes) -> tuple[int, int, int]:
    """(error, retval0, retval1) from a SYSCALL RESP body (retvals as signed register_t)."""
    if len(body) < 24:
        raise ProtocolError("short SYSCALL response")
    return _SYSRESPBODY.unpack_from(body)


def prefork_response(reqno: int, cookie: bytes) -> bytes:
    return frame(reqno, RESP, PREFORK, 0, cookie)


def copy_request(reqno: int, typ: int, length: int, addr: int) -> bytes:
    """A COPYIN or COPYINSTR request (the server asks for client memory)."""
    return _COPYREQ.pack(HDRSZ + 16, reqno, REQ, typ, 0, length, addr)


def copyout_header(reqno: int, addr: int, length: int, typ: int = COPYOUT) -> bytes:
    """Header and copy descriptor of a COPYOUT; the data follows it on the wire."""
    return _COPYREQ.pack(HDRSZ + 16 + length, reqno, REQ, typ, 0, length, addr)


def parse_copy_request(body: bytes) -> tuple[int, int]:
    """(len, addr) of a COPYIN/COPYINSTR/COPYOUT request body."""
    if len(body) < 16:
        raise ProtocolError("short copy request")
    return _COPYREQ.unpack_from(b"\0" * HDRSZ + body[:16])[5:]


def copy_response(reqno: int, data: bytes) -> bytes:
    """The client's answer to COPYIN and COPYINSTR alike: RESP of type COPYIN."""
    return header(HDRSZ + len(data), reqno, RESP, COPYIN) + data


def anonmmap_request(reqno: int, size: int) -> bytes:
    return frame(reqno, REQ, ANONMMAP, 0, _U64.pack(size))


def anonmmap_response(reqno: int, addr: int) -> bytes:
    return frame(reqno, RESP, ANONMMAP, 0, _U64.pack(addr))


def parse_u64(body: bytes) -> int:
    if len(body) < 8:
        raise ProtocolError("short 8-byte body")
    return _U64.unpack_from(body)[0]


def raise_request(signo: int, reqno: int = 0) -> bytes:
    return HEADER.pack(HDRSZ, reqno, REQ, RAISE, signo)


def prefork_request(reqno: int) -> bytes:
    return HEADER.pack(HDRSZ, reqno, REQ, PREFORK, 0)


# ----- the sysproxy extension (docs/PROTOCOL-EXTENSIONS.md) -----------------------

EXT_TAG = b"SPX1"        # offered after the name's NUL, echoed after the reply's int
INLINE_MAX_RECORDS = 64  # input buffers one SYSCALL_INLINE may carry
_INLINE_HEAD = struct.Struct("<II")   # argument block length, reserved (0)
_RECORD = struct.Struct("<QQ")        # address, length; then the data, padded to 8
_PAD = bytes(8)


def offers_extension(body: bytes) -> bool:
    """Whether a GUEST/EXEC body offers the extension (EXT_TAG after the name's NUL)."""
    nul = body.find(b"\0")
    return nul >= 0 and EXT_TAG in body[nul + 1:].split(b"\0")


def accepts_extension(body: bytes) -> bool:
    """Whether a handshake reply body (int error, then tags) carries EXT_TAG."""
    return len(body) > 4 and EXT_TAG in body[4:].split(b"\0")


def syscall_inline_request(reqno: int, sysnum: int, args: bytes,
                           records: list[tuple[int, bytes | bytearray | memoryview]]) -> bytes:
    """A SYSCALL_INLINE request: the argument block plus (address, data) input records."""
    parts: list[bytes | bytearray | memoryview] = [b"", _INLINE_HEAD.pack(len(args), 0), args]
    size = HDRSZ + 8 + len(args)
    if len(args) & 7:
        parts.append(_PAD[len(args) & 7:])
        size += 8 - (len(args) & 7)
    if len(records) > INLINE_MAX_RECORDS:
        raise ValueError(f"more than {INLINE_MAX_RECORDS} inline records")
    pack = _RECORD.pack
    for addr, data in records:
        n = len(data)
        parts.append(pack(addr, n))
        parts.append(data)
        size += 16 + n
        if n & 7:
            parts.append(_PAD[n & 7:])
            size += 8 - (n & 7)
    parts[0] = header(size, reqno, REQ, SYSCALL_INLINE, sysnum)
    return b"".join(parts)


def parse_syscall_inline(body: bytes) -> tuple[bytes, list[tuple[int, int, memoryview]]]:
    """(argument block, [(addr, end, data)]) of a SYSCALL_INLINE body.

    ProtocolError for anything malformed: lengths past the body, padding
    missing, a zero-length or wrapping range, overlapping ranges, a nonzero
    reserved field or too many records. The data are views of ``body``.
    """
    size = len(body)
    if size < 8:
        raise ProtocolError("SYSCALL_INLINE body shorter than its 8-byte head")
    arglen, reserved = _INLINE_HEAD.unpack_from(body)
    if reserved:
        raise ProtocolError("SYSCALL_INLINE reserved field is not 0")
    pos = 8 + ((arglen + 7) & ~7)
    if pos > size:
        raise ProtocolError("SYSCALL_INLINE argument block runs past the frame")
    view = memoryview(body)
    args = bytes(view[8:8 + arglen])
    if size - pos >= 16:
        # The common case, one record (a path) filling the rest: checked in one go.
        addr, n = _RECORD.unpack_from(body, pos)
        if 0 < n and pos + 16 + ((n + 7) & ~7) == size and addr + n <= _MASK64 + 1:
            return args, [(addr, addr + n, view[pos + 16:pos + 16 + n])]
    records: list[tuple[int, int, memoryview]] = []
    unpack = _RECORD.unpack_from
    while pos < size:
        if len(records) >= INLINE_MAX_RECORDS:
            raise ProtocolError(f"more than {INLINE_MAX_RECORDS} inline records")
        if size - pos < 16:
            raise ProtocolError("truncated inline record header")
        addr, n = unpack(body, pos)
        pos += 16
        if n == 0 or n > size - pos or addr + n > _MASK64 + 1:
            raise ProtocolError(f"bad inline record {addr:#x}+{n}")
        records.append((addr, addr + n, view[pos:pos + n]))
        pos += (n + 7) & ~7
        if pos > size:
            raise ProtocolError("inline record padding runs past the frame")
    if len(records) > 1:
        ranges = sorted((a, e) for a, e, _ in records)
        for (_, end), (start, _) in zip(ranges, ranges[1:], strict=False):
            if start < end:
                raise ProtocolError("overlapping inline records")
    return args, records


def _signed64(v: int) -> int:
    v &= _MASK64
    return v - (1 << 64) if v >> 63 else v


# ----- decoder ----------------------------------------------------------------

class Decoder:
    """Incremental frame decoder.

    ``feed(data)`` returns every frame completed by ``data``. A length field
    below 24 or above ``max_frame`` raises ProtocolError, and so does every
    later feed: the stream cannot be resynchronised.
    """

    __slots__ = ("max_frame", "_buf", "_error")

    def __init__(self, max_frame: int = DEFAULT_MAX_FRAME) -> None:
        self.max_frame = max_frame
        self._buf = bytearray()
        self._error: str | None = None

    @property
    def buffered(self) -> int:
        return len(self._buf)

    @property
    def wanted(self) -> int:
        """Bytes still missing from the frame being assembled (0 if none is known)."""
        buf = self._buf
        if len(buf) < HDRSZ:
            return 0
        return max(0, _U64.unpack_from(buf)[0] - len(buf))

    def feed(self, data: bytes | bytearray | memoryview) -> list[Frame]:
        """The frames ``data`` completes. ``data`` may be a view of a buffer the
        caller reuses: every frame body is a copy, and so is what is kept."""
        if self._error is not None:
            raise ProtocolError(self._error)
        buf = self._buf
        if not buf and len(data) >= HDRSZ:
            # the common case: exactly one whole frame arrived
            length, reqno, cls, typ, union = HEADER.unpack_from(data)
            if length == len(data) and length <= self.max_frame:
                return [_new_frame(Frame, (reqno, cls, typ, union, bytes(data[HDRSZ:])))]
        held: memoryview | None = None
        if buf:
            buf += data
            # frames are cut from a view of it: one copy each (a slice of the
            # bytearray would be a second one, which shows for 64 KiB frames)
            held = memoryview(buf)
            view: bytes | bytearray | memoryview = held
        else:
            view = data
        frames: list[Frame] = []
        pos = 0
        end = len(view)
        unpack = HEADER.unpack_from
        while end - pos >= HDRSZ:
            length, reqno, cls, typ, union = unpack(view, pos)
            if length < HDRSZ or length > self.max_frame:
                self._error = (f"frame length {length} out of range "
                               f"[{HDRSZ}, {self.max_frame}]")
                if held is not None:
                    held.release()
                self._buf = bytearray()
                raise ProtocolError(self._error)
            if end - pos < length:
                break
            frames.append(_new_frame(Frame, (reqno, cls, typ, union,
                                             bytes(view[pos + HDRSZ:pos + length]))))
            pos += length
        if held is not None:
            held.release()
            del buf[:pos]
        elif pos < end:
            buf += view[pos:]
        return frames
