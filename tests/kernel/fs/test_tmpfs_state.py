"""serve --state: the root tmpfs survives a restart with every attribute, sync(2)
makes it durable at once, and a damaged or newer file is refused and left alone."""
from __future__ import annotations

import hashlib
import os
import signal
import struct
from pathlib import Path

import pytest

import sysproxy
from support.server import ServerProcess
from sysproxy.abi import stat as NS
from sysproxy.client.syscalls import SYS
from sysproxy.kernel.fs import tmpfs_state as ST

UF_NODUMP, UF_OPAQUE, SF_ARCHIVED = 0x1, 0x8, 0x10000
S_IFCHR, S_IFBLK = 0o020000, 0o060000


def _c(path: str) -> bytes:
    return path.encode() + b"\0"


def _build(url: str) -> None:
    """A tree with one of everything the state keeps."""
    k = sysproxy.connect(url)
    try:
        k.mkdir("/d", 0o750)
        k.mkdir("/d/sub", 0o700)
        with k.open_file("/d/f", "wb") as f:
            f.write(b"hello state\n" * 1000)
        with k.open_file("/d/big", "wb") as f:  # block-backed, with a hole in the middle
            f.write(os.urandom(300_000))
            f.seek(2_000_000)
            f.write(b"tail")
        with k.open_file("/d/empty", "wb"):
            pass
        k.link("/d/f", "/d/sub/f2")              # a hard link: one inode, nlink 2
        k.symlink("../f", "/d/sub/ln")
        k.mkfifo("/d/fifo", 0o640)
        k.syscall(SYS.__mknod50, _c("/d/cdev"), S_IFCHR | 0o600, (12 << 8) | 3)
        k.syscall(SYS.__mknod50, _c("/d/bdev"), S_IFBLK | 0o660, (4 << 8) | 1)
        k.chown("/d/f", 1234, 567)
        k.chmod("/d/fifo", 0o1640)
        k.utime("/d/f", ns=(1_000_000_001, 2_000_000_002))
        k.utime("/d/sub/ln", ns=(3_000_000_003, 4_000_000_004), follow_symlinks=False)
        k.syscall(SYS.chflags, _c("/d/empty"), UF_NODUMP | SF_ARCHIVED)
        k.syscall(SYS.chflags, _c("/d/sub"), UF_OPAQUE)
    finally:
        k.disconnect()


def _contents(k: sysproxy.Kernel) -> dict[str, tuple]:
    """Every path: its contents, link target or entries (in readdir order)."""
    out: dict[str, tuple] = {}
    todo = ["/"]
    while todo:
        p = todo.pop()
        kind = k.lstat(p).st_mode & 0o170000
        extra: object = None
        if kind == 0o100000:
            with k.open_file(p, "rb") as f:
                extra = hashlib.sha256(f.read()).hexdigest()
        elif kind == 0o120000:
            extra = k.readlink(p)
        elif kind == 0o040000:
            extra = k.listdir(p)
            todo += [p.rstrip("/") + "/" + n for n in extra]
        out[p] = extra
    return out


def _stats(k: sysproxy.Kernel, paths: list[str]) -> dict[str, tuple]:
    """The whole struct stat of each path (birthtime and flags too)."""
    out = {}
    for p in paths:
        raw = bytearray(NS.STAT.size)
        k.path_out_call(SYS.lstat, _c(p), raw)
        out[p] = NS.STAT.unpack(raw)
    return out


def test_round_trip_keeps_every_attribute(unix_url: str, tmp_path: Path) -> None:
    state = str(tmp_path / "kernel.state")
    srv = ServerProcess(unix_url, "--state", state)
    try:
        _build(srv.url)
        k = sysproxy.connect(srv.url)
        before = _contents(k)  # reading sets atimes: the stats come after
        bstat = _stats(k, list(before))
        k.disconnect()
    finally:
        assert srv.stop() == 0  # SIGTERM: the last save
    assert bstat["/d/f"][3] == 2 and bstat["/d/f"][2] == bstat["/d/sub/f2"][2]  # nlink, ino
    assert len([p for p in before if p.startswith("/d/")]) == 9
    srv = ServerProcess(unix_url, "--state", state)
    try:
        k = sysproxy.connect(srv.url)
        astat = _stats(k, list(before))  # before anything reads
        after = _contents(k)
        k.disconnect()
    finally:
        srv.stop()
    for path in before:
        assert astat[path] == bstat[path], path
        assert after.get(path) == before[path], path
    assert after.keys() == before.keys()


