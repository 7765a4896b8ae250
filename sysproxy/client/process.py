"""The client as a kernel process: connect, raw calls, fork, exec, signals, reconnect.

This follows librumpclient: the server URL comes from ``RUMP__PARSEDSERVER`` or
``RUMP_SERVER``; a process started by exec finds its socket in
``RUMPCLIENT__EXECFD`` (``"fd,kqfd"``) and sends the EXEC handshake on it, so the
kernel process survives exec between C and Python programs; fork is PREFORK,
host fork, then a FORK handshake on a new connection in the child; the
reconnect policy mirrors ``rumpclient_setconnretry``.
"""
from __future__ import annotations

import copy
import os
import sys
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any, Self

from sysproxy import url as spurl
from sysproxy import wire

from .connection import Connection, Slot
from .errors import ConnectionLost, connection_lost

__all__ = ["Client", "RETRY_NEVER", "RETRY_FOREVER", "RETRY_ONCE", "RETRY_DIE",
           "default_url", "program_name"]

EXECFD_ENV = "RUMPCLIENT__EXECFD"
PARSED_ENV = "RUMP__PARSEDSERVER"
# rumpclient_setconnretry values: > 0 seconds, or one of these.
RETRY_NEVER, RETRY_FOREVER, RETRY_ONCE, RETRY_DIE = 0, -1, -2, -3
_POLICY_NAMES = {"never": RETRY_NEVER, "forever": RETRY_FOREVER, "once": RETRY_ONCE,
                 "die": RETRY_DIE}

_clients: "weakref.WeakSet[Client]" = weakref.WeakSet()


def default_url() -> str:
    """The server URL librumpclient would use (RUMP__PARSEDSERVER, then RUMP_SERVER)."""
    u = os.environ.get(PARSED_ENV) or os.environ.get("RUMP_SERVER")
    if not u:
        raise ConnectionLost(2, "RUMP_SERVER not set")  # librumpclient: ENOENT
    return u


def program_name() -> str:
    """The name sent in GUEST/EXEC handshakes: the script's base name."""
    arg0 = sys.argv[0] if sys.argv and sys.argv[0] else ""
    return os.path.basename(arg0) or "python"


