"""NetBSD's real rump_server (../shared/reference) as a second server for tests.

Conformance tests run the same calls on ours and on the reference so that each
asserted answer is proven against NetBSD 7.99.34 where the reference exists;
without it the reference half is skipped with the reason, ours still runs.
"""
from __future__ import annotations

import os
import socket
import subprocess
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .server import ROOT, die_with_parent

REFERENCE = Path(os.environ.get("SYSPROXY_REFERENCE", ROOT.parent / "shared" / "reference"))
NET_LIBS = ("-lrumpvfs", "-lrumpfs_tmpfs", "-lrumpdev", "-lrumpvfs_fifofs", "-lrumpnet",
            "-lrumpnet_net", "-lrumpnet_netinet", "-lrumpnet_netinet6", "-lrumpnet_local")


def reference_binary() -> Path | None:
    b = REFERENCE / "bin" / "rump_server"
    return b if os.access(b, os.X_OK) else None


def skip_reason() -> str | None:
    """None where the reference server can run, else why tests that need it skip."""
    if reference_binary() is None:
        return f"NetBSD's reference rump_server is not under {REFERENCE} (set SYSPROXY_REFERENCE)"
    return None


class ReferenceServer:
    """rump_server -s on a fresh unix socket: the network components unless ``libs``
    says otherwise, then ``args`` (e.g. ``-d SPEC``); ready once its socket accepts.
    The one place tests start it (the differential tester adds restarts on top)."""

    def __init__(self, *args: str, libs: Sequence[str] = NET_LIBS) -> None:
        binary = reference_binary()
        if binary is None:
            raise RuntimeError(f"no reference server under {REFERENCE}")
        self.path = f"/tmp/ref-{uuid.uuid4().hex[:12]}.sock"
        self.url = "unix://" + self.path
        self.proc = subprocess.Popen([str(binary), "-s", *libs, *args, self.url],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     preexec_fn=die_with_parent)
        for _ in range(500):  # ready once its socket accepts
            if self.proc.poll() is not None:
                raise RuntimeError(f"reference server exited with {self.proc.returncode}")
            try:
                with socket.socket(socket.AF_UNIX) as s:
                    s.connect(self.path)
                    break
            except OSError:
                time.sleep(0.01)

    def __enter__(self) -> ReferenceServer:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if os.path.exists(self.path):
            os.unlink(self.path)
