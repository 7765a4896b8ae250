"""The sans-IO codec: frames decode the same however the stream is split; garbage fails cleanly."""
from __future__ import annotations

import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from support.vectors import VECTORS, load
from sysproxy import wire

frames_st = st.lists(
    st.tuples(st.integers(0, 2**64 - 1), st.integers(0, 2), st.integers(0, 8),
              st.integers(0, 2**32 - 1), st.binary(max_size=300)),
    min_size=1, max_size=8)


@given(frames_st, st.lists(st.integers(0, 4000), max_size=20))
def test_any_split_decodes_the_same(frames, cuts) -> None:
    stream = b"".join(wire.frame(r, c, t, u, b) for r, c, t, u, b in frames)
    points = sorted({min(c, len(stream)) for c in cuts})
    dec = wire.Decoder()
    got = []
    prev = 0
    for p in points + [len(stream)]:
        got += dec.feed(stream[prev:p])
        prev = p
    assert [tuple(f) for f in got] == [(r, c, t, u, b) for r, c, t, u, b in frames]
    assert dec.buffered == 0


@settings(max_examples=300)
@given(st.binary(min_size=24, max_size=200))
def test_garbage_is_a_protocol_error_or_a_wait_never_a_hang(data) -> None:
    dec = wire.Decoder(max_frame=1 << 16)
    length = struct.unpack_from("<Q", data)[0]
    try:
        frames = dec.feed(data)
    except wire.ProtocolError:
        assert length < 24 or length > 1 << 16
        with pytest.raises(wire.ProtocolError):
            dec.feed(b"more")  # the stream cannot be resynchronised
        return
    assert 24 <= length <= 1 << 16
    # a frame claiming more than has arrived waits for it, buffering only what came
    assert dec.buffered <= len(data)
    assert frames or dec.buffered == len(data)


def test_huge_length_is_refused_before_allocation() -> None:
    dec = wire.Decoder()
    with pytest.raises(wire.ProtocolError):
        dec.feed(struct.pack("<QQHHI", 1 << 62, 0, 0, 1, 20))
    assert dec.buffered == 0


def test_banner_round_trip() -> None:
    b = wire.banner()
    assert b == b"RUMPSP-0.4-NetBSD-7.99.34/amd64\n"
    assert wire.parse_banner(b) == wire.Banner(0, 4, "NetBSD", "7.99.34", "amd64")
    with pytest.raises(wire.ProtocolError):
        wire.parse_banner(b"HTTP/1.1 200 OK\n")


def test_encoders_match_real_server_bytes() -> None:
    if not VECTORS.exists():
        pytest.skip("shared/vectors not found")
    lines = [ln for ln in load("basic") if ln.kind == "frame"]
    # handshake response, getpid response (padding masked: ours is zero)
    assert wire.handshake_response(1, 0) == lines[1].data
    resp = bytearray(lines[3].data)
    resp[28:32] = bytes(4)
    assert wire.syscall_response(2, 0, 2, 1) == bytes(resp)
    assert wire.error_frame(1, wire.ERR_AUTH) == bytes.fromhex(
        "180000000000000001000000000000000200000002000000")


def test_fork_body_is_exactly_twenty_bytes() -> None:
    body = wire.fork_body(bytes(range(16)), True)
    assert len(body) == 20 and wire.parse_fork_body(body) == (bytes(range(16)), 1)
    with pytest.raises(wire.ProtocolError):
        wire.parse_fork_body(body[:19])


@given(st.lists(st.binary(max_size=300), min_size=1, max_size=6),
       st.lists(st.integers(min_value=1, max_value=200), max_size=8))
@settings(max_examples=150, deadline=None)
def test_frames_survive_a_reused_input_buffer(bodies, cuts) -> None:
    """The server reads into one buffer it overwrites at the next read: every
    frame and everything the decoder keeps must be a copy, never a view of it."""
    stream = b"".join(wire.frame(i, wire.REQ, wire.SYSCALL, 7, b) for i, b in enumerate(bodies))
    shared = bytearray(len(stream) + 1)
    dec = wire.Decoder()
    got = []
    pos = 0
    for cut in [*cuts, len(stream)]:
        piece = stream[pos:pos + cut]
        if not piece:
            break
        shared[:len(piece)] = piece
        got += dec.feed(memoryview(shared)[:len(piece)])
        shared[:] = b"\xee" * len(shared)  # the next read overwrites the buffer
        pos += len(piece)
    assert [(f.reqno, f.body) for f in got] == list(enumerate(bodies))
    assert all(type(f.body) is bytes for f in got)
