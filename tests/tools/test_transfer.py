"""put and get: host <-> kernel copies, standard streams, directories, the progress bar."""
from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

from sysproxy.client import Kernel
from support.server import ROOT, ServerProcess
from .conftest import Run, tool_env

BIG = os.urandom(3 * 1024 * 1024 + 123)


def test_put_then_get_round_trip(run: Run, kernel: Kernel, kdir: str, tmp_path: Path) -> None:
    src = tmp_path / "big.bin"
    src.write_bytes(BIG)
    os.chmod(src, 0o640)
    r = run("put", str(src), f"{kdir}/big")
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")  # no bar: not a terminal
    st = kernel.stat(f"{kdir}/big")
    assert st.st_size == len(BIG) and st.st_mode & 0o777 == 0o640
    out = tmp_path / "back.bin"
    r = run("get", f"{kdir}/big", str(out))
    assert (r.returncode, r.stderr) == (0, "") and out.read_bytes() == BIG


def test_put_into_directory_and_overwrite(run: Run, kernel: Kernel, kdir: str,
                                          tmp_path: Path) -> None:
    src = tmp_path / "note.txt"
    src.write_text("long old text\n")
    assert run("put", str(src), kdir).returncode == 0
    src.write_text("new\n")
    assert run("put", str(src), kdir).returncode == 0  # truncates
    with kernel.open_file(f"{kdir}/note.txt", "rb") as f:
        assert f.read() == b"new\n"


def test_standard_streams(run: Run, kernel: Kernel, kdir: str) -> None:
    assert run("put", "-", f"{kdir}/s", input=b"from stdin", binary=True).returncode == 0
    r = run("get", f"{kdir}/s", "-", binary=True)
    assert r.returncode == 0 and r.stdout == b"from stdin"


def test_get_into_host_directory(run: Run, kernel: Kernel, kdir: str, tmp_path: Path) -> None:
    with kernel.open_file(f"{kdir}/k.txt", "wb") as f:
        f.write(b"kernel data")
    assert run("get", f"{kdir}/k.txt", str(tmp_path)).returncode == 0
    assert (tmp_path / "k.txt").read_bytes() == b"kernel data"


def test_errors(run: Run, kdir: str, tmp_path: Path) -> None:
    r = run("put", str(tmp_path / "absent"), f"{kdir}/x")
    assert r.returncode == 1 and r.stderr == \
        f"sysproxy put: {tmp_path / 'absent'}: No such file or directory\n"
    (tmp_path / "f").write_text("x")
    r = run("put", str(tmp_path / "f"), f"{kdir}/no/such/dir/x")
    assert r.returncode == 1 and r.stderr == \
        f"sysproxy put: {kdir}/no/such/dir/x: No such file or directory\n"
    r = run("get", f"{kdir}/absent", str(tmp_path / "g"))
    assert r.returncode == 1 and r.stderr == \
        f"sysproxy get: {kdir}/absent: No such file or directory\n"
    assert not (tmp_path / "g").exists()
    r = run("get", kdir, str(tmp_path / "g"))
    assert r.returncode == 1 and r.stderr == f"sysproxy get: {kdir}: Is a directory\n"


def test_forced_progress_bar(run: Run, kdir: str, tmp_path: Path) -> None:
    src = tmp_path / "big.bin"
    src.write_bytes(BIG)
    r = run("put", "-P", str(src), f"{kdir}/big")
    assert r.returncode == 0
    last = r.stderr.rstrip("\n").split("\r")[-1]
    assert "100% |" in last and "3.0 MiB" in last and r.stderr.endswith("\n")


def test_bar_on_a_terminal_only(srv: ServerProcess, kdir: str, tmp_path: Path) -> None:
    src = tmp_path / "big.bin"
    src.write_bytes(BIG)
    master, slave = pty.openpty()
    try:
        p = subprocess.run([sys.executable, "-m", "sysproxy", "put", str(src), f"{kdir}/t"],
                           stdout=subprocess.PIPE, stderr=slave, env=tool_env(srv.url),
                           timeout=30, cwd=ROOT)
        os.close(slave)
        slave = -1
        seen = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    finally:
        if slave >= 0:
            os.close(slave)
        os.close(master)
    assert p.returncode == 0 and p.stdout == b""
    assert b"100% |" in seen
