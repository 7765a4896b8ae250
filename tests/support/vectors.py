"""Loading the recorded byte transcripts in ../shared/vectors and comparing with masks."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

VECTORS = Path(__file__).resolve().parents[3] / "shared" / "vectors"


@dataclass
class Line:
    conn: int
    dir: str
    kind: str
    data: bytes = b""
    mask: list[tuple[int, int, str]] = field(default_factory=list)
    note: str = ""
    reqno: int = 0
    cls: int = 0
    type: int = 0


def load(name: str) -> list[Line]:
    lines = []
    for text in (VECTORS / f"{name}.jsonl").read_text().splitlines():
        o = json.loads(text)
        lines.append(Line(o.get("conn", 0), o["dir"], o["kind"], bytes.fromhex(o.get("hex", "")),
                          [tuple(m) for m in o.get("mask", [])], o.get("note", ""),
                          o.get("reqno", 0), o.get("class", 0), o.get("type", 0)))
    return lines


def masked(data: bytes, mask: list[tuple[int, int, str]], skip: tuple[str, ...]) -> bytes:
    """``data`` with the masked ranges of the given categories zeroed."""
    b = bytearray(data)
    for off, n, cat in mask:
        if cat in skip:
            b[off:off + n] = bytes(min(n, max(0, len(b) - off)))
    return bytes(b)


def syscalls_used(lines: list[Line]) -> set[int]:
    import struct
    nums = set()
    for ln in lines:
        if ln.dir == "c2s" and ln.kind == "frame" and len(ln.data) >= 24:
            cls, typ, u = struct.unpack_from("<HHI", ln.data, 16)
            if cls == 0 and typ == 1:
                nums.add(u)
    return nums
