"""The server: a listening socket, its connections, their limits, and halting.

`Server(url).serve_forever()` is what `sysproxy serve URL` runs. It owns the
kernel, the reactor and the prefork table; connections report back to it
when they attach a process or go away.
"""
from __future__ import annotations

import errno
import logging
import os
import signal
import socket
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from .. import url as urlmod
from .. import wire
from ..kernel.kernel import Kernel
from .connection import Connection
from .prefork import DEFAULT_TTL, PreforkTable
from .reactor import Reactor
from .security import DEFAULT_SOCKET_MODE, CredPolicy, bind_unix, is_loopback, same_file

if TYPE_CHECKING:
    from ..kernel.proc import Proc

log = logging.getLogger("sysproxy.server")

DEFAULT_MAX_CLIENTS = 1024
LISTEN_BACKLOG = 1024


class Server:
    def __init__(self, url: str, kernel: Kernel | None = None, *,
                 max_clients: int = DEFAULT_MAX_CLIENTS,
                 max_frame: int = wire.DEFAULT_MAX_FRAME,
                 prefork_ttl: float = DEFAULT_TTL,
                 sendsig: int | None = None,
                 socket_mode: int = DEFAULT_SOCKET_MODE,
                 creds: CredPolicy | None = None,
                 allow_remote: bool = False) -> None:
        self.address = urlmod.parse(url, server=True)
        self.socket_mode = socket_mode
        self.creds = creds or CredPolicy()
        self.allow_remote = allow_remote
        self._sock_ino: tuple[int, int] | None = None
        self.kernel = kernel or Kernel()
        self.max_clients = max_clients
        self.max_frame = max_frame
        self.reactor = Reactor(self.kernel.sched)
        self.preforks = PreforkTable(self.kernel, prefork_ttl)
        self.connections: dict[int, Connection] = {}
        self.banner = wire.banner(self.kernel.ostype, self.kernel.osrelease, self.kernel.machine)
        self.sendsig = sendsig
        self.halted = False
        self.on_listening: Callable[[str], None] | None = None
        self.kernel.on_reboot = self._on_reboot
        self.sock: socket.socket | None = None

    # -- listening ---------------------------------------------------------
    def bind(self) -> None:
        """Listen: a unix socket with its mode from the start (security.bind_unix); TCP
        beyond loopback only with ``allow_remote``, and then with a warning."""
        addr = self.address
        if addr.family == socket.AF_UNIX:
            assert addr.path is not None
            s = bind_unix(addr.path, self.socket_mode, LISTEN_BACKLOG)
            st = os.lstat(addr.path)
            self._sock_ino = (st.st_dev, st.st_ino)
        else:
            if not is_loopback(addr.host):
                if not self.allow_remote:
                    raise OSError(errno.EPERM, f"{addr.host} is not a loopback address: "
                                  "listening there needs --allow-remote")
                log.warning("%s", self.creds.remote_warning(addr.url))
            s = socket.socket(addr.family, socket.SOCK_STREAM)
            try:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind(addr.sockaddr)
                s.listen(LISTEN_BACKLOG)
            except BaseException:
                s.close()
                raise
        s.setblocking(False)
        self.sock = s
        self.reactor.register(s.fileno(), self)

    @property
    def url(self) -> str:
        """The URL clients should use (with the real port when bound to port 0)."""
        addr = self.address
        if addr.family == socket.AF_UNIX or self.sock is None:
            return addr.url
        host, port = self.sock.getsockname()[:2]
        if addr.family == socket.AF_INET6:
            return f"tcp6://[{host}]:{port}"
        return f"tcp://{host}:{port}"

    def serve_forever(self) -> None:
        if self.sock is None:
            self.bind()
        for signo in (signal.SIGINT, signal.SIGTERM):
            self.reactor.on_signal(signo, self.halt)
        signal.signal(signal.SIGPIPE, signal.SIG_IGN)
        log.info("listening on %s", self.url)
        if self.on_listening is not None:
            self.on_listening(self.url)
        try:
            self.reactor.run()
        finally:
            self._cleanup()

    # -- accepting -----------------------------------------------------------
    def on_readable(self) -> None:
        assert self.sock is not None
        for _ in range(64):
            try:
                s, peer = self.sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as e:
                log.warning("accept failed: %s", e)
                return
            if len(self.connections) >= self.max_clients:
                log.warning("client limit %d reached: closing new connection", self.max_clients)
                s.close()
                continue
            self._accept(s, peer)

    def on_writable(self) -> None:
        pass

    def _accept(self, s: socket.socket, peer: object) -> None:
        s.setblocking(False)
        if s.family != socket.AF_UNIX:
            try:
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass
        try:
            if s.send(self.banner) != len(self.banner):
                s.close()
                return
        except OSError:
            s.close()
            return
        conn = Connection(self, s, str(peer))
        self.connections[conn.fd] = conn
        self.reactor.register(conn.fd, conn)

    def connection_closed(self, conn: Connection) -> None:
        self.connections.pop(conn.fd, None)

    def process_attached(self, conn: Connection, proc: Proc) -> None:
        log.debug("pid %d %r attached on fd %d", proc.pid, proc.comm, conn.fd)
        if self.sendsig is not None and proc.pid > 1:
            # As NetBSD's h_simpleserver "sendsig": signal the first client process.
            signo, self.sendsig = self.sendsig, None
            self.kernel.sched.call_soon(self.kernel.psignal, proc, signo)

    # -- halting -------------------------------------------------------------
    def _on_reboot(self, howto: int) -> None:
        log.info("halted by a reboot call (howto %#x)", howto)
        self.halt()

    def halt(self) -> None:
        """Stop: flush what clients are owed, close the listener, leave the loop."""
        if self.halted:
            return
        self.halted = True
        self._flush_all()
        self.reactor.stop()

    def _flush_all(self, budget: float = 2.0) -> None:
        """Write out what clients are owed, within ``budget`` seconds for all of them."""
        deadline = time.monotonic() + budget
        for conn in list(self.connections.values()):
            left = deadline - time.monotonic()
            if left <= 0:
                break
            conn.flush_blocking(min(left, 1.0))

    def _cleanup(self) -> None:
        if self.sock is not None:
            try:
                self.reactor.unregister(self.sock.fileno())
                self.sock.close()
            except OSError:
                pass
            self.sock = None
            path = self.address.path
            if path and os.path.isabs(path) and same_file(path, self._sock_ino):
                try:
                    os.unlink(path)
                except OSError:
                    pass
        self._flush_all()
        for conn in list(self.connections.values()):
            conn.disconnect()
        self.preforks.clear()
        self.kernel.sched.run_ready()
