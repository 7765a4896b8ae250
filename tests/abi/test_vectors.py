"""Decode real NetBSD structures recorded in ../shared/vectors (beside the repository) with the abi codecs."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sysproxy.abi import poll, stat, statvfs

VECTORS = Path(__file__).resolve().parents[2] / ".." / "shared" / "vectors"


def _frames(name: str) -> list[dict]:
    path = VECTORS / name
    if not path.exists():
        pytest.skip(f"test vectors not available: {path} is missing")
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _copyout_data(frame: dict) -> bytes:
    body = bytes.fromhex(frame["body_hex"])
    return body[16:]  # u64 len, u64 address, then the data


def test_stat_copyouts_match_notes() -> None:
    frames = [f for f in _frames("files.jsonl")
              if f.get("kind") == "frame" and f["dir"] == "s2c" and f["type"] == 4
              and "struct stat{" in f.get("note", "")]
    assert len(frames) >= 4
    for f in frames:
        data = _copyout_data(f)
        assert len(data) == stat.STAT_SIZE
        st = stat.unpack_stat(data)
        note = f["note"]
        fields = dict(re.findall(r"(\w+)=(\S+?)(?=[ }(])", note))
        assert st.dev == int(fields["dev"], 16)
        assert st.mode == int(re.search(r"mode=0(\d+)", note).group(1), 8)
        assert st.ino == int(fields["ino"])
        assert st.nlink == int(fields["nlink"])
        assert st.uid == int(fields["uid"]) and st.gid == int(fields["gid"])
        assert st.size == int(fields["size"])
        assert st.blocks == int(fields["blocks"]) and st.blksize == int(fields["blksize"])
        for name, ns in (("atime", st.atime_ns), ("mtime", st.mtime_ns),
                         ("ctime", st.ctime_ns), ("birthtime", st.birthtime_ns)):
            sec, frac = fields[name].split(".")
            assert ns == int(sec) * 10**9 + int(frac)
        # and the codec reproduces the bytes exactly
        assert stat.pack_stat(*st) == data


def test_stat_after_utimes_and_chown() -> None:
    frames = [f for f in _frames("files.jsonl")
              if f.get("type") == 4 and "uid=1000" in f.get("note", "")]
    assert frames
    st = stat.unpack_stat(_copyout_data(frames[0]))
    assert (st.uid, st.gid, st.nlink) == (1000, 100, 2)
    assert st.atime_ns == 1_000_000_000_500_000_000
    assert st.mtime_ns == 1_234_567_890 * 10**9
    assert stat.S_ISREG(st.mode) and st.mode & 0o7777 == 0o640


def test_dirent_copyouts() -> None:
    frames = [f for f in _frames("files.jsonl")
              if f.get("type") == 4 and "dirents[" in f.get("note", "")]
    assert len(frames) == 5
    names = []
    for f in frames:
        data = _copyout_data(f)
        ents = stat.unpack_dirents(data)
        assert len(ents) == 1
        fileno, name, dtype = ents[0]
        m = re.search(r"ino=(\d+) reclen=(\d+) namlen=(\d+) type=(\w+) name='([^']*)'", f["note"])
        assert m is not None
        assert fileno == int(m.group(1))
        assert len(data) == int(m.group(2)) == stat.dirent_reclen(len(name))
        assert name == m.group(5).encode()
        assert dtype == getattr(stat, "DT_" + m.group(4))
        assert stat.pack_dirent(fileno, name, dtype) == data
        names.append(name)
    assert names == [b".", b"..", b"g", b"sl", b"h"]


def test_tmpfs_args_copyin() -> None:
    frames = [f for f in _frames("files.jsonl")
              if f["dir"] == "c2s" and f.get("type") == 2 and "asked len=40" in f.get("note", "")]
    assert frames
    data = bytes.fromhex(frames[0]["body_hex"])
    assert len(data) == statvfs.TMPFS_ARGS_SIZE
    args = statvfs.unpack_tmpfs_args(data)
    assert args.version == statvfs.TMPFS_ARGS_VERSION
    assert args.root_mode == 0o1777
    assert statvfs.pack_tmpfs_args(*args) == data


def test_pollfds_in_copyin() -> None:
    frames = [f for f in _frames("pipes_poll.jsonl")
              if f["dir"] == "c2s" and f.get("type") == 2 and "asked len=16" in f.get("note", "")]
    assert frames
    data = bytes.fromhex(frames[0]["body_hex"])
    fds = poll.unpack_pollfds(data, 2)
    assert fds == [(3, poll.POLLIN, 0), (4, poll.POLLOUT, 0)]
    assert poll.pack_pollfds(fds) == data
