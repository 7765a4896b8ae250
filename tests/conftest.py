"""Shared fixtures: a real server process per test (or per module), over real sockets."""
from __future__ import annotations

import uuid
from pathlib import Path
from typing import Iterator

import pytest

from support.rawclient import RawClient
from support.server import ServerProcess, free_tcp_port

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture
def unix_url(tmp_path: Path) -> str:
    # sun_path is short: keep the socket path small.
    return f"unix:///tmp/sp-{uuid.uuid4().hex[:12]}.sock"


@pytest.fixture
def server(unix_url: str) -> Iterator[ServerProcess]:
    s = ServerProcess(unix_url)
    yield s
    s.stop()


@pytest.fixture(scope="module")
def module_server() -> Iterator[ServerProcess]:
    """One server for a whole test module (each test still gets its own process in it)."""
    s = ServerProcess(f"unix:///tmp/sm-{uuid.uuid4().hex[:12]}.sock")
    yield s
    s.stop()


@pytest.fixture
def tcp_server() -> Iterator[ServerProcess]:
    s = ServerProcess(f"tcp://127.0.0.1:{free_tcp_port()}")
    yield s
    s.stop()


@pytest.fixture
def client(server: ServerProcess) -> Iterator[RawClient]:
    c = RawClient(server.url)
    yield c
    c.close()
