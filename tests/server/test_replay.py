"""Replay the real client's side of each recorded conversation into our server.

Our server's answers must equal what NetBSD's rump_server sent, byte for byte,
except the ranges the vectors' README marks as not reproducible (uninitialised
padding, random cookies, inode numbers, clock times, host-derived values).
Addresses are checkable here: our server must echo the ones it was given.
"""
from __future__ import annotations

import socket
import struct
import time

import pytest

from support.server import ServerProcess
from support.vectors import VECTORS, Line, load, masked, syscalls_used
from sysproxy import url as urlmod
from sysproxy import wire
from sysproxy.abi.syscalls import SYSCALLS
from sysproxy.kernel.syscalls.table import TABLE

SKIP = ("uninit", "random", "ino", "time", "host")

SCENARIOS = ["basic", "halt", "sysctl", "bad_input", "exec", "files", "pipes_poll",
             "fork_simple", "fork_pipecomm", "fork_fakeauth", "signal", "signal_between"]


class Replayer:
    def __init__(self, url: str) -> None:
        self.url = url
        self.socks: dict[int, socket.socket] = {}
        self.decoders: dict[int, wire.Decoder] = {}
        self.pending: dict[int, list[wire.Frame]] = {}
        self.raw: dict[int, list[bytes]] = {}
        self.cookies: dict[bytes, bytes] = {}  # recorded cookie -> ours
        self.raises: list[int] = []

    def sock(self, conn: int) -> socket.socket:
        if conn not in self.socks:
            addr = urlmod.parse(self.url)
            s = socket.socket(addr.family, socket.SOCK_STREAM)
            s.settimeout(5)
            s.connect(addr.sockaddr)
            self.socks[conn] = s
            self.decoders[conn] = wire.Decoder()
            self.pending[conn] = []
        return self.socks[conn]

    def next_frame(self, conn: int, timeout: float = 5.0) -> bytes | None:
        s = self.sock(conn)
        s.settimeout(timeout)
        while not self.pending[conn]:
            try:
                data = s.recv(1 << 20)
            except TimeoutError:
                return None
            if not data:
                return b""
            for f in self.decoders[conn].feed(data):
                raw = wire.header(wire.HDRSZ + len(f.body), f.reqno, f.cls, f.type, f.union) + f.body
                if f.cls == wire.REQ and f.type == wire.RAISE:
                    self.raises.append(f.union)
                    continue
                self.pending[conn].append(raw)  # type: ignore[arg-type]
        return self.pending[conn].pop(0)  # type: ignore[return-value]

    def c2s(self, ln: Line) -> None:
        data = ln.data
        if ln.kind == "frame" and len(data) >= 44:
            cls, typ, u = struct.unpack_from("<HHI", data, 16)
            if cls == wire.REQ and typ == wire.HANDSHAKE and u == wire.HANDSHAKE_FORK:
                data = self._substitute_cookie(data)
        self.sock(ln.conn).sendall(data)

    def _substitute_cookie(self, data: bytes) -> bytes:
        rec = data[24:40]
        for recorded, ours in self.cookies.items():
            diff = bytes(a ^ b for a, b in zip(rec, recorded, strict=False))
            if sum(bin(x).count("1") for x in diff) <= 1:  # fakeauth flips one bit
                mine = bytes(a ^ b for a, b in zip(ours, diff, strict=False))
                return data[:24] + mine + data[40:]
        return data

    def close(self) -> None:
        for s in self.socks.values():
            s.close()


def replay(url: str, lines: list[Line]) -> Replayer:
    r = Replayer(url)
    try:
        for i, ln in enumerate(lines):
            where = f"line {i + 1}: {ln.note[:100]}"
            if ln.dir == "c2s":
                if ln.kind in ("frame", "raw"):
                    r.c2s(ln)
                elif ln.kind == "eof":
                    try:
                        r.sock(ln.conn).shutdown(socket.SHUT_WR)
                    except OSError:
                        pass
                continue
            if ln.kind == "banner":
                s = r.sock(ln.conn)
                assert s.recv(96) == ln.data, where
            elif ln.kind == "frame":
                if ln.type == wire.RAISE and ln.cls == wire.REQ:
                    continue  # checked at the end: its position is timing-dependent
                got = r.next_frame(ln.conn)
                assert got, f"{where}: no frame ({got!r})"
                if ln.type == wire.PREFORK and ln.cls == wire.RESP:
                    r.cookies[ln.data[24:40]] = got[24:40]
                assert masked(got, ln.mask, SKIP).hex() == masked(ln.data, ln.mask, SKIP).hex(), where
            elif ln.kind == "eof":
                if ln.note.startswith("EOF from server"):
                    assert r.next_frame(ln.conn) == b"", f"{where}: expected EOF"
            elif ln.kind == "timeout":
                assert r.next_frame(ln.conn, timeout=0.3) is None, f"{where}: expected silence"
            elif ln.kind == "probe":
                probe = socket.socket(socket.AF_UNIX)
                probe.connect(urlmod.parse(url).sockaddr)
                assert probe.recv(96).startswith(b"RUMPSP-0.4-")
                probe.close()
    finally:
        r.close()
    return r


@pytest.mark.parametrize("name", SCENARIOS)
def test_replay(name: str, unix_url: str) -> None:
    if not VECTORS.exists():
        pytest.skip("shared/vectors not found beside the repository")
    lines = load(name)
    missing = sorted(SYSCALLS[n].name for n in syscalls_used(lines) if n in SYSCALLS and n not in TABLE)
    if missing:
        pytest.skip(f"kernel lacks {', '.join(missing)} so far")
    extra = ("--sendsig", "27") if name.startswith("signal") else ()
    srv = ServerProcess(unix_url, *extra)
    try:
        r = replay(srv.url, lines)
        if name.startswith("signal"):
            deadline = time.time() + 2
            while not r.raises and time.time() < deadline:
                time.sleep(0.05)
            assert r.raises == [27]
        if name == "halt":
            assert srv.proc.wait(5) == 0
    finally:
        srv.stop()
