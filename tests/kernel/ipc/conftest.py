"""Every test here runs twice: on our server and on NetBSD's real rump_server.

The assertions are NetBSD 7.99.34's answers; the "reference" run proves them
(skipped, with the reason, where ../shared/reference is absent).
"""
from __future__ import annotations

import uuid
from typing import Iterator

import pytest

from support.rawclient import RawClient
from support.reference import REFERENCE, ReferenceServer, reference_binary
from support.server import ServerProcess


@pytest.fixture(scope="module", params=["ours", "reference"])
def kernel_url(request: pytest.FixtureRequest) -> Iterator[str]:
    if request.param == "ours":
        s = ServerProcess(f"unix:///tmp/ipc-{uuid.uuid4().hex[:12]}.sock")
        yield s.url
        s.stop()
        return
    if reference_binary() is None:
        pytest.skip(f"the reference rump_server is not at {REFERENCE}")
    r = ReferenceServer()
    yield r.url
    r.stop()


@pytest.fixture
def c(kernel_url: str) -> Iterator[RawClient]:
    """A fresh process on the module's server."""
    cl = RawClient(kernel_url)
    yield cl
    cl.close()
