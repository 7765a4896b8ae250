"""Running Python code as another host user (the tests run as root here).

The child drops its groups, gid and uid in ``preexec_fn`` and then execs an
interpreter that user can run (the test's own may live under /root). Tests
that need this skip when the suite does not run as root or no interpreter
is usable.
"""
from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .server import ROOT, die_with_parent

_CANDIDATES = (sys.executable, "/usr/bin/python3", "/usr/local/bin/python3")
_usable: dict[int, str | None] = {}
_root = ROOT  # where other users import sysproxy and support from


def _readable_copy() -> Path:
    """A world-readable copy of the package and the test support, for a checkout
    other users cannot reach (e.g. a clone under a 0700 directory of mktemp -d)."""
    d = Path(tempfile.mkdtemp(prefix="sysproxy-asuser-"))
    atexit.register(shutil.rmtree, d, True)
    shutil.copytree(ROOT / "sysproxy", d / "sysproxy")
    shutil.copytree(ROOT / "tests" / "support", d / "tests" / "support")
    for dirpath, _, files in os.walk(d):
        os.chmod(dirpath, 0o755)
        for f in files:
            os.chmod(os.path.join(dirpath, f), 0o644)
    return d


def _drop(uid: int, gid: int, groups: tuple[int, ...]) -> Callable[[], None]:
    def pre() -> None:
        die_with_parent()
        os.setgroups(list(groups))
        os.setgid(gid)
        os.setuid(uid)
    return pre


def python_for(uid: int) -> str | None:
    """An interpreter (3.11+) that ``uid`` can run and that can import sysproxy, or None."""
    if os.geteuid() != 0:
        return None
    global _root
    if uid not in _usable:
        _usable[uid] = _find_python(uid)
        if _usable[uid] is None and _root == ROOT:
            _root = _readable_copy()
            _usable[uid] = _find_python(uid)
    return _usable[uid]


def _find_python(uid: int) -> str | None:
    """The first candidate interpreter that ``uid`` can run and import sysproxy with."""
    for exe in _CANDIDATES:
        if not os.path.exists(exe):
            continue
        try:
            check = "import sys, sysproxy; assert sys.version_info >= (3, 11)"
            r = subprocess.run([exe, "-c", check],
                               env=env(), capture_output=True, preexec_fn=_drop(uid, uid, ()))
        except OSError:  # e.g. an interpreter under /root
            continue
        if r.returncode == 0:
            return exe
    return None


def env() -> dict[str, str]:
    e = dict(os.environ)
    e["PYTHONPATH"] = os.pathsep.join([str(_root), str(_root / "tests")])
    e["PYTHONDONTWRITEBYTECODE"] = "1"
    return e


def popen_as(uid: int, gid: int, argv: list[str], groups: tuple[int, ...] = (),
             **kw: Any) -> subprocess.Popen[str]:
    """``argv`` (argv[0] None: the usable interpreter) as uid/gid/groups."""
    exe = python_for(uid)
    assert exe is not None
    return subprocess.Popen([exe, *argv], env=env(), text=True, preexec_fn=_drop(uid, gid, groups),
                            **kw)


def run_as(uid: int, gid: int, code: str, *args: str, groups: tuple[int, ...] = ()) -> Any:
    """Run ``code`` (Python; ``sys.argv[1:]`` are ``args``) as that user; it prints one JSON
    value last, which is returned. A failure raises with the child's stderr."""
    p = popen_as(uid, gid, ["-c", code, *args], groups, stdout=subprocess.PIPE,
                 stderr=subprocess.PIPE)
    out, err = p.communicate(timeout=60)
    if p.returncode != 0:
        raise AssertionError(f"child as uid {uid} failed ({p.returncode}): {err}")
    return json.loads(out.strip().splitlines()[-1])
