"""ls, cat, mkdir, rm, mv, ln, tree as subprocesses against a real server."""
from __future__ import annotations

import stat

from sysproxy.client import Kernel
from .conftest import Run


def _write(k: Kernel, path: str, data: bytes) -> None:
    with k.open_file(path, "wb") as f:
        f.write(data)


def test_ls_lists_sorted_names(run: Run, kernel: Kernel, kdir: str) -> None:
    for name in ("b", "a", ".hidden"):
        _write(kernel, f"{kdir}/{name}", b"x")
    kernel.mkdir(f"{kdir}/sub")
    r = run("ls", kdir)
    assert r.returncode == 0 and r.stdout.split() == ["a", "b", "sub"]
    assert run("ls", "-a", kdir).stdout.split() == [".", "..", ".hidden", "a", "b", "sub"]
    assert run("ls", "-d", kdir).stdout.strip() == kdir


def test_ls_long(run: Run, kernel: Kernel, kdir: str) -> None:
    _write(kernel, f"{kdir}/f", b"12345")
    kernel.symlink("f", f"{kdir}/l")
    kernel.mkdir(f"{kdir}/d")
    lines = run("ls", "-l", kdir).stdout.splitlines()
    assert lines[0].startswith("total ")
    byname = {ln.split()[-1] if "->" not in ln else ln.split()[-3]: ln for ln in lines[1:]}
    assert byname["d"].startswith("d") and byname["f"].startswith("-")
    assert byname["l"].startswith("l") and byname["l"].endswith("l -> f")
    f = byname["f"].split()
    assert f[2:5] == ["root", "wheel", "5"]


def test_ls_several_operands_and_errors(run: Run, kernel: Kernel, kdir: str) -> None:
    _write(kernel, f"{kdir}/f", b"")
    kernel.mkdir(f"{kdir}/d")
    _write(kernel, f"{kdir}/d/inner", b"")
    r = run("ls", f"{kdir}/f", f"{kdir}/nope", f"{kdir}/d")
    assert r.returncode == 1
    assert r.stderr == f"sysproxy ls: {kdir}/nope: No such file or directory\n"
    assert r.stdout == f"{kdir}/f\n\n{kdir}/d:\ninner\n"


def test_ls_missing_is_bsd_error(run: Run) -> None:
    r = run("ls", "/nope")
    assert (r.returncode, r.stdout) == (1, "")
    assert r.stderr == "sysproxy ls: /nope: No such file or directory\n"


def test_cat(run: Run, kernel: Kernel, kdir: str) -> None:
    blob = bytes(range(256)) * 3000
    _write(kernel, f"{kdir}/a", b"first\n")
    _write(kernel, f"{kdir}/b", blob)
    r = run("cat", f"{kdir}/a", f"{kdir}/b", binary=True)
    assert r.returncode == 0 and r.stdout == b"first\n" + blob
    r = run("cat", f"{kdir}/missing", f"{kdir}/a")
    assert r.returncode == 1 and r.stdout == "first\n"
    assert r.stderr == f"sysproxy cat: {kdir}/missing: No such file or directory\n"


def test_mkdir(run: Run, kernel: Kernel, kdir: str) -> None:
    assert run("mkdir", f"{kdir}/one").returncode == 0
    assert stat.S_ISDIR(kernel.stat(f"{kdir}/one").st_mode)
    r = run("mkdir", f"{kdir}/x/y")
    assert r.returncode == 1 and r.stderr == \
        f"sysproxy mkdir: {kdir}/x/y: No such file or directory\n"
    assert run("mkdir", "-p", f"{kdir}/x/y/z").returncode == 0
    assert run("mkdir", "-p", f"{kdir}/x/y/z").returncode == 0  # exists: fine with -p
    r = run("mkdir", f"{kdir}/one")
    assert r.returncode == 1 and r.stderr.endswith(": File exists\n")
    assert run("mkdir", "-m", "700", f"{kdir}/priv").returncode == 0
    assert stat.S_IMODE(kernel.stat(f"{kdir}/priv").st_mode) == 0o700


