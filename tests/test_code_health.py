"""Code health: mypy and ruff pass over the package (their settings are in
pyproject.toml), and the client's types reach the users' type checkers (PEP 561).

They run as tests so that ./run-tests, and with it CI (.ci/run), fails on a type
error or a lint finding like on any other regression.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None
         ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=cwd, env=env,
                          capture_output=True, text=True)


def test_mypy_passes_over_the_package() -> None:
    r = _run(["mypy", "sysproxy"], ROOT)
    assert r.returncode == 0, r.stdout + r.stderr


def test_ruff_passes_over_the_package_and_the_tests() -> None:
    r = _run(["ruff", "check", "sysproxy", "tests"], ROOT)
    assert r.returncode == 0, r.stdout + r.stderr


# ----- the types a user of the client gets ---------------------------------------

@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The package as an install lays it out (setuptools' build_py: the modules plus
    the package-data, py.typed among them), in a directory of its own: an editable
    install's import hook is invisible to mypy, so the checkout itself cannot tell."""
    out = tmp_path_factory.mktemp("site")
    r = subprocess.run([sys.executable, "-c", "import setuptools; setuptools.setup()",
                        "-q", "build_py", "--build-lib", str(out)],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    return out


def _mypy_user(site: Path, tmp_path: Path, script: str) -> tuple[int, str]:
    """mypy (no project config) over a user's script, the package found in ``site``
    as in site-packages: only a py.typed marker lets mypy use its types."""
    (tmp_path / "user.py").write_text(script)
    env = {k: v for k, v in os.environ.items() if k != "MYPYPATH"}
    env["PYTHONPATH"] = str(site)
    r = _run(["mypy", "--no-incremental", "--cache-dir", os.devnull, "--strict",
              "user.py"], tmp_path, env)
    return r.returncode, r.stdout + r.stderr


GOOD = '''\
import os

import sysproxy


def size(url: str, path: str) -> int:
    k: sysproxy.Kernel = sysproxy.connect(url, timeout=5.0)
    st: os.stat_result = k.stat(path, follow_symlinks=False)
    with k.open_file(path, "rb") as f:
        f.read(1)
    return st.st_size + k.stat(path, dir_fd=3).st_mode
'''

# Each line marked "# error: CODE" must draw that mypy error, and no other line any.
BAD = '''\
import sysproxy


def wrong(url: str, path: str) -> None:
    k = sysproxy.connect(url, timeout="soon")  # error: arg-type
    name: str = k.stat(path).st_size  # error: assignment
    k.stat(path, dir_fd="3")  # error: arg-type
    k.stat(path, follow=False)  # error: call-arg
    k.no_such_call(path)  # error: attr-defined
    print(name)
'''


def test_a_users_correct_script_passes_mypy(installed: Path, tmp_path: Path) -> None:
    assert (installed / "sysproxy" / "py.typed").is_file()  # shipped as package-data
    rc, out = _mypy_user(installed, tmp_path, GOOD)
    assert rc == 0, out


def test_a_users_wrong_calls_are_caught(installed: Path, tmp_path: Path) -> None:
    rc, out = _mypy_user(installed, tmp_path, BAD)
    expected = {(n, m.group(1)) for n, line in enumerate(BAD.splitlines(), 1)
                if (m := re.search(r"# error: ([a-z-]+)$", line))}
    found = {(int(m.group(1)), m.group(2))
             for m in re.finditer(r"^user\.py:(\d+): error: .*\[([a-z-]+)\]$", out, re.M)}
    assert rc == 1 and found == expected, out


def test_without_py_typed_the_user_gets_no_types(installed: Path, tmp_path: Path) -> None:
    """The marker is what makes the difference: without it the package is untyped."""
    site = tmp_path / "site"
    shutil.copytree(installed, site)
    (site / "sysproxy" / "py.typed").unlink()
    rc, out = _mypy_user(site, tmp_path, GOOD)
    assert rc == 1 and "import-untyped" in out, out