class Client:
    """One kernel process reached over one connection (replaced on fork/reconnect)."""

    def __init__(self, url: str | None = None, name: str | None = None,
                 timeout: float | None = None, max_anon: int = 256 * 1024 * 1024) -> None:
        self.name = name or program_name()
        self._timeout = timeout
        self._max_anon = max_anon
        self._retry = RETRY_NEVER
        self._recon_lock = threading.Lock()
        self.generation = 0          # bumps at each reconnect: a new kernel process
        self.on_reconnect: Callable[["Client"], None] | None = None
        self._on_raise: Callable[[int], None] | None = None
        self._in_fork = False
        execfd = os.environ.pop(EXECFD_ENV, None)
        text = url if url is not None else default_url()
        self.address = spurl.parse(text, server=False)
        self.url = self.address.url
        if execfd is not None:  # started by exec from a client: keep its process
            fd = int(execfd.split(",")[0])
            self._conn = Connection.adopt(fd, self.name, self.address, max_anon=max_anon)
        else:
            self._conn = self._open()
        _clients.add(self)

    def _open(self, name: str | None = None) -> Connection:
        return Connection.open(self.address, name or self.name, self._timeout,
                               max_anon=self._max_anon)

    # ----- calls ------------------------------------------------------------

    def syscall(self, number: int, *args: Slot) -> tuple[int, int]:
        """Raw system call by NetBSD number: (retval0, retval1) or a KernelError.

        See :meth:`Connection.syscall` for how arguments become slots.
        """
        try:
            return self._conn.syscall(number, args)
        except ConnectionLost:
            return self._after_loss(lambda c: c.syscall(number, args))

    def path_out_call(self, number: int, path: bytes, out: bytearray) -> int:
        """``f(path, out)`` (stat, lstat) on the connection's shorter path."""
        try:
            return self._conn.path_out_call(number, path, out)
        except ConnectionLost:
            return self._after_loss(lambda c: c.path_out_call(number, path, out))

    def _after_loss(self, call: Callable[[Connection], Any]) -> Any:
        """The connection died under a call: re-raise, or reconnect and retry as the policy says."""
        if self._retry == RETRY_NEVER:
            raise
        while True:
            self._reconnect()
            try:
                return call(self._conn)
            except ConnectionLost:
                continue

    @property
    def connection(self) -> Connection:
        return self._conn

    @property
    def memory(self):
        """The connection's address space (anonymous maps the server made live here)."""
        return self._conn.memory

    def disconnect(self) -> None:
        """Drop the connection: the kernel process exits and its descriptors close.

        (Not ``close``: that is os.close(fd) in the os-like API.)
        """
        self._conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.disconnect()

    # ----- signals ----------------------------------------------------------

    @property
    def on_raise(self) -> Callable[[int], None] | None:
        """Called with the NetBSD signal number of a RAISE; None = raise the host signal."""
        return self._on_raise

    @on_raise.setter
    def on_raise(self, fn: Callable[[int], None] | None) -> None:
        self._on_raise = fn
        self._conn.on_raise = fn

    # ----- reconnect --------------------------------------------------------

    def set_reconnect(self, policy: int | str | None) -> None:
        """Like rumpclient_setconnretry: seconds > 0, 'once', 'forever', 'die' or 'never'."""
        if policy is None:
            policy = RETRY_NEVER
        if isinstance(policy, str):
            if policy not in _POLICY_NAMES:
                raise ValueError(f"unknown reconnect policy {policy!r}")
            policy = _POLICY_NAMES[policy]
        if policy < RETRY_DIE:
            raise ValueError(f"bad reconnect policy {policy}")
        self._retry = policy

    def _reconnect(self) -> None:
        """Connect anew with back-off, per policy; a new kernel process, and we say so."""
        old = self._conn
        with self._recon_lock:
            if self._conn is not old and self._conn.alive:
                return  # another thread reconnected already
            if self._retry == RETRY_DIE:
                sys.stderr.write("sysproxy: connection to kernel lost, exiting\n")
                os._exit(1)
            start = time.monotonic()
            tries = 0
            while True:
                if tries:
                    if self._retry == RETRY_ONCE:
                        raise connection_lost("reconnect failed (policy: once)")
                    if self._retry > 0 and time.monotonic() - start >= self._retry:
                        raise connection_lost(
                            f"reconnect failed, {self._retry} second timeout")
                    time.sleep(0.1 * tries if tries < 10 else min(10, tries - 9))
                tries += 1
                try:
                    conn = self._open()
                except OSError:
                    continue
                break
            conn.on_raise = self._on_raise
            self._conn = conn
            self.generation += 1
            sys.stderr.write("sysproxy: reconnected to the kernel: this is a new "
                             "kernel process, earlier descriptors are gone\n")
        if self.on_reconnect is not None:
            self.on_reconnect(self)

    # ----- fork and exec ----------------------------------------------------

    def fork(self) -> int:
        """os.fork() that gives the child its own kernel process sharing our descriptors.

        PREFORK first; in the child a new connection presents the cookie in a
        FORK handshake. If the host fork fails the prefork is cancelled.
        """
        cookie = self._conn.prefork()
        self._in_fork = True
        try:
            pid = os.fork()
        except OSError:
            self._in_fork = False
            self._cancel_prefork(cookie)
            raise
        self._in_fork = False
        if pid == 0:
            self._conn.detach()
            self._conn = self._fork_connection(cookie)
        return pid

    def fork_here(self) -> Self:
        """The protocol's fork without a host fork: a new kernel process, child of
        this one and sharing its descriptors, reached over a new connection in this
        same host process. For supervisors that stand in for many host processes
        (``sysproxy run``)."""
        cookie = self._conn.prefork()
        child = copy.copy(self)
        child.__dict__.pop("_deferred_fds", None)
        child._recon_lock = threading.Lock()
        child.generation = 0
        child._conn = self._fork_connection(cookie)
        _clients.add(child)
        return child

    def _fork_connection(self, cookie: bytes, cancel: bool = False) -> Connection:
        sock = self.address.make_socket()
        conn = Connection(sock, self.address, max_anon=self._max_anon)
        try:
            sock.connect(self.address.sockaddr)
            conn.read_banner()
            if cancel:
                conn.request(lambda r: wire.handshake_request(
                    r, wire.HANDSHAKE_FORK, wire.fork_body(cookie, True)), wait=False)
                conn.close()
            else:
                conn.handshake(wire.HANDSHAKE_FORK, wire.fork_body(cookie))
        except BaseException:
            sock.close()
            raise
        conn.on_raise = self._on_raise
        return conn

    def _cancel_prefork(self, cookie: bytes) -> None:
        try:
            self._fork_connection(cookie, cancel=True)
        except OSError:
            pass

    def exec_environ(self, env: dict[str, str] | None = None) -> dict[str, str]:
        """The environment for exec: ours plus RUMPCLIENT__EXECFD and RUMP__PARSEDSERVER.

        Also makes the socket inheritable, as exec needs.
        """
        fd = self._conn.fileno()
        os.set_inheritable(fd, True)
        out = dict(os.environ if env is None else env)
        out[EXECFD_ENV] = f"{fd},-1"
        out[PARSED_ENV] = self.url
        return out

    def execve(self, path: str, argv: list[str], env: dict[str, str] | None = None) -> None:
        """Exec a program (C or Python) that keeps this kernel process (EXEC handshake)."""
        newenv = self.exec_environ(env)
        fd = self._conn.fileno()
        try:
            os.execve(path, argv, newenv)
        finally:  # only reached if exec failed
            os.set_inheritable(fd, False)

    def execv(self, path: str, argv: list[str]) -> None:
        self.execve(path, argv, None)


def _after_fork_in_child() -> None:
    """A plain os.fork() (not Client.fork) must not share the parent's connection."""
    for c in list(_clients):
        if not c._in_fork:
            try:
                c._conn.detach()
            except OSError:
                pass


os.register_at_fork(after_in_child=_after_fork_in_child)
