"""Shells, Python scripts and a static binary under `sysproxy run`: redirections,
pipelines, cd and subshells, fork and exec, and what cannot be done."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from sysproxy.client import Kernel

from .conftest import Run, have
from .test_files import kread, kwrite, ok


@pytest.mark.parametrize("shell", ["sh", "bash"])
def test_shell_redirections_pipelines_cd_subshells(run: Run, kernel: Kernel, kdir: str,
                                                    shell: str) -> None:
    if not have(shell):
        pytest.skip(f"no {shell}")
    script = f"""
        cd /rump{kdir} || exit 9
        echo one > a
        echo two >> a
        cat a | sort -r > b
        (cd /rump{kdir}/..; ls -d {kdir.rsplit('/', 1)[1]}) > sub
        {{ echo x; echo y 1>&2; }} > c 2>&1
        exec 3> fd3; echo via3 >&3; exec 3>&-
        wc -l < a > count
        pwd > where
        echo "$(cat b)" > captured
    """
    r = run(shell, "-c", script)
    ok(r)
    assert kread(kernel, f"{kdir}/a") == b"one\ntwo\n"
    assert kread(kernel, f"{kdir}/b") == b"two\none\n"
    assert kread(kernel, f"{kdir}/sub") == kdir.rsplit("/", 1)[1].encode() + b"\n"
    assert kread(kernel, f"{kdir}/c") == b"x\ny\n"
    assert kread(kernel, f"{kdir}/fd3") == b"via3\n"
    assert kread(kernel, f"{kdir}/count").strip() == b"2"
    assert kread(kernel, f"{kdir}/where") == f"/rump{kdir}\n".encode()
    assert kread(kernel, f"{kdir}/captured") == b"two\none\n"


def test_stdin_from_kernel_file_and_pipeline_between_processes(run: Run, kernel: Kernel,
                                                              kdir: str) -> None:
    kwrite(kernel, f"{kdir}/in", b"".join(b"%d\n" % i for i in range(2000, 0, -1)))
    ok(run("sh", "-c", f"sort -n < /rump{kdir}/in | head -n 3 > /rump{kdir}/out"))
    assert kread(kernel, f"{kdir}/out") == b"1\n2\n3\n"


def test_python_script_os_and_open(run: Run, kernel: Kernel, kdir: str) -> None:
    script = f"""
import os, pathlib
d = "/rump{kdir}"
fd = os.open(d + "/raw", os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
os.write(fd, b"raw bytes"); os.close(fd)
with open(d + "/text", "w") as f:
    f.write("line1\\nline2\\n")
os.makedirs(d + "/x/y")
os.rename(d + "/text", d + "/x/moved")
os.chdir(d + "/x")
print(os.getcwd(), sorted(os.listdir(".")), os.stat("moved").st_size)
print(sorted(p.name for p in pathlib.Path(d).iterdir()))
try:
    os.open(d + "/raw", os.O_CREAT | os.O_EXCL | os.O_WRONLY)
except FileExistsError:
    print("EEXIST")
print(oct(os.stat(d + "/raw").st_mode & 0o777), open(d + "/raw", "rb").read().decode())
"""
    out = ok(run("python3", "-c", script)).splitlines()
    assert out == [f"/rump{kdir}/x ['moved', 'y'] 12", "['raw', 'x']", "EEXIST",
                   "0o600 raw bytes"]
    assert kread(kernel, f"{kdir}/x/moved") == b"line1\nline2\n"


def test_exec_keeps_the_kernel_process_and_closes_cloexec(run: Run, kernel: Kernel,
                                                          kdir: str, tmp_path: Path) -> None:
    """A descriptor without close-on-exec survives exec (the program writes through
    it); one with it is gone in the new program."""
    child = tmp_path / "child.py"
    child.write_text(
        "import os, sys\n"
        "keep, gone = int(sys.argv[1]), int(sys.argv[2])\n"
        "os.write(keep, b'kept\\n')\n"
        "try:\n"
        "    os.write(gone, b'lost')\n"
        "except OSError as e:\n"
        "    print(e.errno)\n")
    script = f"""
import os
keep = os.open("/rump{kdir}/keep", os.O_CREAT | os.O_WRONLY, 0o644)
gone = os.open("/rump{kdir}/gone", os.O_CREAT | os.O_WRONLY | os.O_CLOEXEC, 0o644)
os.set_inheritable(keep, True)
os.execvp("python3", ["python3", "{child}", str(keep), str(gone)])
"""
    out = ok(run("python3", "-c", script))
    assert out == "9\n"    # EBADF: the close-on-exec descriptor was closed
    assert kread(kernel, f"{kdir}/keep") == b"kept\n"
    assert kread(kernel, f"{kdir}/gone") == b""


def test_static_binary(run: Run, kernel: Kernel, kdir: str, tmp_path: Path) -> None:
    cc = shutil.which("cc")
    if cc is None:
        pytest.skip("no C compiler")
    src = tmp_path / "s.c"
    src.write_text("""
#include <stdio.h>
#include <fcntl.h>
#include <unistd.h>
#include <dirent.h>
int main(int argc, char **argv) {
    char path[4096]; snprintf(path, sizeof path, "%s/s.txt", argv[1]);
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    if (fd < 0) { perror("open"); return 1; }
    if (write(fd, "static\\n", 7) != 7) return 2;
    close(fd);
    DIR *d = opendir(argv[1]); struct dirent *e;
    if (!d) { perror("opendir"); return 3; }
    while ((e = readdir(d))) if (e->d_name[0] != '.') printf("entry %s\\n", e->d_name);
    return closedir(d);
}
""")
    exe = tmp_path / "s"
    r = subprocess.run([cc, "-static", "-o", str(exe), str(src)], capture_output=True)
    if r.returncode != 0:
        pytest.skip(f"cannot link statically here: {r.stderr.decode()[:200]}")
    out = ok(run(str(exe), f"/rump{kdir}"))
    assert out == "entry s.txt\n"
    assert kread(kernel, f"{kdir}/s.txt") == b"static\n"


def test_mmap_private_reads_and_shared_writable_fails_loudly(run: Run, kernel: Kernel,
                                                             kdir: str) -> None:
    kwrite(kernel, f"{kdir}/m", b"mapped content")
    script = f"""
import mmap
with open("/rump{kdir}/m", "rb") as f:
    print(mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ)[:6].decode())
