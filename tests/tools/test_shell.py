"""sysproxy shell: scripted through standard input, and its completer called directly."""
from __future__ import annotations

from pathlib import Path

import pytest

from sysproxy.client import Kernel, connect
from sysproxy.tools.shell import Shell
from support.server import ServerProcess
from .conftest import Run


def test_script_runs_commands_on_one_connection(run: Run, kdir: str, tmp_path: Path) -> None:
    host = tmp_path / "h.txt"
    host.write_text("hello shell\n")
    script = f"""
        # comments and blank lines are skipped
        mkdir {kdir}/w
        cd {kdir}/w
        pwd
        put {host} copy.txt
        ls
        cat copy.txt
        ps
    """
    r = run("shell", input=script)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[:3] == [f"{kdir}/w", "copy.txt", "hello shell"]
    comms = [ln.split()[3] for ln in lines[4:]]
    assert comms.count("shell") == 1 and "ps" not in comms  # one process for everything


def test_script_errors_and_status(run: Run) -> None:
    r = run("shell", input="ls /nope\nbogus\nls --bad-flag\ncd /nope\n")
    assert r.returncode == 1  # the last command's status, as sh
    err = r.stderr.splitlines()
    assert err[0] == "ls: /nope: No such file or directory"
    assert err[1] == "sysproxy: bogus: command not found"
    assert err[2] == "ls: unrecognized arguments: --bad-flag"
    assert err[-1] == "cd: /nope: No such file or directory"
    r = run("shell", input="ls /nope\nexit 3\nls /nope\n")
    assert r.returncode == 3 and r.stderr.count("No such file") == 1
    assert run("shell", input="ls /nope\nls /\n").returncode == 0


def test_help(run: Run) -> None:
    out = run("shell", input="help\nhelp ls\n").stdout
    assert "  put      copy a host file into the kernel" in out and "usage: ls" in out


@pytest.fixture
def shell(srv: ServerProcess) -> Shell:
    k = connect(srv.url, "completer")
    yield Shell(k)
    k.disconnect()


def test_complete_command_names(shell: Shell) -> None:
    assert shell.completions("", "p") == ["ps ", "put ", "pwd "]
    assert shell.completions("", "tr") == ["tree "]
    assert "shell " not in shell.completions("", "s")


def test_complete_kernel_paths(shell: Shell, kernel: Kernel, kdir: str) -> None:
    kernel.mkdir(f"{kdir}/sub")
    for name in ("alpha", "alps", ".dot"):
        kernel.open_file(f"{kdir}/{name}", "wb").close()
    assert shell.completions("ls ", f"{kdir}/al") == [f"{kdir}/alpha", f"{kdir}/alps"]
    assert shell.completions("cat -l ", f"{kdir}/s") == [f"{kdir}/sub/"]
    assert shell.completions("ls ", f"{kdir}/.") == [f"{kdir}/.dot"]
    assert shell.completions("cd ", f"{kdir}/") == [f"{kdir}/sub/"]  # cd: directories only
    assert shell.completions("ls ", "/de") == ["/dev/"]
    assert shell.completions("ls ", "/nope/x") == []
    shell.k.chdir(kdir)
    assert shell.completions("rm ", "al") == ["alpha", "alps"]


def test_complete_host_operands(shell: Shell, tmp_path: Path) -> None:
    (tmp_path / "local.bin").write_bytes(b"")
    (tmp_path / "ldir").mkdir()
    assert shell.completions("put ", f"{tmp_path}/l") == [f"{tmp_path}/ldir/",
                                                         f"{tmp_path}/local.bin"]
    assert shell.completions("get /dev/null ", f"{tmp_path}/loc") == [f"{tmp_path}/local.bin"]
    assert shell.completions("get ", "/de") == ["/dev/"]  # get's first operand is the kernel's


def test_interactive_prompt_and_history(srv: ServerProcess, tmp_path: Path) -> None:
    """On a terminal: a prompt with the kernel cwd, readline, and the history file."""
    import os
    import pty
    import subprocess
    import sys
    import time

    from support.server import ROOT
    from .conftest import tool_env

    hist = tmp_path / "hist"
    env = tool_env(srv.url)
    env.update(SYSPROXY_HISTORY=str(hist), TERM="dumb")
    master, slave = pty.openpty()
    p = subprocess.Popen([sys.executable, "-m", "sysproxy", "shell"], stdin=slave,
                         stdout=slave, stderr=slave, env=env, cwd=ROOT)
    os.close(slave)
    seen = b""

    def expect(what: bytes) -> None:
        nonlocal seen
        deadline = time.monotonic() + 20
        while what not in seen and time.monotonic() < deadline:
            seen += os.read(master, 4096)
        assert what in seen, seen

    try:
        expect(b"sysproxy:/> ")
        os.write(master, b"cd /dev\n")
        expect(b"sysproxy:/dev> ")
        os.write(master, b"ls\n")
        expect(b"urandom")
        os.write(master, b"exit\n")
        assert p.wait(20) == 0
    finally:
        os.close(master)
        if p.poll() is None:
            p.kill()
    assert hist.read_text().split() == ["cd", "/dev", "ls", "exit"]
