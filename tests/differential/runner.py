"""Run one op sequence on one server: a fresh tmpfs, processes made by the protocol's fork.

An op is ``(proc, call, args)`` or ``(proc, call, args, out)``: process index
``proc`` makes system call ``call`` (a name in the family's CALLS table) with
``args``; ``out`` names descriptor slots that receive the descriptors it returns.
In args, ``"#n"`` is descriptor slot n of the calling process (a slot never
filled is the unused descriptor 64+n; a closed one keeps its old number, so
closed and reused descriptors are exercised too). Process 0 exists at the
start; ``(parent, "fork", (), (child,))`` makes process ``child`` by PREFORK and a
FORK handshake on a new connection, no host fork: the child shares the parent's
open files and copies its slot table. Ops naming a process that does not exist
(possible after shrinking) are skipped, on both servers alike.

Each sequence runs in a fresh tmpfs mounted on ``/<dirname>`` and every process
is chrooted there, so "..", "/" and symlinks to them stay inside it on both servers.
"""
from __future__ import annotations

import time
from typing import Any, Callable

from sysproxy import url as spurl
from sysproxy import wire
from sysproxy.abi import errno as nberrno
from sysproxy.abi import statvfs as nbstatvfs
from sysproxy.abi.syscalls import BY_NAME
from sysproxy.client.connection import Connection
from sysproxy.client.errors import ConnectionLost, KernelError

from .servers import Server

Op = tuple[Any, ...]  # (proc, call, args[, out])
Result = tuple[Any, ...]  # ("ok", value...) or ("err", "ENAME") or ("skip",)

#: Seconds a call may take before its server counts as hung (every generated call
#: is non-blocking; a healthy server answers in milliseconds).
CALL_TIMEOUT = 5.0
MNT_FORCE = 0x80000

ERRNO_NAMES: dict[int, str] = {}
for _name, _val in vars(nberrno).items():
    if _name.startswith("E") and _name.isupper() and isinstance(_val, int):
        ERRNO_NAMES.setdefault(_val, _name)


def errname(e: int) -> str:
    return ERRNO_NAMES.get(e, f"errno{e}")


class ServerTrouble(Exception):
    """The server died or stopped answering during a sequence (it was restarted)."""

    def __init__(self, kind: str, what: str, index: int) -> None:
        super().__init__(f"{kind} server {what} at op {index}")
        self.kind, self.what, self.index = kind, what, index


class HarnessBug(Exception):
    """A call was made wrongly (e.g. a buffer shorter than its length argument)."""


class Proc:
    """One kernel process: its connection and its descriptor slots."""

    def __init__(self, conn: Connection, env: dict[str, Any],
                 parent: "Proc | None" = None) -> None:
        self.conn = conn
        self.env = env      # the sequence's settings, shared (e.g. the port base)
        self.slots: dict[str, int] = dict(parent.slots) if parent else {}
        # What each descriptor is, as far as the family's calls know (fd -> kind);
        # copied at fork like the descriptor table.
        self.kinds: dict[int, str] = dict(parent.kinds) if parent else {}

    def sys(self, name: str, *args: Any) -> tuple[int, int]:
        return self.conn.syscall(BY_NAME[name], args)

    def fd(self, ref: Any) -> int:
        """A descriptor argument: slot "#n" -> its number, ints as they are."""
        if isinstance(ref, str) and ref.startswith("#"):
            return self.slots.get(ref, 64 + int(ref[1:]))
        return int(ref)


def _connect(server: Server, name: str) -> Connection:
    addr = spurl.parse(server.url, server=False)
    conn = Connection.open(addr, name, timeout=CALL_TIMEOUT)
    conn.sock.settimeout(CALL_TIMEOUT)
    return conn


def _fork(server: Server, parent: Connection) -> Connection:
    cookie = parent.prefork()
    addr = spurl.parse(server.url, server=False)
    sock = addr.make_socket()
    sock.settimeout(CALL_TIMEOUT)
    conn = Connection(sock, addr)
    try:
        sock.connect(addr.sockaddr)
        conn.read_banner()
        conn.handshake(wire.HANDSHAKE_FORK, wire.fork_body(cookie))
    except BaseException:
        sock.close()
        raise
    return conn


