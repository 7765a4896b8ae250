"""stat, sysctl and ps against a real server."""
from __future__ import annotations

import re

from sysproxy.client import Kernel, connect
from support.server import ServerProcess
from .conftest import Run


def test_stat(run: Run, kernel: Kernel, kdir: str) -> None:
    with kernel.open_file(f"{kdir}/f", "wb") as f:
        f.write(b"12345")
    kernel.chmod(f"{kdir}/f", 0o640)
    kernel.symlink("f", f"{kdir}/l")
    r = run("stat", f"{kdir}/f")
    assert r.returncode == 0
    lines = r.stdout.splitlines()
    assert lines[0] == f'  File: "{kdir}/f"'
    assert re.match(r"  Size: 5 +FileType: Regular File$", lines[1])
    assert "(0640/-rw-r-----)" in lines[2] and "Uid: (    0/    root)" in lines[2]
    assert re.match(r"Device: \d+,\d+   Inode: \d+    Links: 1$", lines[3])
    assert [ln[:7] for ln in lines[4:7]] == ["Access:", "Modify:", "Change:"]
    r = run("stat", f"{kdir}/l")
    assert f'"{kdir}/l" -> "f"' in r.stdout and "Symbolic Link" in r.stdout
    assert "Regular File" in run("stat", "-L", f"{kdir}/l").stdout
    r = run("stat", f"{kdir}/nope")
    assert r.returncode == 1
    assert r.stderr == f"sysproxy stat: {kdir}/nope: No such file or directory\n"


def test_sysctl_read(run: Run) -> None:
    r = run("sysctl", "kern.ostype", "hw.machine", "kern.osrevision", "hw.ncpu")
    assert r.returncode == 0
    lines = r.stdout.splitlines()
    assert lines[:3] == ["kern.ostype = NetBSD", "hw.machine = amd64",
                         "kern.osrevision = 799003400"]
    assert re.match(r"hw\.ncpu = \d+$", lines[3])
    assert run("sysctl", "-n", "kern.ostype").stdout == "NetBSD\n"


def test_sysctl_all_and_subtree(run: Run) -> None:
    out = run("sysctl", "-a").stdout
    assert "kern.osrelease = 7.99.34" in out and "hw.pagesize = 4096" in out
    assert "kern.boottime = " in out
    sub = run("sysctl", "hw").stdout.splitlines()
    assert sub and all(ln.startswith("hw.") for ln in sub)


def test_sysctl_all_walks_the_tree_with_ctl_query(run: Run, kernel: Kernel) -> None:
    from sysproxy.abi import sysctl as S
    from sysproxy.tools import sysctl_tree
    leaves = sysctl_tree.leaves(kernel)
    assert leaves is not None
    names = [f.name for f in leaves]
    assert "kern.hostname" in names and "hw.usermem64" in names
    assert "kern.proc2" not in names  # a node, not a leaf
    assert next(f for f in leaves if f.name == "kern.boottime").type == S.CTLTYPE_STRUCT
    out = run("sysctl", "-a").stdout.splitlines()
    # kern.file2 and the pcblists want more name (sysctl(8) leaves them to fstat/sockstat)
    helpers = [x for x in names if x == "kern.file2" or x.endswith(".pcblist")]
    assert "kern.file2" in helpers and "net.local.stream.pcblist" in helpers
    assert [ln.split(" = ", 1)[0] for ln in out] == [x for x in names if x not in helpers]
    assert "kern.ostype = NetBSD" in out and "hw.byteorder = 1234" in out


def test_sysctl_without_ctl_query_falls_back_to_known_names() -> None:
    import errno
    import io
    from sysproxy.tools import info
    from sysproxy.tools.common import Ctx

    class NoQuery:
        def sysctl(self, mib, new=None, oldlen=1024):
            raise OSError(errno.ENOENT, "No such file or directory")
    ctx = Ctx(NoQuery(), "sysctl", io.StringIO(), io.StringIO())  # type: ignore[arg-type]
    assert [f.name for f in info.all_leaves(ctx)] == info.known_names()


def test_sysctl_write(run: Run, kernel: Kernel) -> None:
    old = kernel.sysctl_str("kern.hostname")
    try:
        r = run("sysctl", "-w", "kern.hostname=toolhost")
        assert r.returncode == 0 and r.stdout == f"kern.hostname: {old} -> toolhost\n"
        assert kernel.sysctl_str("kern.hostname") == "toolhost"
    finally:
        kernel.sysctl("kern.hostname", old.encode() + b"\0", oldlen=None)
    r = run("sysctl", "kern.ostype=Linux")
    assert r.returncode == 1 and r.stderr == \
        "sysproxy sysctl: kern.ostype: Operation not permitted\n"


def test_sysctl_errors(run: Run) -> None:
    r = run("sysctl", "kern.nosuchthing")
    assert r.returncode == 1 and r.stderr == \
        "sysproxy sysctl: kern.nosuchthing: No such file or directory\n"
    r = run("sysctl", "kern.99")
    assert r.returncode == 1
    assert r.stderr == "sysproxy sysctl: kern.99: No such file or directory\n"


def _rows(text: str) -> dict[int, list[str]]:
    return {int(ln.split()[0]): ln.split() for ln in text.splitlines()[1:]}


def test_ps(run: Run, srv: ServerProcess, kernel: Kernel) -> None:
    other = connect(srv.url, "worker")
    try:
        r = run("ps")
        assert r.returncode == 0
        assert r.stdout.splitlines()[0].split() == ["PID", "PPID", "UID", "COMM"]
        rows = _rows(r.stdout)
        assert rows[1] == ["1", "0", "0", "rump"]
        assert rows[other.getpid()] == [str(other.getpid()), "1", "0", "worker"]
        assert rows[kernel.getpid()][3] == "check"
        assert any(row[3] == "ps" for row in rows.values())  # the tool's own process
    finally:
        other.disconnect()


def test_ps_long_and_pid(run: Run, kernel: Kernel) -> None:
    pid = kernel.getpid()
    r = run("ps", "-l", "-p", str(pid))
    assert r.returncode == 0
    head, row = r.stdout.splitlines()
    assert head.split() == ["PID", "PPID", "PGID", "SID", "UID", "GID", "STAT", "NLWP",
                            "LOGIN", "COMM"]
    assert row.split() == [str(pid), "1", str(pid), str(pid), "0", "0", "S", "0", "-", "check"]
    r = run("ps", "-p", "29999")
    assert r.returncode == 1 and len(r.stdout.splitlines()) == 1