def test_rm(run: Run, kernel: Kernel, kdir: str) -> None:
    _write(kernel, f"{kdir}/f", b"x")
    kernel.makedirs(f"{kdir}/t/u/v")
    _write(kernel, f"{kdir}/t/u/v/deep", b"x")
    _write(kernel, f"{kdir}/t/top", b"x")
    assert run("rm", f"{kdir}/f").returncode == 0 and not kernel.exists(f"{kdir}/f")
    r = run("rm", f"{kdir}/t")
    assert r.returncode == 1 and r.stderr == f"sysproxy rm: {kdir}/t: is a directory\n"
    assert run("rm", "-r", f"{kdir}/t").returncode == 0 and not kernel.exists(f"{kdir}/t")
    r = run("rm", f"{kdir}/gone")
    assert r.returncode == 1 and "No such file or directory" in r.stderr
    assert run("rm", "-f", f"{kdir}/gone").returncode == 0
    r = run("rm", "-r", "/")
    assert r.returncode == 1 and "may not be removed" in r.stderr
    assert kernel.exists("/dev")


def test_mv(run: Run, kernel: Kernel, kdir: str) -> None:
    _write(kernel, f"{kdir}/a", b"A")
    _write(kernel, f"{kdir}/b", b"B")
    kernel.mkdir(f"{kdir}/d")
    assert run("mv", f"{kdir}/a", f"{kdir}/a2").returncode == 0
    assert kernel.listdir(kdir).count("a2") == 1 and not kernel.exists(f"{kdir}/a")
    assert run("mv", f"{kdir}/a2", f"{kdir}/b", f"{kdir}/d").returncode == 0
    assert sorted(kernel.listdir(f"{kdir}/d")) == ["a2", "b"]
    r = run("mv", f"{kdir}/nope", f"{kdir}/x")
    assert r.returncode == 1 and r.stderr == \
        f"sysproxy mv: rename {kdir}/nope to {kdir}/x: No such file or directory\n"


def test_ln(run: Run, kernel: Kernel, kdir: str) -> None:
    _write(kernel, f"{kdir}/f", b"data")
    assert run("ln", f"{kdir}/f", f"{kdir}/hard").returncode == 0
    assert kernel.stat(f"{kdir}/f").st_nlink == 2
    assert run("ln", "-s", "f", f"{kdir}/soft").returncode == 0
    assert kernel.readlink(f"{kdir}/soft") == "f"
    r = run("ln", "-s", "f", f"{kdir}/soft")
    assert r.returncode == 1 and r.stderr == f"sysproxy ln: {kdir}/soft: File exists\n"
    assert run("ln", "-sf", "hard", f"{kdir}/soft").returncode == 0
    assert kernel.readlink(f"{kdir}/soft") == "hard"
    kernel.mkdir(f"{kdir}/d")
    assert run("ln", "-s", "/x/target", f"{kdir}/d").returncode == 0
    assert kernel.readlink(f"{kdir}/d/target") == "/x/target"


def test_tree(run: Run, kernel: Kernel, kdir: str) -> None:
    kernel.makedirs(f"{kdir}/a/b")
    _write(kernel, f"{kdir}/a/b/f", b"")
    _write(kernel, f"{kdir}/z", b"")
    kernel.symlink("z", f"{kdir}/y")
    r = run("tree", kdir)
    assert r.returncode == 0
    assert r.stdout == (f"{kdir}\n├── a\n│   └── b\n│       └── f\n├── y -> z\n"
                        "└── z\n\n2 directories, 3 files\n")
    r = run("tree", "-L", "1", "-d", kdir)
    assert r.stdout == f"{kdir}\n└── a\n\n1 directory\n"
    r = run("tree", f"{kdir}/nope")
    assert r.returncode == 1 and "No such file or directory" in r.stderr


def test_server_from_option_and_errors(run: Run, srv) -> None:
    r = run("ls", "--server", srv.url, "/", url=None)
    assert r.returncode == 0 and "dev" in r.stdout.split()
    r = run("ls", "/", url="unix:///tmp/sp-no-such-server.sock")
    assert r.returncode == 1
    assert r.stderr.startswith("sysproxy ls: unix:///tmp/sp-no-such-server.sock: ")