def test_sync_is_durable_before_a_kill(unix_url: str, tmp_path: Path) -> None:
    state = str(tmp_path / "s")
    srv = ServerProcess(unix_url, "--state", state, "--state-interval", "0")
    try:
        k = sysproxy.connect(srv.url)
        with k.open_file("/tmp/kept", "wb") as f:
            f.write(b"synced")
        k.sync()
        with k.open_file("/tmp/lost", "wb") as f:
            f.write(b"not synced")
        k.disconnect()
    finally:
        srv.proc.send_signal(signal.SIGKILL)
        srv.proc.wait()
    srv = ServerProcess(unix_url, "--state", state)
    try:
        k = sysproxy.connect(srv.url)
        assert sorted(k.listdir("/tmp")) == ["kept"]
        with k.open_file("/tmp/kept", "rb") as f:
            assert f.read() == b"synced"
        k.disconnect()
    finally:
        srv.stop()


def test_reboot_call_saves(unix_url: str, tmp_path: Path) -> None:
    state = str(tmp_path / "s")
    srv = ServerProcess(unix_url, "--state", state, "--state-interval", "0")
    k = sysproxy.connect(srv.url)
    k.mkdir("/kept-by-halt")
    k.disconnect()
    from sysproxy.client.halt import halt
    halt(srv.url)
    assert srv.proc.wait(10) == 0
    srv = ServerProcess(unix_url, "--state", state)
    try:
        k = sysproxy.connect(srv.url)
        assert "kept-by-halt" in k.listdir("/")
        k.disconnect()
    finally:
        srv.stop()


def _refused(unix_url: str, state: str) -> str:
    with pytest.raises(RuntimeError) as ei:
        ServerProcess(unix_url, "--state", state)
    return str(ei.value)


def _saved(unix_url: str, tmp_path: Path) -> str:
    state = str(tmp_path / "s")
    srv = ServerProcess(unix_url, "--state", state)
    k = sysproxy.connect(srv.url)
    with k.open_file("/tmp/x", "wb") as f:
        f.write(b"x" * 5000)
    k.disconnect()
    assert srv.stop() == 0
    return state


@pytest.mark.parametrize("where", ["flip", "truncate", "magic"])
def test_damaged_file_is_refused_and_left_alone(unix_url: str, tmp_path: Path,
                                                where: str) -> None:
    state = _saved(unix_url, tmp_path)
    data = bytearray(Path(state).read_bytes())
    if where == "flip":
        data[len(data) // 2] ^= 0x40
    elif where == "truncate":
        del data[-100:]
    else:
        data[0:8] = b"NOTSTATE"
    Path(state).write_bytes(bytes(data))
    msg = _refused(unix_url, state)
    assert "refusing --state" in msg and ("damaged" in msg or "not a sysproxy state" in msg)
    assert Path(state).read_bytes() == bytes(data)


def test_newer_version_is_refused_and_left_alone(unix_url: str, tmp_path: Path) -> None:
    state = _saved(unix_url, tmp_path)
    data = bytearray(Path(state).read_bytes())
    struct.pack_into("<I", data, 8, ST.VERSION + 1)
    body = bytes(data[:-ST.END_SIZE])  # a well-formed newer file: its digest is right
    n = ST.END.unpack_from(data, len(data) - ST.END.size)[0]
    data = bytearray(body + ST.REC.pack(ST.K_END, ST.END.size) +
                     ST.END.pack(n, hashlib.sha256(body).digest()))
    Path(state).write_bytes(bytes(data))
    msg = _refused(unix_url, state)
    assert f"version {ST.VERSION + 1}" in msg and "newer" in msg
    assert Path(state).read_bytes() == bytes(data)
