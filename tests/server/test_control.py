"""Tracing, statistics and fault injection (docs/CONTROL.md) on real servers over real sockets."""
from __future__ import annotations

import errno
import json
import os
import re
import stat
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Iterator

import pytest

from support.server import ROOT, ServerProcess
from sysproxy.client import connect
from sysproxy.tools.observe import ControlClient

DUR = re.compile(r" <(\d+\.\d+)>$")


def _url() -> str:
    return f"unix:///tmp/trace-{uuid.uuid4().hex[:10]}.sock"


def _ctl(url: str) -> str:
    return url + ".ctl"


@pytest.fixture
def tracefile(tmp_path: Path) -> Path:
    return tmp_path / "trace.log"


def _lines(path: Path, pid: int) -> list[str]:
    """The trace lines of one process, durations cut off, lwp ids kept out."""
    out = []
    for line in path.read_text().splitlines():
        m = re.match(r"\[pid (\d+)\.\d+ [^\]]*\] (.*)$", line)
        if m and int(m.group(1)) == pid:
            out.append(DUR.sub("", m.group(2)))
    return out


def test_trace_file_decodes_a_known_sequence(tracefile: Path) -> None:
    url = _url()
    srv = ServerProcess(url, "--trace", str(tracefile))
    try:
        k = connect(url, "tracee")
        pid = k.getpid()
        fd = k.open("/tmp/traced", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o640)
        assert k.write(fd, b"hello") == 5
        k.close(fd)
        with pytest.raises(FileNotFoundError):
            k.open("/tmp/missing", os.O_RDONLY)
        k.mkdir("/tmp/tdir", 0o755)
    finally:
        srv.stop()
    got = _lines(tracefile, pid)
    want = [
        f"getpid() = {pid}",
        f'open("/tmp/traced", O_WRONLY|O_CREAT|O_TRUNC, 0640) = {fd}',
        f"write({fd}, ADDR, 5) = 5",
        f"close({fd}) = 0",
        'open("/tmp/missing", O_RDONLY, 0) = -1 ENOENT',
        'mkdir("/tmp/tdir", 0755) = 0',
    ]
    got = [re.sub(r"0x[0-9a-f]+", "ADDR", g) for g in got]
    assert got[:len(want)] == want, "\n".join(got)


def test_injected_enospc_on_the_third_write_of_one_process_only(tracefile: Path) -> None:
    url = _url()
    srv = ServerProcess(url, "--trace", str(tracefile))
    try:
        a, b = connect(url, "victim"), connect(url, "bystander")
        apid, bpid = a.getpid(), b.getpid()
        c = ControlClient(_ctl(url))
        ans = c.request(cmd="inject", op="add", spec=f"write:error=ENOSPC:when=3:pid={apid}")
        assert ans["ok"], ans
        fa = a.open("/tmp/a", os.O_WRONLY | os.O_CREAT, 0o600)
        fb = b.open("/tmp/b", os.O_WRONLY | os.O_CREAT, 0o600)
        results: dict[str, list[object]] = {"a": [], "b": []}
        for _ in range(5):
            for name, k, fd in (("b", b, fb), ("a", a, fa)):
                try:
                    results[name].append(k.write(fd, b"xy"))
                except OSError as e:
                    results[name].append(e.errno)
        assert results["b"] == [2, 2, 2, 2, 2]
        assert results["a"] == [2, 2, errno.ENOSPC, 2, 2]
        assert a.fstat(fa).st_size == 8  # the injected call never ran
        listed = c.request(cmd="inject", op="list")
        assert listed["rules"][0]["hits"] == 1
        c.close()
    finally:
        srv.stop()
    lines = tracefile.read_text().splitlines()
    injected = [ln for ln in lines if "INJECTED" in ln]
    assert len(injected) == 1 and f"[pid {apid}." in injected[0] and "ENOSPC" in injected[0]
    assert not any(f"[pid {bpid}." in ln and "ENOSPC" in ln for ln in lines)


def test_serve_inject_by_comm_and_path_prefix(tracefile: Path) -> None:
    url = _url()
    srv = ServerProcess(url, "--trace", str(tracefile),
                        "--inject", "open,mkdir:error=EACCES:when=1+:comm=blocked:path=/tmp/no")
    try:
        a, b = connect(url, "blocked"), connect(url, "free")
        with pytest.raises(PermissionError):
            a.mkdir("/tmp/no-dir", 0o755)
        a.mkdir("/tmp/yes-dir", 0o755)          # path outside the prefix
        b.mkdir("/tmp/no-b", 0o755)             # another comm
        with pytest.raises(PermissionError):
            a.open("/tmp/nothing", os.O_RDONLY)
        assert b.stat("/tmp/no-b")
        with pytest.raises(FileNotFoundError):  # the injected mkdir did not run
            b.stat("/tmp/no-dir")
    finally:
        srv.stop()


def test_delay_injection_shows_in_the_durations(tracefile: Path) -> None:
    url = _url()
    srv = ServerProcess(url, "--trace", str(tracefile), "--inject",
                        "getgid:delay_enter=150000:when=2", "--inject",
                        "getuid:delay_exit=120000")
    try:
        k = connect(url, "sleepy")
        pid = k.getpid()
        for _ in range(4):
            k.getgid()
        k.getuid()
    finally:
        srv.stop()
    lines = [ln for ln in tracefile.read_text().splitlines() if f"[pid {pid}." in ln]
    durs = [(ln, float(DUR.search(ln).group(1))) for ln in lines]  # type: ignore[union-attr]
    getgids = [(ln, d) for ln, d in durs if "getgid()" in ln]
    assert len(getgids) == 4
    assert "INJECTED" in getgids[1][0] and getgids[1][1] >= 0.150
    assert all("INJECTED" not in ln for ln, _ in getgids[:1] + getgids[2:])
    (uid_line, d), = [(ln, d) for ln, d in durs if "getuid()" in ln]
    assert "INJECTED" in uid_line and d >= 0.120 and " = 0 " in uid_line


