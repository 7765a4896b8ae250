"""Our client says what librumpclient said in the recorded conversations."""
from __future__ import annotations

import json
import os
import socket
import threading
from pathlib import Path

import pytest

from sysproxy import wire
from sysproxy.client import connect
from sysproxy.client import connection as _connection

VECTORS = Path(__file__).resolve().parents[3] / "shared" / "vectors"


@pytest.fixture(autouse=True)
def _plain_protocol(monkeypatch):
    """The vectors are librumpclient's bytes: no sysproxy extension offer."""
    monkeypatch.setattr(_connection, "OFFER_EXTENSIONS", False)


def _load(name: str) -> list[dict]:
    p = VECTORS / name
    if not p.exists():
        pytest.skip(f"no vector file {p}")
    return [json.loads(line) for line in p.read_text().splitlines() if line.strip()]


class Replayer:
    """Plays the s2c side of one recorded connection, checking each c2s frame."""

    def __init__(self, sockdir: str, lines: list[dict]) -> None:
        self.lines = [d for d in lines if d["conn"] == 1 and d["kind"] in ("banner", "frame")]
        self.path = os.path.join(sockdir, "replay.sock")
        self.lsock = socket.socket(socket.AF_UNIX)
        self.lsock.bind(self.path)
        self.lsock.listen(1)
        self.got: list[bytes] = []
        self.want: list[bytes] = []
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self) -> None:
        s, _ = self.lsock.accept()
        dec = wire.Decoder()
        pending: list[wire.Frame] = []
        ptr = b""  # our first pointer slot: recorded copy requests are re-aimed at it
        with s:
            for d in self.lines:
                raw = bytes.fromhex(d["hex"])
                if d["dir"] == "s2c":
                    if d["kind"] == "frame" and d["class"] == 0 and d["type"] in (2, 3, 4):
                        raw = raw[:32] + ptr + raw[40:]
                    s.sendall(raw)
                    continue
                self.want.append(raw)
                while not pending:
                    data = s.recv(65536)
                    if not data:
                        return
                    pending.extend(dec.feed(data))
                f = pending.pop(0)
                if f.cls == wire.REQ and f.type == wire.SYSCALL and len(f.body) >= 8:
                    ptr = f.body[:8]
                self.got.append(wire.frame(f.reqno, f.cls, f.type, f.union, f.body))


def test_basic_conversation_bytes(sockdir):
    r = Replayer(sockdir, _load("basic.jsonl"))
    k = connect("unix://" + r.path, "h_simplecli")
    assert k.syscall(20) == (2, 1)
    r.thread.join(5)
    assert r.got == r.want
    k.disconnect()


def test_open_copyinstr_reply_matches(sockdir):
    """exec.jsonl before the exec: the COPYINSTR answer is the path and its NUL only."""
    lines = [d for d in _load("exec.jsonl")
             if not (d["kind"] == "frame" and d["type"] == 0 and d["u"] == 3)]
    # Stop before the exec: keep frames up to the second open's reply.
    cut = next(i for i, d in enumerate(lines)
               if d["kind"] == "frame" and d["dir"] == "s2c" and d["reqno"] == 4
               and d["type"] == 1)
    r = Replayer(sockdir, lines[:cut + 1])
    k = connect("unix://" + r.path, "vec_exec")
    assert k.getpid() == 2
    assert k.open("/", os.O_RDONLY | os.O_DIRECTORY) == 3
    assert k.open("/", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC) == 4
    r.thread.join(5)
    assert len(r.got) == len(r.want) == 6

    def mask(b: bytes) -> bytes:  # pointer slots differ (addresses are ours)
        f = wire.Decoder().feed(b)[0]
        if f.cls == wire.REQ and f.type == wire.SYSCALL and f.union == 5:
            return b[:24] + bytes(8) + b[32:]
        return b
    assert [mask(b) for b in r.got] == [mask(b) for b in r.want]
    k.disconnect()
