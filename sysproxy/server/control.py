"""The control socket: trace, statistics and fault injection from outside (docs/CONTROL.md).

A separate unix socket (``<socket path>.ctl`` by default, mode 0600, peers
other than this user and root refused by SO_PEERCRED), so no NetBSD client can
reach it by accident: it speaks line-delimited JSON, not RUMPSP. Each request
is one JSON object on one line, answered by one line ``{"ok": true, ...}`` or
``{"ok": false, "error": "..."}``; a subscriber then receives one
``{"event": "call", ...}`` line per traced call. A slow reader never blocks the
server: past OUT_MAX buffered bytes its events are dropped and counted.
"""
from __future__ import annotations

import json
import logging
import os
import socket
import struct
from typing import IO, TYPE_CHECKING, Any

from .. import url as urlmod
from ..abi.syscalls import BY_NAME
from ..kernel.inject import SpecError, parse
from ..kernel.observe import Observer, Record, format_record, observed
from .security import bind_unix, same_file

if TYPE_CHECKING:
    from .reactor import Reactor

log = logging.getLogger("sysproxy.control")

OUT_MAX = 4 << 20   # bytes buffered for one control client before events are dropped
LINE_MAX = 1 << 16  # longest request line


def default_url(server_url: str) -> str | None:
    """``unix://PATH.ctl`` for a unix server URL; None for TCP (give --control)."""
    addr = urlmod.parse(server_url, server=True)
    if addr.family != socket.AF_UNIX or not addr.path:
        return None
    return f"unix://{addr.path}.ctl"


class ControlServer:
    """The listening control socket, registered in the server's reactor."""

    def __init__(self, url: str, kernel: Any, reactor: Reactor) -> None:
        addr = urlmod.parse(url, server=True)
        if addr.family != socket.AF_UNIX or not addr.path:
            raise OSError(0, f"the control socket must be a unix:// URL, not {url}")
        self.path = addr.path
        self.url = url
        self.reactor = reactor
        self.observer: Observer = observed(kernel)
        self.sock = bind_unix(self.path, 0o600, 16)
        st = os.lstat(self.path)
        self._ino = (st.st_dev, st.st_ino)
        self.sock.setblocking(False)
        self.clients: dict[int, ControlConn] = {}
        reactor.register(self.sock.fileno(), self)

    def on_readable(self) -> None:
        for _ in range(16):
            try:
                s, _peer = self.sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as e:
                log.warning("control accept failed: %s", e)
                return
            if not _trusted(s):
                s.close()
                continue
            s.setblocking(False)
            c = ControlConn(self, s)
            self.clients[s.fileno()] = c
            self.reactor.register(s.fileno(), c)

    def on_writable(self) -> None:
        pass

    def close(self) -> None:
        for c in list(self.clients.values()):
            c.close()
        try:
            self.reactor.unregister(self.sock.fileno())
        except (OSError, KeyError):
            pass
        self.sock.close()
        if same_file(self.path, self._ino):
            try:
                os.unlink(self.path)
            except OSError:
                pass