with open("/rump{kdir}/m", "r+b") as f:
    try:
        mmap.mmap(f.fileno(), 0)
    except OSError as e:
        print("errno", e.errno)
"""
    r = run("python3", "-c", script)
    assert ok(r) == "mapped\nerrno 19\n"
    assert b"shared writable mmap of a kernel file is not supported" in r.stderr


def test_threads_share_one_kernel_process(run: Run, kernel: Kernel, kdir: str) -> None:
    script = f"""
import os, threading
def work(i):
    with open("/rump{kdir}/t%d" % i, "w") as f:
        for j in range(300):
            f.write("%d:%d\\n" % (i, j))
ts = [threading.Thread(target=work, args=(i,)) for i in range(4)]
for t in ts: t.start()
for t in ts: t.join()
print(len([n for n in os.listdir("/rump{kdir}") if n.startswith("t")]))
"""
    assert ok(run("python3", "-c", script)) == "4\n"
    for i in range(4):
        assert kread(kernel, f"{kdir}/t{i}") == "".join(f"{i}:{j}\n" for j in range(300)).encode()


def test_bash_runs_a_script_stored_in_the_kernel(run: Run, kernel: Kernel, kdir: str) -> None:
    if not have("bash"):
        pytest.skip("no bash")
    kwrite(kernel, f"{kdir}/s.sh",
           f"cd /rump{kdir}\nfor i in 1 2 3; do echo $i; done > loop\ncat loop\n".encode())
    assert ok(run("bash", f"/rump{kdir}/s.sh")) == "1\n2\n3\n"
    assert kread(kernel, f"{kdir}/loop") == b"1\n2\n3\n"


def test_exit_status_and_signals_pass_through(run: Run) -> None:
    assert run("sh", "-c", "exit 7").returncode == 7
    assert run("sh", "-c", "kill -TERM $$").returncode == 128 + 15
    r = run("/nonexistent/program")
    assert r.returncode == 127 and b"No such file or directory" in r.stderr


def test_errors_are_linux_errnos(run: Run, kernel: Kernel, kdir: str) -> None:
    """NetBSD's errno numbers differ from Linux's (ENOTEMPTY 66 vs 39, ELOOP 62 vs 40):
    the program sees Linux's."""
    kernel.makedirs(f"{kdir}/full/x")
    kernel.symlink("loop", f"{kdir}/loop")
    script = f"""
import errno, os
d = "/rump{kdir}"
for call in (lambda: os.rmdir(d + "/full"), lambda: os.mkdir(d + "/full"),
             lambda: open(d + "/loop"), lambda: os.open(d + "/full", os.O_WRONLY),
             lambda: os.listdir(d + "/nothing"), lambda: os.readlink(d + "/full")):
    try:
        call()
    except OSError as e:
        print(errno.errorcode[e.errno])
"""
    assert ok(run("python3", "-c", script)).split() == [
        "ENOTEMPTY", "EEXIST", "ELOOP", "EISDIR", "ENOENT", "EINVAL"]


def test_sigpipe_is_default_in_the_program(run: Run, kernel: Kernel, kdir: str) -> None:
    """The program does not inherit the supervisor's ignored SIGPIPE: a writer into
    a closed pipe dies quietly, as in a shell."""
    kwrite(kernel, f"{kdir}/many", b"".join(b"line %d\n" % i for i in range(100000)))
    r = run("sh", "-c", f"cat /rump{kdir}/many | head -n 1; echo ${{PIPESTATUS:-done}}")
    assert r.stdout == b"line 0\ndone\n" and r.stderr == b"", r.stderr


def test_forked_processes_share_kernel_file_offsets(run: Run, kernel: Kernel, kdir: str) -> None:
    """fork is the protocol's fork: parent and child share the open file (and its
    offset), as after a host fork."""
    kwrite(kernel, f"{kdir}/in", b"abcdefghij\nsecond\n")
    out = ok(run("sh", "-c", f"{{ head -c 3; echo '|'; cat; }} < /rump{kdir}/in"))
    assert out == "abc|\ndefghij\nsecond\n"
    ok(run("sh", "-c", f"exec 4>/rump{kdir}/log; (echo child >&4); echo parent >&4"))
    assert kread(kernel, f"{kdir}/log") == b"child\nparent\n"
