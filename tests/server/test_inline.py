"""The sysproxy extension against a real server, in raw frames (docs/PROTOCOL-EXTENSIONS.md).

Negotiation in the GUEST/EXEC handshake, SYSCALL_INLINE serving copies from its
records with no round trip, falling back to COPYIN/COPYINSTR for what the
records do not cover, and malformed records answered MALFORMED_REQUEST with the
connection and the server still up.
"""
from __future__ import annotations

import struct

import pytest

from support.rawclient import RawClient
from support.server import ServerProcess
from sysproxy import wire
from sysproxy.abi.syscalls import BY_NAME
from sysproxy.server.inline import InlineContext

EINVAL, ENOSYS, ENAMETOOLONG = 22, 78, 63
STAT_SIZE = 152


def _inline(c: RawClient, name: str, args: list[int], records) -> tuple[int, int, int]:
    """One SYSCALL_INLINE; (errno, rv0, rv1), serving the server's copy requests."""
    r = c.next_reqno()
    body = struct.pack(f"<{len(args)}Q", *(a & (2**64 - 1) for a in args))
    c.send(wire.syscall_inline_request(r, BY_NAME[name], body, records))
    return c.result(r)


def _copies(c: RawClient) -> list[int]:
    """Types of the server's COPYIN/COPYINSTR requests since the last look."""
    types = [f.type for f in c.copies if f.type in (wire.COPYIN, wire.COPYINSTR)]
    c.copies.clear()
    return types


def _sysctl_args(c: RawClient, mib: list[int], size: int = 64):
    m = c.mem
    namebuf = struct.pack(f"<{len(mib)}i", *mib)
    lenbuf = struct.pack("<Q", size)
    name, old, oldlen = m.buf(namebuf), m.out(size), m.buf(lenbuf)
    return [name, len(mib), old, oldlen, 0, 0], (name, namebuf), (oldlen, lenbuf), old


# ----- negotiation ----------------------------------------------------------------

def test_plain_guest_gets_the_plain_four_byte_reply(server: ServerProcess) -> None:
    c = RawClient(server.url, handshake=False)
    c.send(wire.handshake_request(1, wire.HANDSHAKE_GUEST, b"plain\0"))
    f = c.wait_for(1)
    assert (f.cls, f.body) == (wire.RESP, b"\0\0\0\0")  # what the C client expects
    c.close()


def test_offer_in_guest_is_echoed_and_the_name_ends_at_the_nul(server: ServerProcess) -> None:
    c = RawClient(server.url, handshake=False)
    c.send(wire.handshake_request(1, wire.HANDSHAKE_GUEST, wire.guest_body("ext", True)))
    f = c.wait_for(1)
    assert f.cls == wire.RESP and f.body == b"\0\0\0\0" + wire.EXT_TAG
    assert wire.accepts_extension(f.body)
    assert c.call("getpid")[0] == 0
    c.close()


def test_offer_in_exec_is_echoed(server: ServerProcess) -> None:
    c = RawClient(server.url)  # a plain GUEST (as a C program that then execs us)
    r = c.next_reqno()
    c.send(wire.handshake_request(r, wire.HANDSHAKE_EXEC, wire.guest_body("py", True)))
    assert c.wait_for(r).body == b"\0\0\0\0" + wire.EXT_TAG
    r = c.next_reqno()
    c.send(wire.handshake_request(r, wire.HANDSHAKE_EXEC, wire.guest_body("c-again")))
    assert c.wait_for(r).body == b"\0\0\0\0"
    c.close()


def test_unknown_tags_are_not_an_offer() -> None:
    assert not wire.offers_extension(b"name\0")
    assert not wire.offers_extension(b"name")  # no NUL: all name
    assert not wire.offers_extension(b"SPX1")
    assert not wire.offers_extension(b"name\0SPX2")
    assert wire.offers_extension(b"name\0other\0SPX1")
    assert not wire.accepts_extension(b"\0\0\0\0")
    assert not wire.accepts_extension(b"SPX1")


# ----- round trips saved -------------------------------------------------------------

def test_stat_path_inline_needs_no_copyinstr(client: RawClient) -> None:
    m = client.mem
    path = b"/dev/null\0"
    p, out = m.buf(path), m.out(STAT_SIZE)
    assert client.call("__stat50", p, out)[0] == 0
    assert _copies(client) == [wire.COPYINSTR]
    plain = m.get(out, STAT_SIZE)
    out2 = m.out(STAT_SIZE)
    assert _inline(client, "__stat50", [p, out2], [(p, path)])[0] == 0
    assert _copies(client) == []  # the path came with the request
    assert m.get(out2, STAT_SIZE) == plain


