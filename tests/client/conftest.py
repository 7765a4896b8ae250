"""Fixtures: a scriptable fake server, and the real ``sysproxy serve`` over unix and tcp.

With ``SYSPROXY_TEST_SERVER=URL`` set, the integration fixtures use the server at
URL (e.g. NetBSD's ``rump_server -lrumpvfs -lrumpfs_tmpfs -lrumpdev URL``) instead
of starting ``sysproxy serve``; see tests/README.md.
"""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid

import pytest

from support.server import die_with_parent

from .fakeserver import FakeServer

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

#: The URL of an external server to test against (None: start our own).
EXTERNAL = os.environ.get("SYSPROXY_TEST_SERVER") or None


def ours_only(reason: str):
    """Skip a test when SYSPROXY_TEST_SERVER points at another server."""
    return pytest.mark.skipif(EXTERNAL is not None,
                              reason=f"only against our sysproxy serve: {reason}")


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
                            cwd=REPO, text=True, preexec_fn=die_with_parent)
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


@pytest.fixture(params=["external"] if EXTERNAL else ["unix", "tcp"])
def server_url(request, sockdir):
    """The URL of a fresh real server, over a unix socket and over tcp.

    With SYSPROXY_TEST_SERVER set: that server, not fresh (tests must use
    :func:`scratch_dir` for files and leave nothing behind).
    """
    if request.param == "external":
        yield EXTERNAL
        return
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


@pytest.fixture(scope="module")
def module_server_url():
    """One server for a whole module (ours over a unix socket, or the external one)."""
    if EXTERNAL:
        yield EXTERNAL
        return
    with tempfile.TemporaryDirectory(prefix="spm") as d:
        proc = start_server(f"unix://{d}/sp.sock")
        yield f"unix://{d}/sp.sock"
        stop_server(proc)


@contextlib.contextmanager
def scratch_dir(k, mode: int = 0o755, path: str | None = None):
    """A fresh, empty directory with a real file system (tmpfs) in the kernel.

    Our server's root is a tmpfs already. NetBSD's rump_server roots at rumpfs,
    which has no rename or link (and tmpfs is not mounted anywhere by default), so
    on an external server a tmpfs is mounted on the directory, as the files
    vector's client does. Removed again afterwards.
    """
    path = path or f"/sptest-{uuid.uuid4().hex[:10]}"
    if EXTERNAL:  # a fixed path left mounted by an interrupted run: clear it
        with contextlib.suppress(OSError):
            k.unmount(path, 0x80000)
        with contextlib.suppress(OSError):
            k.rmdir(path)
    k.mkdir(path, mode)
    if EXTERNAL:
        k.mount_tmpfs(path, mode=mode)
    try:
        yield path
    finally:
        with contextlib.suppress(OSError):
            k.chdir("/")
        if EXTERNAL:
            with contextlib.suppress(OSError):
                k.unmount(path, 0x80000)  # MNT_FORCE: descriptors may be open
        else:
            remove_tree(k, path)
        with contextlib.suppress(OSError):
            k.rmdir(path)


def remove_tree(k, top) -> None:
    """rm -r in the kernel (errors ignored)."""
    for dirpath, dirs, files in k.walk(top, topdown=False):
        for name in files:
            with contextlib.suppress(OSError):
                k.unlink(os.path.join(dirpath, name))
        for name in dirs:
            p = os.path.join(dirpath, name)
            with contextlib.suppress(OSError):
                if k.lstat(p).st_mode & 0o170000 == 0o120000:
                    k.unlink(p)
                else:
                    k.rmdir(p)
