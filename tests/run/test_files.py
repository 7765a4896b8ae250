"""Everyday tools under `sysproxy run`, against our kernel and the reference:
each test checks what the kernel holds afterwards (through the Python client),
or what the program printed about kernel files, not just exit codes."""
from __future__ import annotations

import os
import stat
import subprocess


from sysproxy.client import Kernel

from .conftest import Run


def ok(r: subprocess.CompletedProcess) -> str:
    assert r.returncode == 0, (r.returncode, r.stdout, r.stderr)
    return r.stdout.decode()


def kread(k: Kernel, path: str) -> bytes:
    with k.open_file(path, "rb") as f:
        return f.read()


def kwrite(k: Kernel, path: str, data: bytes) -> None:
    with k.open_file(path, "wb") as f:
        f.write(data)


def test_ls_la_lists_kernel_files(run: Run, kernel: Kernel, kdir: str) -> None:
    kwrite(kernel, f"{kdir}/hello.txt", b"12345")
    kernel.mkdir(f"{kdir}/sub")
    out = ok(run("ls", "-la", f"/rump{kdir}"))
    lines = {ln.split()[-1]: ln for ln in out.splitlines()[1:]}
    assert set(lines) == {".", "..", "hello.txt", "sub"}
    assert lines["hello.txt"].startswith("-rw") and " 5 " in lines["hello.txt"]
    assert lines["sub"].startswith("d")


def test_cat_reads_kernel_file(run: Run, kernel: Kernel, kdir: str) -> None:
    data = bytes(range(256)) * 1000
    kwrite(kernel, f"{kdir}/blob", data)
    assert run("cat", f"/rump{kdir}/blob").stdout == data


def test_cp_in_and_out(run: Run, kernel: Kernel, kdir: str, tmp_path) -> None:
    src = tmp_path / "src.bin"
    data = os.urandom(300_000)
    src.write_bytes(data)
    ok(run("cp", str(src), f"/rump{kdir}/copy"))
    assert kread(kernel, f"{kdir}/copy") == data
    ok(run("cp", f"/rump{kdir}/copy", str(tmp_path / "back.bin")))
    assert (tmp_path / "back.bin").read_bytes() == data
    ok(run("cp", "-r", str(tmp_path), f"/rump{kdir}/tree"))
    assert sorted(kernel.listdir(f"{kdir}/tree")) == ["back.bin", "src.bin"]


def test_mkdir_mv_rm_r(run: Run, kernel: Kernel, kdir: str) -> None:
    ok(run("mkdir", "-p", f"/rump{kdir}/a/b/c"))
    assert stat.S_ISDIR(kernel.stat(f"{kdir}/a/b/c").st_mode)
    kwrite(kernel, f"{kdir}/a/b/c/f", b"x")
    ok(run("mv", f"/rump{kdir}/a", f"/rump{kdir}/z"))
    assert kernel.listdir(kdir) == ["z"]
    assert kread(kernel, f"{kdir}/z/b/c/f") == b"x"
    ok(run("rm", "-r", f"/rump{kdir}/z"))
    assert kernel.listdir(kdir) == []


def test_mv_across_the_prefix_copies(run: Run, kernel: Kernel, kdir: str, tmp_path) -> None:
    f = tmp_path / "m"
    f.write_bytes(b"moved")
    ok(run("mv", str(f), f"/rump{kdir}/m"))
    assert not f.exists() and kread(kernel, f"{kdir}/m") == b"moved"


def test_ln_and_ln_s(run: Run, kernel: Kernel, kdir: str) -> None:
    kwrite(kernel, f"{kdir}/f", b"data")
    ok(run("ln", f"/rump{kdir}/f", f"/rump{kdir}/hard"))
    ok(run("ln", "-s", "f", f"/rump{kdir}/soft"))
    assert kernel.stat(f"{kdir}/f").st_nlink == 2
    assert kernel.readlink(f"{kdir}/soft") == "f"
    assert ok(run("readlink", f"/rump{kdir}/soft")) == "f\n"
    assert run("cat", f"/rump{kdir}/soft").stdout == b"data"


def test_stat_touch_chmod(run: Run, kernel: Kernel, kdir: str) -> None:
    ok(run("touch", "-d", "2001-02-03 04:05:06 UTC", f"/rump{kdir}/t"))
    st = kernel.stat(f"{kdir}/t")
    assert st.st_size == 0 and st.st_mtime == 981173106
    ok(run("chmod", "640", f"/rump{kdir}/t"))
    assert stat.S_IMODE(kernel.stat(f"{kdir}/t").st_mode) == 0o640
    out = ok(run("stat", "-c", "%s %a %F %Y %i", f"/rump{kdir}/t"))
    assert out.split() == ["0", "640", "regular", "empty", "file", "981173106",
                           str(kernel.stat(f"{kdir}/t").st_ino)]


