"""sysproxy kdump: a known record sequence decodes to kdump's lines; a trace written
by the server is read through the kernel; a host file needs no server."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from sysproxy.abi import errno as E
from sysproxy.abi import ktrace as K
from sysproxy.abi.syscalls import BY_NAME as N
from sysproxy.client import Kernel
from sysproxy.tools.kdump import kdump_lines, parse_types

from .conftest import Run


def rec(ktype: int, payload: bytes, pid: int = 7, version: int = 0, lid: int = 0) -> bytes:
    return K.header(len(payload), ktype, pid, b"prog", 1700000000, 5000, lid, version) + payload


def known_trace() -> bytes:
    return b"".join([
        rec(K.KTR_EMUL, b"netbsd"),
        rec(K.KTR_SYSCALL, K.SYSCALL.pack(N["open"], 24) + (0x1000).to_bytes(8, "little")
            + (0x202).to_bytes(8, "little") + (0o644).to_bytes(8, "little")),
        rec(K.KTR_NAMEI, b"/etc/motd\0"),
        rec(K.KTR_SYSRET, K.SYSRET.pack(N["open"], 0, 0, 3, 0)),
        rec(K.KTR_SYSCALL, K.SYSCALL.pack(N["write"], 24) + (3).to_bytes(8, "little")
            + (0x2000).to_bytes(8, "little") + (10).to_bytes(8, "little")),
        rec(K.KTR_GENIO, K.GENIO.pack(3, K.UIO_WRITE) + b"hi\tthere\n\x01"),
        rec(K.KTR_SYSRET, K.SYSRET.pack(N["write"], 0, 0, 10, 0)),
        rec(K.KTR_SYSRET, K.SYSRET.pack(N["unlink"], 0, E.EACCES, 0, 0), pid=8),
        rec(K.KTR_USER, b"tag".ljust(20, b"\0") + b"ab"),
        rec(K.KTR_PSIG, K.PSIG.pack(2, 0, b"\0" * 16, 0)),
        rec(K.KTR_CSW, K.CSW.pack(1, 0), version=2, lid=4),
    ])


EXPECTED = [
    '     7 prog     EMUL  "netbsd"',
    '     7 prog     CALL  open(0x1000,0x202,0x1a4)',
    '     7 prog     NAMI  "/etc/motd"',
    '     7 prog     RET   open 3',
    '     7 prog     CALL  write(0x3,0x2000,0xa)',
    '     7 prog     GIO   fd 3 wrote 10 bytes',
    '       "hi\\tthere\\n"',
    '       "\\001"',
    '     7 prog     RET   write 10/0xa',
    '     8 prog     RET   unlink -1 errno 13 EACCES',
    '     7 prog     USER  "tag" 2 bytes',
    '       "ab"',
    '     7 prog     PSIG  SIGINT SIG_DFL mask=0x0 code=0x0',
    '     7      4 prog     CSW   stop kernel',
]


def test_known_sequence_decodes() -> None:
    assert list(kdump_lines(known_trace())) == EXPECTED


def test_filters() -> None:
    data = known_trace()
    assert [ln for ln in kdump_lines(data, parse_types("n"))] == ['     7 prog     NAMI  "/etc/motd"']
    assert list(kdump_lines(data, None, 8)) == ['     8 prog     RET   unlink -1 errno 13 EACCES']
    with pytest.raises(ValueError):
        parse_types("z")
    with pytest.raises(ValueError):
        list(kdump_lines(data[:-3]))


def test_host_file_needs_no_server(run: Run, tmp_path: Path) -> None:
    f = tmp_path / "ktrace.out"
    f.write_bytes(known_trace())
    r = run("kdump", "--host", "-f", str(f), "-t", "ci", url="unix:///nonexistent.sock")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [ln for ln in EXPECTED if "CALL" in ln or "RET" in ln
                                     or "GIO" in ln or ln.startswith('       "hi')
                                     or ln == '       "\\001"']


def test_trace_written_by_the_server(run: Run, kernel: Kernel) -> None:
    kernel.close(kernel.open("/tmp/kd.out", os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644))
    pid = kernel.getpid()
    facs = K.KTRFAC_SYSCALL | K.KTRFAC_SYSRET | K.KTRFAC_NAMEI
    kernel.syscall(N["ktrace"], "/tmp/kd.out", K.KTROP_SET, facs, pid)
    with pytest.raises(FileNotFoundError):
        kernel.stat("/tmp/nope")
    kernel.syscall(N["ktrace"], "/tmp/kd.out", K.KTROP_CLEAR, facs, pid)
    r = run("kdump", "-f", "/tmp/kd.out", "-p", str(pid))
    assert r.returncode == 0, r.stderr
    lines = [ln.split(None, 2)[2] for ln in r.stdout.splitlines()]
    assert lines[0].startswith("CALL  __stat50(")
    assert lines[1:3] == ['NAMI  "/tmp/nope"', "RET   __stat50 -1 errno 2 ENOENT"]
    assert lines[3].startswith("CALL  ktrace(") and len(lines) == 4
    r = run("kdump", "-f", "/tmp/none.out")
    assert r.returncode == 1 and "none.out" in r.stderr
