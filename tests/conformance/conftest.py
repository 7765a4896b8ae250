"""Fixtures for the pjdfstest-style conformance cases: one server per module,
a fresh working directory per case, and pass counts in the terminal summary."""
from __future__ import annotations

from typing import Iterator

import pytest

from support.rawclient import RawClient
from support.server import ServerProcess

from .pjd import Kernel

TOTALS = {"passed": 0, "failed": 0}


@pytest.fixture(scope="module")
def pjd_server(module_server: ServerProcess) -> ServerProcess:
    return module_server


@pytest.fixture
def k(pjd_server: ServerProcess) -> Iterator[Kernel]:
    c = RawClient(pjd_server.url, name="pjdfstest")
    kern = Kernel(c)
    kern.url = pjd_server.url  # type: ignore[attr-defined]
    kern.enter()
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
