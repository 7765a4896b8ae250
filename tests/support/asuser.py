"""Running Python code as another host user (the tests run as root here).

The child drops its groups, gid and uid in ``preexec_fn`` and then execs an
interpreter that user can run (the test's own may live under /root). Tests
that need this skip when the suite does not run as root or no interpreter
is usable.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

from .server import ROOT, die_with_parent

_CANDIDATES = (sys.executable, "/usr/bin/python3", "/usr/local/bin/python3")
_usable: dict[int, str | None] = {}


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
    if uid not in _usable:
        _usable[uid] = None
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
                _usable[uid] = exe
                break
    return _usable[uid]


def env() -> dict[str, str]:
    e = dict(os.environ)
    e["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "tests")])
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