class Session:
    """One sequence on one server: mount a fresh tmpfs, run ops, tear down."""

    def __init__(self, server: Server, dirname: str,
                 calls: dict[str, Callable[..., Any]], env: dict[str, Any] | None = None) -> None:
        self.server = server
        self.env = dict(env or {})
        self.dir = "/" + dirname
        self.calls = calls
        self.procs: dict[int, Proc] = {}
        self.admin = _connect(server, "diff-admin")
        a = self.admin
        a.syscall(BY_NAME["mkdir"], (self.dir.encode() + b"\0", 0o755))
        targs = nbstatvfs.pack_tmpfs_args(nbstatvfs.TMPFS_ARGS_VERSION, 0, 0, 0, 0, 0o777)
        a.syscall(BY_NAME["__mount50"], (b"tmpfs\0", self.dir.encode() + b"\0", 0, targs,
                                         len(targs)))
        p0 = _connect(server, "diff-p0")
        p0.syscall(BY_NAME["chroot"], (self.dir.encode() + b"\0",))
        p0.syscall(BY_NAME["chdir"], (b"/\0",))
        self.procs[0] = Proc(p0, self.env)

    def run(self, ops: list[Op], trouble_as_result: bool = False) -> list[Result]:
        out: list[Result] = []
        for i, op in enumerate(ops):
            try:
                out.append(self.step(i, op))
            except ServerTrouble as t:
                if not trouble_as_result:
                    raise
                out.append(("err", f"server {t.what}"))
                break
        return out

    def step(self, i: int, op: Op) -> Result:
        p, call, args = op[0], op[1], op[2]
        slots_out: tuple[Any, ...] = op[3] if len(op) > 3 else ()
        proc = self.procs.get(p)
        if proc is None:
            return ("skip",)
        try:
            if call == "fork":
                child = slots_out[0]
                if child in self.procs:
                    return ("skip",)
                self.procs[child] = Proc(_fork(self.server, proc.conn), self.env, proc)
                return ("ok",)
            refused = proc.conn.ignored_requests
            try:
                value = self.calls[call](proc, *args)
            finally:
                if proc.conn.ignored_requests != refused:
                    raise HarnessBug(f"op {i} {op!r}: the server asked for memory outside "
                                     "the buffers passed (NetBSD's server would hang)")
        except ConnectionLost as e:
            if proc.conn.alive:   # ENOTCONN from the call itself (the client's class for it)
                return ("err", errname(e.netbsd_errno))
            self._trouble(i, str(e))
        except KernelError as e:
            return ("err", errname(e.netbsd_errno))
        except OSError as e:  # (TimeoutError too)  # the fork's connect or handshake
            self._trouble(i, str(e))
        if slots_out and call != "fork":
            fds = value if isinstance(value, tuple) else (value,)
            for name, fd in zip(slots_out, fds, strict=False):
                proc.slots[name] = fd
        return ("ok", value)

    def _trouble(self, i: int, why: str) -> None:
        if not self.server.alive():
            what = "died"
        elif "timed out" in why:
            what = "hung"
        else:
            what = f"dropped a connection ({why})"
        self.close_procs()
        self.server.restart(f"it {what} at op {i}")
        raise ServerTrouble(self.server.kind, what, i)

    def close_procs(self) -> None:
        for proc in self.procs.values():
            proc.conn.close()
        self.procs.clear()

    def close(self) -> None:
        """Exit the processes, unmount (forced if still busy), remove the directory."""
        self.close_procs()
        a = self.admin
        path = self.dir.encode() + b"\0"
        try:
            for attempt in range(50):
                try:
                    a.syscall(BY_NAME["unmount"], (path, MNT_FORCE if attempt >= 20 else 0))
                    break
                except KernelError as e:
                    if e.netbsd_errno != nberrno.EBUSY:
                        raise
                    time.sleep(0.01)
            a.syscall(BY_NAME["rmdir"], (path,))
        finally:
            a.close()


def run_sequence(server: Server, dirname: str, ops: list[Op],
                 calls: dict[str, Callable[..., Any]],
                 trouble_as_result: bool = False,
                 env: dict[str, Any] | None = None) -> list[Result]:
    """Run ``ops`` in a fresh tmpfs on ``server``; ServerTrouble if it died or hung
    (or, with ``trouble_as_result``, that as the last result)."""
    try:
        s = Session(server, dirname, calls, env)
    except OSError as e:   # (ConnectionLost, timeouts) the server is dead or hung
        server.restart(f"setting up a sequence failed: {e}")
        raise ServerTrouble(server.kind, f"failed the setup ({e})", 0) from e
    try:
        return s.run(ops, trouble_as_result)
    finally:
        if s.server.alive() and s.admin.alive:
            try:
                s.close()
            except (KernelError, OSError):
                pass
