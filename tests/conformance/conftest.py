"""Fixtures for the pjdfstest-style conformance cases: one server per module,
a fresh working directory per case, and pass counts in the terminal summary.

With ``SYSPROXY_CONFORMANCE_SERVER=URL`` the cases run against that server
instead (NetBSD's real rump_server with tmpfs loaded: each case's directory is
then a tmpfs mounted on a directory of its rumpfs root, which has no links or
renames). That is how the assertions were checked against NetBSD 7.99.34.
"""
from __future__ import annotations

import os
from types import SimpleNamespace
from typing import Any, Iterator

import pytest

from support.rawclient import RawClient
from support.server import ServerProcess

from .pjd import Kernel

TOTALS = {"passed": 0, "failed": 0}


EXTERNAL = os.environ.get("SYSPROXY_CONFORMANCE_SERVER") or None

# Cases the reference server cannot run, with why (none of these is a behaviour
# sysproxy should copy; docs/CONFORMANCE.md lists the reference's own bugs).
REFERENCE_CANNOT = {
    "test_open[t17_fifo_and_socket]": "its tmpfs FIFOs cannot be opened (EOPNOTSUPP)",
    "test_open[t25_large_offsets]": "a rump kernel's tmpfs is limited to its small RAM (ENOSPC)",
    "test_truncate[t00_sizes_and_times]": "a rump kernel's tmpfs is limited to its small RAM",
}


@pytest.fixture(autouse=True)
def _reference_limits(request: pytest.FixtureRequest) -> None:
    why = REFERENCE_CANNOT.get(request.node.name) if EXTERNAL else None
    if why:
        pytest.skip(f"the reference server cannot: {why}")


@pytest.fixture(scope="module")
def pjd_server(request: pytest.FixtureRequest) -> Any:
    if EXTERNAL:
        return SimpleNamespace(url=EXTERNAL)
    server: ServerProcess = request.getfixturevalue("module_server")
    return server


@pytest.fixture
def k(pjd_server: ServerProcess) -> Iterator[Kernel]:
    c = RawClient(pjd_server.url, name="pjdfstest")
    kern = Kernel(c)
    kern.url = pjd_server.url  # type: ignore[attr-defined]
    if EXTERNAL:
        kern.tick_s = 0.025
        kern.external = True  # no EFAULT from unmapped client addresses, no FIFO opens
    kern.enter(mount_tmpfs=EXTERNAL is not None)
    try:
        yield kern
    finally:
        TOTALS["passed"] += kern.passed
        TOTALS["failed"] += len(kern.failures)
        c.close()


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # type: ignore[no-untyped-def]
    if TOTALS["passed"] or TOTALS["failed"]:
        terminalreporter.write_line(
            f"pjdfstest-style assertions checked: {TOTALS['passed']} held, {TOTALS['failed']} did not")