def test_sysctl_two_input_buffers_inline(client: RawClient) -> None:
    args, name, oldlen, old = _sysctl_args(client, [1, 1])
    assert _inline(client, "__sysctl", args, [name, oldlen])[0] == 0
    assert _copies(client) == []
    assert client.mem.get(old, 7) == b"NetBSD\0"
    assert struct.unpack("<Q", client.mem.get(oldlen[0], 8))[0] == 7  # COPYOUT still sent


def test_a_range_not_covered_falls_back_to_copyin(client: RawClient) -> None:
    args, name, oldlen, old = _sysctl_args(client, [1, 1])
    assert _inline(client, "__sysctl", args, [name])[0] == 0  # oldlenp not sent
    assert _copies(client) == [wire.COPYIN]
    assert client.mem.get(old, 7) == b"NetBSD\0"
    # a record shorter than the copy: the whole copy is asked for
    args, name, oldlen, old = _sysctl_args(client, [1, 1])
    assert _inline(client, "__sysctl", args, [(name[0], name[1][:4]), oldlen])[0] == 0
    assert _copies(client) == [wire.COPYIN]
    assert client.mem.get(old, 7) == b"NetBSD\0"


def test_a_string_running_past_its_record_falls_back(client: RawClient) -> None:
    m = client.mem
    p, out = m.buf(b"/dev/null\0"), m.out(STAT_SIZE)
    assert _inline(client, "__stat50", [p, out], [(p, b"/dev/")])[0] == 0  # no NUL yet
    assert _copies(client) == [wire.COPYINSTR]


def test_no_nul_within_maxlen_in_a_record_is_enametoolong(client: RawClient) -> None:
    m = client.mem
    long = b"a" * 1100
    p, out = m.buf(long + b"\0"), m.out(STAT_SIZE)
    assert _inline(client, "__stat50", [p, out], [(p, long)])[0] == ENAMETOOLONG
    assert _copies(client) == []


def test_inline_calls_check_arguments_as_plain_ones(client: RawClient) -> None:
    p = client.mem.buf(b"/\0")
    assert _inline(client, "__stat50", [p], [(p, b"/\0")])[0] == EINVAL  # short block
    r = client.next_reqno()
    client.send(wire.syscall_inline_request(r, 999, b"", [(p, b"/\0")]))
    assert client.result(r)[0] == ENOSYS


def test_inline_works_without_an_offer(server: ServerProcess, client: RawClient) -> None:
    """Accepted on any running connection: a FORK child cannot offer (20-byte body)."""
    cookie = client.prefork()
    child = RawClient(server.url, handshake=False)
    assert child.handshake(wire.HANDSHAKE_FORK, wire.fork_body(cookie)) == 0
    p = child.mem.buf(b"/\0")
    assert _inline(child, "__stat50", [p, child.mem.out(STAT_SIZE)], [(p, b"/\0")])[0] == 0
    assert _copies(child) == []
    child.close()


# ----- malformed -----------------------------------------------------------------------

def _raw_inline(body: bytes, reqno: int, sysnum: int = 20) -> bytes:
    return wire.header(wire.HDRSZ + len(body), reqno, wire.REQ, wire.SYSCALL_INLINE,
                       sysnum) + body


def _rec(addr: int, n: int, data: bytes) -> bytes:
    return struct.pack("<QQ", addr, n) + data + bytes(-len(data) % 8)


MALFORMED = {
    "short head": b"\0\0\0",
    "reserved field": struct.pack("<II", 0, 1),
    "args past the frame": struct.pack("<II", 64, 0) + bytes(8),
    "truncated record header": struct.pack("<II", 0, 0) + bytes(8),
    "length past the frame": struct.pack("<II", 0, 0) + _rec(0x1000, 64, b"x" * 8),
    "zero length": struct.pack("<II", 0, 0) + _rec(0x1000, 0, b""),
    "missing padding": struct.pack("<II", 0, 0) + struct.pack("<QQ", 0x1000, 3) + b"abc",
    "wraps the address space": struct.pack("<II", 0, 0) + _rec(2**64 - 4, 8, b"x" * 8),
    "overlapping": struct.pack("<II", 0, 0) + _rec(0x1000, 8, b"a" * 8)
    + _rec(0x1004, 8, b"b" * 8),
    "too many records": struct.pack("<II", 0, 0) + b"".join(
        _rec(0x1000 + 16 * i, 8, b"r" * 8) for i in range(wire.INLINE_MAX_RECORDS + 1)),
}