def _trusted(s: socket.socket) -> bool:
    """Only this user and root may steer the kernel (the 0600 mode says so too)."""
    try:
        _pid, uid, _gid = struct.unpack("3i", s.getsockopt(
            socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i")))
    except OSError:
        return False
    return uid in (0, os.geteuid())


class ControlConn:
    """One control client: requests in, answers and trace events out."""

    def __init__(self, server: ControlServer, s: socket.socket) -> None:
        self.server = server
        self.sock = s
        self.fd = s.fileno()
        self.inbuf = b""
        self.out = bytearray()
        self.writing = False
        self.dropped = 0
        self.pid: int | None = None
        self.names: frozenset[int] | None = None
        self.subscribed = False
        self.closed = False

    # -- input ---------------------------------------------------------------
    def on_readable(self) -> None:
        try:
            data = self.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self.close()
            return
        self.inbuf += data
        while b"\n" in self.inbuf:
            line, _, self.inbuf = self.inbuf.partition(b"\n")
            if line.strip():
                self._send(self._request(line))
        if len(self.inbuf) > LINE_MAX:
            self._send({"ok": False, "error": "request line too long"})
            self.close()

    def _request(self, line: bytes) -> dict[str, Any]:
        try:
            req = json.loads(line)
            if not isinstance(req, dict):
                raise ValueError("want a JSON object")
            return self._command(req)
        except (ValueError, TypeError, SpecError) as e:
            return {"ok": False, "error": str(e)}

    def _command(self, req: dict[str, Any]) -> dict[str, Any]:
        obs = self.server.observer
        cmd = req.get("cmd")
        if cmd == "subscribe":
            pid = req.get("pid")
            self.pid = int(pid) if pid is not None else None
            names = req.get("names")
            if names:
                unknown = [n for n in names if n not in BY_NAME]
                if unknown:
                    return {"ok": False, "error": f"unknown system calls: {', '.join(unknown)}"}
                self.names = frozenset(BY_NAME[n] for n in names)
            else:
                self.names = None
            if not self.subscribed:
                self.subscribed = True
                obs.add_sink(self.event)
            return {"ok": True}
        if cmd == "unsubscribe":
            self._unsubscribe()
            return {"ok": True}
        if cmd == "stats":
            fresh = obs.stats is None
            snap = obs.enable_stats().snapshot()
            if req.get("reset"):
                obs.stats = None
                obs.enable_stats()
            return {"ok": True, "stats": snap, "started": fresh}
        if cmd == "inject":
            op = req.get("op", "list")
            if op == "add":
                rule = parse(str(req.get("spec", "")))
                obs.add_rule(rule)
                return {"ok": True, "rules": [r.describe() for r in obs.rules]}
            if op == "clear":
                obs.clear_rules()
                return {"ok": True, "rules": []}
            if op == "list":
                return {"ok": True, "rules": [r.describe() for r in obs.rules]}
            return {"ok": False, "error": f"unknown inject op {op!r} (add, list, clear)"}
        if cmd == "ping":
            return {"ok": True}
        return {"ok": False, "error": f"unknown command {cmd!r} "
                "(subscribe, unsubscribe, stats, inject, ping)"}

    # -- output --------------------------------------------------------------
    def event(self, rec: Record) -> None:
        if self.pid is not None and rec["pid"] != self.pid:
            return
        if self.names is not None and rec["nr"] not in self.names:
            return
        if len(self.out) > OUT_MAX:
            self.dropped += 1
            return
        if self.dropped:
            self._send({"event": "dropped", "count": self.dropped})
            self.dropped = 0
        self._send({"event": "call", **rec})

    def _send(self, obj: dict[str, Any]) -> None:
        if self.closed:
            return
        self.out += json.dumps(obj, separators=(",", ":")).encode() + b"\n"
        self.on_writable()

    def on_writable(self) -> None:
        while self.out:
            try:
                n = self.sock.send(self.out)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                self.close()
                return
            del self.out[:n]
        want = bool(self.out)
        if want != self.writing:
            self.writing = want
            self.server.reactor.modify(self.fd, True, want)

    def _unsubscribe(self) -> None:
        if self.subscribed:
            self.subscribed = False
            self.server.observer.remove_sink(self.event)

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self._unsubscribe()
        self.server.clients.pop(self.fd, None)
        try:
            self.server.reactor.unregister(self.fd)
        except (OSError, KeyError):
            pass
        self.sock.close()


class TraceFile:
    """``serve --trace FILE|-``: every call as a line (or JSON with ``as_json``)."""

    def __init__(self, out: IO[str], observer: Observer, sched: Any, as_json: bool = False,
                 close: bool = True) -> None:
        self.out = out
        self.observer = observer
        self.sched = sched
        self.as_json = as_json
        self._close = close
        self.flush_pending = False
        observer.add_sink(self.write)

    def write(self, rec: Record) -> None:
        self.out.write((json.dumps(rec, separators=(",", ":")) if self.as_json
                        else format_record(rec)) + "\n")
        if not self.flush_pending:  # flushed a little later: one write per burst, not per call
            self.flush_pending = True
            self.sched.call_later(0.05, self.flush)

    def flush(self) -> None:
        self.flush_pending = False
        try:
            self.out.flush()
        except OSError:
            pass

    def close(self) -> None:
        self.observer.remove_sink(self.write)
        self.flush()
        if self._close:
            self.out.close()
