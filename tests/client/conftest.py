"""Fixtures: a scriptable fake server, and the real ``sysproxy serve`` over unix and tcp."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time

import pytest

from .fakeserver import FakeServer

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture
def sockdir():
    # A short directory: unix socket paths must fit 107 bytes.
    with tempfile.TemporaryDirectory(prefix="spc") as d:
        yield d


@pytest.fixture
def fake(sockdir):
    srv = FakeServer(sockdir)
    yield srv
    srv.close()
    assert not srv.errors, srv.errors


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(url: str, timeout: float = 20.0) -> subprocess.Popen:
    """Start ``python -m sysproxy serve URL`` and wait for its 'listening' line."""
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen([sys.executable, "-m", "sysproxy", "serve", url],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            cwd=REPO, text=True)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        if "listening on" in line:
            return proc
    proc.kill()
    err = proc.stderr.read()
    proc.wait()
    pytest.skip(f"sysproxy serve did not start: {err[-2000:]}")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    for f in (proc.stdout, proc.stderr):
        f.close()


@pytest.fixture(params=["unix", "tcp"])
def server_url(request, sockdir):
    """The URL of a fresh real server, over a unix socket and over tcp."""
    if request.param == "unix":
        url = f"unix://{sockdir}/sp.sock"
    else:
        url = f"tcp://127.0.0.1:{_free_port()}"
    proc = start_server(url)
    yield url
    stop_server(proc)


@pytest.fixture
def kernel(server_url):
    from sysproxy.client import connect
    k = connect(server_url, "pytest")
    yield k
    k.disconnect()