@pytest.mark.parametrize("what", sorted(MALFORMED))
def test_malformed_records_are_refused_and_the_connection_lives(
        server: ServerProcess, client: RawClient, what: str) -> None:
    r = client.next_reqno()
    client.send(_raw_inline(MALFORMED[what], r))
    f = client.wait_for(r)
    assert (f.cls, f.union) == (wire.ERROR, wire.ERR_MALFORMED_REQUEST)
    assert client.call("getpid")[0] == 0
    assert server.alive()
    with pytest.raises(wire.ProtocolError):
        wire.parse_syscall_inline(MALFORMED[what])


def test_adjacent_records_are_fine() -> None:
    body = struct.pack("<II", 8, 0) + bytes(8) + _rec(0x1000, 8, b"a" * 8) \
        + _rec(0x1008, 3, b"bcd")
    args, recs = wire.parse_syscall_inline(body)
    assert args == bytes(8)
    assert [(a, e, bytes(d)) for a, e, d in recs] == [(0x1000, 0x1008, b"a" * 8),
                                                       (0x1008, 0x100b, b"bcd")]


def test_encoder_round_trips_odd_lengths() -> None:
    frame = wire.syscall_inline_request(5, 439, b"\1\2\3", [(0x10, b"ab"), (0x20, b"x" * 9)])
    f = wire.Decoder().feed(frame)[0]
    assert (f.reqno, f.type, f.union) == (5, wire.SYSCALL_INLINE, 439)
    args, recs = wire.parse_syscall_inline(f.body)
    assert args == b"\1\2\3" and [bytes(d) for _, _, d in recs] == [b"ab", b"x" * 9]


# ----- the context, alone ----------------------------------------------------------

class _Conn:
    """Stands in for a server Connection: records what reaches the client."""

    def __init__(self) -> None:
        self.sent: list[bytes] = []
        self.asked: list[tuple] = []
        self.nextreq = 0

    def send(self, data: bytes) -> None:
        self.sent.append(data)

    def copyin(self, lwp, addr, n):
        self.asked.append(("copyin", addr, n))
        return "asked"

    def copyinstr(self, lwp, addr, n):
        self.asked.append(("copyinstr", addr, n))
        return "asked"

    def copyout(self, lwp, addr, data):
        self.sent.append(b"big copyout")

    def anonmmap(self, lwp, size):
        return "asked"


def _ready(x):
    return x.value


class _Lwp:
    tag = 7


def test_copyout_into_a_record_is_seen_by_a_later_copyin() -> None:
    conn = _Conn()
    ctx = InlineContext(conn, [(0x100, 0x108, memoryview(b"abcdefgh"))])  # type: ignore[arg-type]
    ctx.copyout(None, 0x104, b"XY")      # type: ignore[arg-type]
    ctx.copyout(None, 0x0FF, b"12")      # overlaps the record's first byte only
    assert _ready(ctx.copyin(None, 0x100, 8)) == b"2bcdXYgh"  # type: ignore[arg-type]
    with pytest.raises(Exception) as ei:  # no NUL in the 4 bytes asked for
        ctx.copyinstr(None, 0x100, 4)    # type: ignore[arg-type]
    assert ei.value.errno == ENAMETOOLONG
    assert conn.sent == []               # held back for the reply...
    ctx.reply(_Lwp(), 0, 1, 0)           # type: ignore[arg-type]
    assert len(conn.sent) == 1           # ...then one write: two COPYOUTs and the reply
    frames = wire.Decoder().feed(conn.sent[0])
    assert [(f.type, f.cls) for f in frames] == [(wire.COPYOUT, wire.REQ)] * 2 + \
        [(wire.SYSCALL, wire.RESP)]
    assert [f.reqno for f in frames] == [0, 1, 7]


def test_held_copyouts_go_out_before_a_copy_request() -> None:
    conn = _Conn()
    ctx = InlineContext(conn, [(0x100, 0x104, memoryview(b"ab\0d"))])  # type: ignore[arg-type]
    ctx.copyout(None, 0x200, b"out")     # type: ignore[arg-type]
    assert _ready(ctx.copyinstr(None, 0x100, 10)) == b"ab"  # type: ignore[arg-type]
    assert conn.sent == []
    assert ctx.copyin(None, 0x300, 4) == "asked"  # type: ignore[arg-type]
    assert len(conn.sent) == 1 and conn.asked == [("copyin", 0x300, 4)]
