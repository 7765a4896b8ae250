"""tmpfs: large sparse files, the memory limit, memory given back, statvfs."""
from __future__ import annotations

import time

from support.fsclient import FS, O_CREAT, O_RDWR
from support.rawclient import RawClient
from support.server import ServerProcess
from sysproxy.abi import errno as E
from sysproxy.abi import statvfs as SV


def _rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def test_memlimit_enospc_without_half_writes(unix_url: str) -> None:
    srv = ServerProcess(unix_url, "--memlimit", "1m")
    try:
        fs = FS(RawClient(srv.url))
        fd = fs.open("/tmp/a", O_CREAT | O_RDWR, 0o644)[1]
        assert fs.write(fd, b"x" * 700_000)[0] == 0
        assert fs.write(fd, b"y" * 700_000)[0] == E.ENOSPC
        assert fs.fstat(fd).size == 700_000
        out = fs.m.out(SV.STATVFS_SIZE)
        fs.c.ok("fstatvfs1", fd, out, 1)
        v = SV.unpack_statvfs(fs.m.get(out, SV.STATVFS_SIZE))
        assert v.f_blocks == 256 and v.f_bfree < 256
        fs.c.ok("close", fd)
        assert fs.call("unlink", "/tmp/a") == 0
        fd = fs.open("/tmp/b", O_CREAT | O_RDWR, 0o644)[1]
        assert fs.write(fd, b"z" * 900_000)[0] == 0  # the space came back
    finally:
        srv.stop()


def test_big_file_roundtrip_and_memory_returns(server: ServerProcess) -> None:
    fs = FS(RawClient(server.url))
    fd = fs.open("/tmp/big", O_CREAT | O_RDWR, 0o644)[1]
    chunk = bytes(range(256)) * 256
    time.sleep(0.2)
    base = _rss_kib(server.proc.pid)
    buf = fs.m.buf(chunk)
    for _ in range(512):  # 32 MiB
        assert fs.c.call("write", fd, buf, 65536) == (0, 65536, 0)
    assert fs.fstat(fd).size == 32 << 20
    assert fs.pread(fd, 65536, 5 << 20) == chunk
    assert _rss_kib(server.proc.pid) > base + 30_000
    fs.c.ok("close", fd)
    assert fs.call("unlink", "/tmp/big") == 0
    time.sleep(0.1)
    assert _rss_kib(server.proc.pid) < base + 4_000
