"""Fixtures for `sysproxy run`: a kernel (ours, and NetBSD's real rump_server when
it is present), a fresh kernel directory per test, and a runner that starts
``python -m sysproxy run --server URL -- PROGRAM ...``."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from dataclasses import dataclass
from collections.abc import Callable, Iterator

import pytest

from sysproxy.client import Kernel, connect
from support.reference import ReferenceServer, skip_reason
from support.server import ROOT, ServerProcess



def seccomp_notify_works() -> str | None:
    """None, or why seccomp user notification is unavailable here."""
    try:
        with open("/proc/sys/kernel/seccomp/actions_avail") as f:
            if "user_notif" not in f.read().split():
                return "the host kernel offers no seccomp user_notif"
    except OSError:
        return "no seccomp on this host"
    return None


@dataclass
class Target:
    name: str
    url: str
    base: str   # a directory in the kernel where files may be made (tmpfs)


def _ours() -> Iterator[Target]:
    s = ServerProcess(f"unix:///tmp/spr-{uuid.uuid4().hex[:12]}.sock")
    try:
        yield Target("ours", s.url, "")
    finally:
        s.stop()


def _reference() -> Iterator[Target]:
    why = skip_reason()
    if why:
        pytest.skip(why)
    with ReferenceServer() as ref:
        k = connect(ref.url, "setup")
        k.mkdir("/w")
        k.mount_tmpfs("/w")   # its root is rumpfs: no rename or links there
        k.disconnect()
        yield Target("reference", ref.url, "/w")


@pytest.fixture(scope="module", params=["ours", "reference"])
def target(request: pytest.FixtureRequest) -> Iterator[Target]:
    why = seccomp_notify_works()
    if why:
        pytest.skip(why)
    yield from (_ours() if request.param == "ours" else _reference())


@pytest.fixture(scope="module")
def ours() -> Iterator[Target]:
    why = seccomp_notify_works()
    if why:
        pytest.skip(why)
    yield from _ours()


@pytest.fixture
def kernel(target: Target) -> Iterator[Kernel]:
    k = connect(target.url, "check")
    yield k
    k.disconnect()


@pytest.fixture
def kdir(kernel: Kernel, target: Target) -> str:
    """A fresh kernel directory; its host name is "/rump" + this."""
    d = f"{target.base}/t-{uuid.uuid4().hex[:8]}"
    kernel.mkdir(d)
    return d


Run = Callable[..., subprocess.CompletedProcess]


def run_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("RUMP_SERVER", None)
    env["LC_ALL"] = "C"
    return env


def make_runner(url: str) -> Run:
    def _run(*argv: str, input: bytes | str | None = None, timeout: float = 60,
             cwd: str | None = None, extra: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "sysproxy", "run", "--server", url,
                               *extra, "--", *argv],
                              input=input.encode() if isinstance(input, str) else input,
                              capture_output=True, env=run_env(), timeout=timeout,
                              cwd=cwd or str(ROOT))
    return _run


@pytest.fixture
def run(target: Target) -> Run:
    """run("ls", "-la", "/rump/x") -> CompletedProcess (bytes)."""
    return make_runner(target.url)


def have(tool: str) -> bool:
    return shutil.which(tool) is not None
