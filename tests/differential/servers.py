"""The two servers side by side: ours (`python -m sysproxy serve`) and NetBSD's rump_server.

Each runs as a child process on a unix socket under /tmp. The reference is found
at ``<repo>/../shared/reference`` (or ``$SYSPROXY_REFERENCE``); without it the
tester skips with that reason. A server that died or stopped answering is
restarted (``Server.restart``) with a message on stderr instead of hanging the run.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: The component libraries the reference loads: VFS, tmpfs, fifofs, devices, the
#: network stack with inet, inet6 and local domains.
REF_LIBS = ("rumpvfs", "rumpfs_tmpfs", "rumpdev", "rumpvfs_fifofs", "rumpnet",
            "rumpnet_net", "rumpnet_netinet", "rumpnet_netinet6", "rumpnet_local")


def reference_dir() -> Path:
    env = os.environ.get("SYSPROXY_REFERENCE")
    return Path(env) if env else ROOT.parent / "shared" / "reference"


def reference_missing() -> str | None:
    """Why the reference cannot run here (None: it can)."""
    binary = reference_dir() / "bin" / "rump_server"
    if not binary.is_file() or not os.access(binary, os.X_OK):
        return f"NetBSD's reference rump_server is not at {binary} (set SYSPROXY_REFERENCE)"
    return None


def _die_with_parent() -> None:
    """preexec_fn: SIGTERM the server when we die, so no run leaves one behind."""
    try:
        import ctypes
        import signal
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _is_exception_line(line: str) -> bool:
    head = line.split(":", 1)[0]
    return bool(head) and " " not in head and (head.endswith("Error") or head.endswith(
        "Exception") or "." in head)


class Server:
    """One server child process; ``url`` stays the same across restarts."""

    def __init__(self, kind: str, tag: str = "diffh") -> None:
        assert kind in ("ours", "ref")
        self.kind = kind
        self.sock = f"/tmp/{tag}-{kind}-{uuid.uuid4().hex[:8]}.sock"
        self.log = self.sock[:-5] + ".log"   # the server's output (removed when it stops)
        self.url = "unix://" + self.sock
        self.proc: subprocess.Popen[bytes] | None = None
        self.restarts = 0
        self.start()

    def _argv(self) -> list[str]:
        if self.kind == "ours":
            return [sys.executable, "-m", "sysproxy", "serve", self.url]
        ref = reference_dir()
        argv = [str(ref / "bin" / "rump_server"), "-s"]
        argv += [f"-l{lib}" for lib in REF_LIBS]
        return argv + [self.url]

    def start(self, timeout: float = 30.0) -> None:
        if os.path.exists(self.sock):
            os.unlink(self.sock)
        env = dict(os.environ)
        env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(self._argv(), stdout=log, stderr=log, env=env,
                                         cwd=str(ROOT), preexec_fn=_die_with_parent)
        deadline = time.monotonic() + timeout
        while not os.path.exists(self.sock):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{self.kind} server did not start ({self._argv()})")
            time.sleep(0.02)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, force: bool = False) -> None:
        """SIGTERM (SIGKILL with ``force``: a hung server may not get to its handler)."""
        p = self.proc
        if p is not None and p.poll() is None:
            if force:
                p.kill()
            p.terminate()
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        self.proc = None
        for path in (self.sock, self.log):
            if os.path.exists(path):
                os.unlink(path)

    def log_size(self) -> int:
        try:
            return os.path.getsize(self.log)
        except OSError:
            return 0

    def internal_errors(self, since: int) -> list[str]:
        """The exceptions our server logged after byte ``since`` (a system call that
        failed inside the kernel: it answers EIO), each as its last traceback line."""
        try:
            with open(self.log, "rb") as f:
                f.seek(since)
                text = f.read().decode("utf-8", "replace")
        except OSError:
            return []
        out: list[str] = []
        last: str | None = None     # the exception line of the chain being read
        for line in text.splitlines():
            if line.startswith("Traceback") or line.startswith(" ") or not line.strip():
                continue
            if line.startswith("During handling") or line.startswith("The above exception"):
                continue
            if last is not None and not _is_exception_line(line):
                out.append(last)
                last = None
            if _is_exception_line(line):
                last = line.strip()
        if last is not None:
            out.append(last)
        return out

    def log_tail(self, n: int = 3000) -> str:
        try:
            with open(self.log, "rb") as f:
                return f.read()[-n:].decode("utf-8", "replace")
        except OSError:
            return ""

    def restart(self, why: str) -> None:
        """Kill and start again (a dead or hung server), saying so (with its last output)."""
        self.restarts += 1
        tail = self.log_tail(1500).strip()
        print(f"differential: restarting the {self.kind} server ({why})"
              + (f"; its last output:\n{tail}" if tail else ""), file=sys.stderr)
        self.stop(force=True)
        self.start()