def test_dd_one_mebibyte(run: Run, kernel: Kernel, kdir: str, tmp_path) -> None:
    src = tmp_path / "rand"
    data = os.urandom(1 << 20)
    src.write_bytes(data)
    ok(run("dd", f"if={src}", f"of=/rump{kdir}/dd", "bs=64k", "status=none"))
    assert kread(kernel, f"{kdir}/dd") == data
    r = run("dd", f"if=/rump{kdir}/dd", "bs=1M", "skip=0", "count=1", "status=none")
    assert r.stdout == data


def test_head_sort_find_du(run: Run, kernel: Kernel, kdir: str) -> None:
    kwrite(kernel, f"{kdir}/words", b"pear\napple\nfig\n" * 3)
    assert ok(run("head", "-n", "2", f"/rump{kdir}/words")) == "pear\napple\n"
    assert ok(run("sort", "-u", f"/rump{kdir}/words")) == "apple\nfig\npear\n"
    ok(run("sort", "-o", f"/rump{kdir}/sorted", f"/rump{kdir}/words"))
    assert kread(kernel, f"{kdir}/sorted").split(b"\n")[:3] == [b"apple"] * 3
    kernel.makedirs(f"{kdir}/d/e")
    kwrite(kernel, f"{kdir}/d/e/g", b"1" * 5000)
    found = ok(run("find", f"/rump{kdir}", "-type", "f")).split()
    assert sorted(found) == sorted(f"/rump{kdir}/{n}" for n in ("words", "sorted", "d/e/g"))
    du = ok(run("du", "-s", "--apparent-size", "-b", f"/rump{kdir}/d")).split()
    assert int(du[0]) >= 5000 and du[1] == f"/rump{kdir}/d"


def test_tar_in_and_out(run: Run, kernel: Kernel, kdir: str, tmp_path) -> None:
    src = tmp_path / "src"
    (src / "x").mkdir(parents=True)
    (src / "x" / "a").write_bytes(b"alpha")
    (src / "b").write_bytes(b"beta" * 1000)
    archive = tmp_path / "a.tar"
    subprocess.run(["tar", "-C", str(src), "-cf", str(archive), "."], check=True)
    ok(run("tar", "-C", f"/rump{kdir}", "-xf", str(archive)))
    assert kread(kernel, f"{kdir}/x/a") == b"alpha"
    assert kread(kernel, f"{kdir}/b") == b"beta" * 1000
    ok(run("tar", "-C", f"/rump{kdir}", "-cf", str(tmp_path / "out.tar"), "x", "b"))
    listing = subprocess.run(["tar", "-tf", str(tmp_path / "out.tar")], capture_output=True,
                             text=True, check=True).stdout.split()
    assert sorted(listing) == ["b", "x/", "x/a"]
    ok(run("tar", "-C", f"/rump{kdir}", "-cf", f"/rump{kdir}/in.tar", "x"))
    names = subprocess.run(["tar", "-tf", "-"], input=kread(kernel, f"{kdir}/in.tar"),
                           capture_output=True, check=True).stdout.split()
    assert names == [b"x/", b"x/a"]


def test_missing_file_is_enoent_not_a_host_file(run: Run, kdir: str) -> None:
    r = run("cat", f"/rump{kdir}/nope")
    assert r.returncode == 1 and b"No such file or directory" in r.stderr
    r = run("ls", "/rump/etc/passwd")     # a host path that exists, inside the prefix
    assert r.returncode != 0 and r.stdout == b""


def test_df_and_stat_f_report_the_kernel_file_system(run: Run, kernel: Kernel,
                                                     kdir: str) -> None:
    v = kernel.statvfs(kdir)
    out = ok(run("stat", "-f", "-c", "%T %S %b", f"/rump{kdir}")).split()
    assert out == ["tmpfs", str(v.f_frsize), str(v.f_blocks)]
    lines = ok(run("df", "-k", f"/rump{kdir}")).splitlines()
    assert len(lines) == 2
    assert int(lines[1].split()[1]) == v.f_blocks * v.f_frsize // 1024


def test_other_prefix_and_relative_paths_from_a_host_cwd(target, kernel: Kernel,
                                                         kdir: str) -> None:
    from .conftest import make_runner
    kwrite(kernel, f"{kdir}/f", b"via k")
    run_k = make_runner(target.url)
    r = run_k("cat", f"/kern{kdir}/f", extra=("--prefix", "/kern"))
    assert ok(r) == "via k"
    assert run_k("cat", f"/rump{kdir}/f", extra=("--prefix", "/kern")).returncode != 0
    # from the host's / the relative path rump/... leads into the prefix
    assert ok(run_k("cat", f"rump{kdir}/f", cwd="/")) == "via k"


def test_the_programs_umask_applies_in_the_kernel(run: Run, kernel: Kernel, kdir: str) -> None:
    ok(run("sh", "-c", f"umask 077; touch /rump{kdir}/private; umask 002; mkdir /rump{kdir}/grp"))
    assert stat.S_IMODE(kernel.stat(f"{kdir}/private").st_mode) == 0o600
    assert stat.S_IMODE(kernel.stat(f"{kdir}/grp").st_mode) == 0o775