def test_seeded_probability_repeats(tmp_path: Path) -> None:
    patterns = []
    for _ in range(2):
        url = _url()
        srv = ServerProcess(url, "--inject", "getpid:retval=4242:prob=0.5:seed=11")
        try:
            k = connect(url, "coin")
            patterns.append([k.getpid() == 4242 for _ in range(40)])
        finally:
            srv.stop()
    assert patterns[0] == patterns[1]
    assert 0 < sum(patterns[0]) < 40


def _tool(*argv: str, **kw: object) -> subprocess.Popen[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("RUMP_SERVER", None)
    return subprocess.Popen([sys.executable, "-m", "sysproxy", *argv], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)  # type: ignore[call-overload]


@pytest.fixture
def plain() -> Iterator[ServerProcess]:
    s = ServerProcess(_url())
    yield s
    s.stop()


def test_live_trace_attached_mid_run_sees_the_calls_that_follow(plain: ServerProcess) -> None:
    k = connect(plain.url, "mid")
    pid = k.getpid()
    k.mkdir("/tmp/before", 0o755)
    t = _tool("trace", "--server", plain.url, "-p", str(pid), "--ready", "-c", "3")
    try:
        assert t.stdout is not None
        assert t.stdout.readline().strip() == "# tracing"
        other = connect(plain.url, "other")
        other.getpid()  # another process: filtered out by -p
        k.mkdir("/tmp/after", 0o700)
        k.rmdir("/tmp/after")
        with pytest.raises(FileNotFoundError):
            k.rmdir("/tmp/after")
        out, err = t.communicate(timeout=30)
    finally:
        if t.poll() is None:
            t.kill()
            t.wait()
    lines = [DUR.sub("", ln) for ln in out.splitlines()]
    assert [ln.split("] ", 1)[1] for ln in lines] == [
        'mkdir("/tmp/after", 0700) = 0', 'rmdir("/tmp/after") = 0',
        'rmdir("/tmp/after") = -1 ENOENT'], (out, err)
    assert all(ln.startswith(f"[pid {pid}.") for ln in lines)


def test_live_trace_json_and_name_filter(plain: ServerProcess) -> None:
    k = connect(plain.url, "jsonp")
    t = _tool("trace", "--server", plain.url, "-e", "trace=getuid", "--json", "--ready",
              "-c", "1")
    try:
        assert t.stdout is not None and t.stdout.readline().strip() == "# tracing"
        k.getpid()
        k.getuid()
        out, _ = t.communicate(timeout=30)
    finally:
        if t.poll() is None:
            t.kill()
            t.wait()
    ev = json.loads(out)
    assert ev["name"] == "getuid" and ev["pid"] == k.getpid() and ev["error"] == 0
    assert ev["comm"] == "jsonp"


def test_stats_count_a_known_sequence() -> None:
    url = _url()
    srv = ServerProcess(url, "--stats")
    try:
        k = connect(url, "counted")
        pid = k.getpid()
        k.getpid()
        k.getpid()
        for _ in range(2):
            with pytest.raises(FileNotFoundError):
                k.open("/tmp/nope", os.O_RDONLY)
        k.mkdir("/tmp/counted", 0o755)
        c = ControlClient(_ctl(url))
        snap = c.request(cmd="stats")["stats"]
        c.close()
        calls = snap["procs"][str(pid)]["calls"]
        assert snap["procs"][str(pid)]["comm"] == "counted"
        assert (calls["getpid"]["count"], calls["getpid"]["errors"]) == (3, 0)
        assert (calls["open"]["count"], calls["open"]["errors"]) == (2, 2)
        assert (calls["mkdir"]["count"], calls["mkdir"]["errors"]) == (1, 0)
        assert set(calls) == {"getpid", "open", "mkdir"}
        assert 0 < calls["getpid"]["p50_us"] <= calls["getpid"]["p99_us"] <= \
            calls["getpid"]["max_us"]
        t = _tool("stats", "--server", url)
        out, err = t.communicate(timeout=30)
        assert t.returncode == 0, err
        row = [ln.split() for ln in out.splitlines() if ln.split()[:3] == [str(pid), "counted", "open"]]
        assert row and row[0][3:5] == ["2", "2"]
    finally:
        srv.stop()


def test_control_socket_is_private_and_speaks_json(plain: ServerProcess) -> None:
    path = _ctl(plain.url)[len("unix://"):]
    assert stat.S_IMODE(os.lstat(path).st_mode) == 0o600
    c = ControlClient(_ctl(plain.url))
    assert c.request(cmd="nope")["ok"] is False
    assert "unknown errno" in c.request(cmd="inject", op="add", spec="read:error=EWHAT")["error"]
    c.sock.sendall(b"not json\n")
    assert next(c.messages())["ok"] is False
    assert c.request(cmd="ping") == {"ok": True}
    c.close()
    # a NetBSD client connecting there by mistake never gets a RUMPSP banner
    with pytest.raises(OSError):
        connect(_ctl(plain.url), "lost", timeout=2)


def test_control_socket_goes_away_with_the_server() -> None:
    url = _url()
    srv = ServerProcess(url)
    path = _ctl(url)[len("unix://"):]
    assert os.path.exists(path)
    srv.stop()
    assert not os.path.exists(path)


def test_no_control_socket_when_turned_off() -> None:
    url = _url()
    srv = ServerProcess(url, "--control", "none")
    try:
        assert not os.path.exists(_ctl(url)[len("unix://"):])
    finally:
        srv.stop()
