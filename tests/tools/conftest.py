"""Fixtures for the command-line tools: one real server per module, and a runner
that starts ``python -m sysproxy TOOL ...`` against it as a separate process."""
from __future__ import annotations

import os
import subprocess
import sys
import uuid
from typing import Callable, Iterator

import pytest

from sysproxy.client import Kernel, connect
from support.server import ROOT, ServerProcess

Run = Callable[..., subprocess.CompletedProcess]


@pytest.fixture(scope="module")
def srv() -> Iterator[ServerProcess]:
    s = ServerProcess(f"unix:///tmp/spt-{uuid.uuid4().hex[:12]}.sock")
    yield s
    s.stop()


def tool_env(url: str | None) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["PYTHONIOENCODING"] = "utf-8"
    env.pop("RUMP_SERVER", None)
    if url is not None:
        env["RUMP_SERVER"] = url
    return env


@pytest.fixture
def run(srv: ServerProcess) -> Run:
    """run("ls", "-l", "/") -> CompletedProcess (text unless binary=True)."""
    def _run(*argv: str, input: str | bytes | None = None, binary: bool = False,
             url: str | None = srv.url, timeout: float = 30) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "sysproxy", *argv], input=input,
                              capture_output=True, text=not binary, env=tool_env(url),
                              timeout=timeout, cwd=ROOT)
    return _run


@pytest.fixture
def kernel(srv: ServerProcess) -> Iterator[Kernel]:
    """A direct client connection, to set up and check what the tools did."""
    k = connect(srv.url, "check")
    yield k
    k.disconnect()


@pytest.fixture
def kdir(kernel: Kernel) -> str:
    """A fresh directory in the kernel for one test."""
    d = f"/t-{uuid.uuid4().hex[:8]}"
    kernel.mkdir(d)
    return d
