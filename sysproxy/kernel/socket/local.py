"""AF_LOCAL sockets: stream, datagram and seqpacket; socketpair; names in the VFS;
descriptor passing (SCM_RIGHTS) and credentials (LOCAL_CREDS, LOCAL_PEEREID).

Sizes as NetBSD's uipc_usrreq.c: streams and seqpackets 4096/4096 bytes,
datagrams at most 2560 bytes (what the reference allows) into a 4096-byte receive buffer. Names are
vnodes: the VFS provides ``kernel.vfs.bind_socket`` / ``lookup_socket``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...abi import errno as E
from ...abi import socket as S
from ...abi.stat import S_IFSOCK, pack_stat
from ..errors import KernelError
from .base import SS_CANTRCVMORE, SS_CANTSENDMORE, SS_ISCONNECTED, Socket

if TYPE_CHECKING:
    from ..file import File
    from ..kernel import Kernel
    from ..lwp import Lwp

SUN_NONAME = bytes([2, S.AF_LOCAL])  # an unbound AF_LOCAL socket's address
MAX_RIGHTS = 1024 // 4  # NetBSD refuses more descriptors than fit a small cmsg buffer


class LocalSocket(Socket):
    peer: LocalSocket | None  # connected only to other local sockets

    def __init__(self, kernel: "Kernel", type: int, uid: int = 0, gid: int = 0, pid: int = 0) -> None:
        if type == S.SOCK_DGRAM:
            self.atomic, self.connreq = True, False
            # the reference's datagram send buffer (and so its largest datagram) is 2560
            self.sndspace, self.rcvspace = 2560, 4096
        elif type == S.SOCK_SEQPACKET:
            self.atomic, self.connreq = True, True
            self.sndspace = self.rcvspace = 4096
        else:
            self.sndspace = self.rcvspace = 4096
        super().__init__(kernel, S.AF_LOCAL, type, 0, uid, gid, pid)
        self.addr: bytes | None = None   # our bound sockaddr_un
        self.vnode: Any = None
        self.peeraddr: bytes | None = None
        self.connid: tuple[int, int, int] | None = None  # peer's (pid, euid, egid)
        self.myid: tuple[int, int, int] = (pid, uid, gid)
        self.wantcred = False            # LOCAL_CREDS
        self.connwait = False            # LOCAL_CONNWAIT
        from ..clock import realtime_ns
        self.ctime_ns = realtime_ns()    # unp_ctime: the times fstat shows
        self.ino = 0                     # unp_ino: given at the first fstat
        self.senders: list[LocalSocket] = []  # datagram sockets connected to this one

    def stat(self, lwp: "Lwp") -> bytes:
        """unp_stat: st_dev NODEV, st_ino from a counter at the first fstat (the first
        socket ever gets 0, and so a new one at its next fstat, as NetBSD does),
        times the creation, st_blksize the send buffer (with the peer's unread data)."""
        if self.ino == 0:
            self.ino = self.kernel.__dict__.get("unp_ino", 0)
            self.kernel.__dict__["unp_ino"] = self.ino + 1
        t = self.ctime_ns
        return pack_stat(0xFFFFFFFFFFFFFFFF, self.ino, S_IFSOCK, 0, 0, 0, 0, t, t, t, 0, 0, 0,
                         self.snd.hiwat)

    # -- names ---------------------------------------------------------------
    def _vfs(self) -> Any:
        vfs = getattr(self.kernel, "vfs", None)
        if vfs is None:
            raise KernelError(E.EOPNOTSUPP)
        return vfs

    @staticmethod
    def _path(addr: bytes) -> bytes:
        if len(addr) < 2 or addr[1] != S.AF_LOCAL:
            raise KernelError(E.EAFNOSUPPORT if len(addr) >= 2 else E.EINVAL)
        path = addr[2:]
        nul = path.find(b"\0")
        if nul >= 0:
            path = path[:nul]
        if not path:
            raise KernelError(E.ENOENT)
        return path

    async def bind(self, lwp: "Lwp", addr: bytes) -> None:
        if self.vnode is not None or self.addr is not None:
            raise KernelError(E.EINVAL)
        path = self._path(addr)
        vn = self._vfs().bind_socket(lwp.proc, path, self)
        if hasattr(vn, "__await__"):
            vn = await vn
        self.vnode = vn
        self.addr = bytes([min(255, len(addr)), S.AF_LOCAL]) + addr[2:]

    def sockname(self) -> bytes:
        return self.addr if self.addr is not None else SUN_NONAME

    def peername(self) -> bytes:
        if not self.connected:
            raise KernelError(E.ENOTCONN)
        return self.peeraddr if self.peeraddr is not None else SUN_NONAME

    def accept_name(self) -> bytes:
        """unp_accept: the connector's name, or sun_noname (also once it closed)."""
        return self.peeraddr if self.peeraddr is not None else SUN_NONAME

    async def _lookup(self, lwp: "Lwp", addr: bytes) -> "LocalSocket":
        target = self._vfs().lookup_socket(lwp.proc, self._path(addr))
        if hasattr(target, "__await__"):
            target = await target
        if target is None or target.closed:
            raise KernelError(E.ECONNREFUSED)
        if target.type != self.type:
            raise KernelError(E.EPROTOTYPE)
        return target

    # -- connections ---------------------------------------------------------
    def listen(self, lwp: "Lwp", backlog: int) -> None:
        """unp_listen: only an unbound socket is refused (EINVAL), even a datagram one;
        a bound datagram socket "listens" (SO_ACCEPTCONN) but accept refuses it."""
        if self.addr is None:
            raise KernelError(E.EINVAL)
        self.listening = self.connreq
        self.options |= S.SO_ACCEPTCONN
        self.backlog = backlog
        self.myid = (lwp.proc.pid, lwp.proc.cred.euid, lwp.proc.cred.egid)

    async def connect(self, lwp: "Lwp", addr: bytes) -> None:
        if self.listening:
            raise KernelError(E.EOPNOTSUPP)
        if self.connected and self.connreq:
            raise KernelError(E.EISCONN)
        target = await self._lookup(lwp, addr)
        me = (lwp.proc.pid, lwp.proc.cred.euid, lwp.proc.cred.egid)
        if not self.connreq:
            self.peer = target
            target.senders.append(self)  # unp_refs: told (ECONNRESET) when the target goes
            self.peeraddr = target.addr
            self.state |= SS_ISCONNECTED
            self.changed()
            return
        if not target.listening:
            raise KernelError(E.ECONNREFUSED)
        if len(target.acceptq) >= target.backlog * 3 // 2 + 1:  # sonewconn's limit
            raise KernelError(E.ECONNREFUSED)
        server = LocalSocket(self.kernel, self.type, target.uid, target.gid, target.pid)
        server.options = target.options & ~S.SO_ACCEPTCONN
        server.addr = target.addr
        server.wantcred = target.wantcred
        server.head = target
        server.peeraddr = self.addr
        server.connid = me
        server.myid = target.myid
        self.connid = target.myid
        self.peeraddr = target.addr
        self.set_connected(server)
        server.set_connected(self)
        target.acceptq.append(server.hold())
        target.changed()
        if self.connwait or target.connwait:
            while server.head is target and not self.closed and server in target.acceptq:
                await self.sleep(lwp)

    # -- data ----------------------------------------------------------------
    def deliver_to(self, lwp: "Lwp", addr: bytes | None) -> Socket | None:
        raise KernelError(E.EOPNOTSUPP)  # replaced by the async path in send()

    async def send(self, lwp: "Lwp", data: bytes, addr: bytes | None,
                   control: list[tuple[int, int, Any]], flags: int) -> int:
        if not self.connreq:
            # sosend's checks come first: EPIPE, so_error, EDESTADDRREQ, EMSGSIZE
            if self.state & SS_CANTSENDMORE:
                raise self._sigpipe(lwp, flags)
            if self.error:
                err, self.error = self.error, 0
                raise KernelError(err)
            if addr is None and (self.peer is None or self.peer.closed):
                raise KernelError(E.EDESTADDRREQ)
            if len(data) > self.snd.hiwat:
                raise KernelError(E.EMSGSIZE)
            if addr is not None:
                if self.peer is not None:
                    raise KernelError(E.EISCONN)
                self._target = await self._lookup(lwp, addr)
            else:
                self._target = self.peer
        elif addr is not None and not self.connected:
            raise KernelError(E.EOPNOTSUPP if self.type == S.SOCK_SEQPACKET else E.ENOTCONN)
        return await super().send(lwp, data, addr, control, flags)

    _target: Socket | None = None

    def _deliver(self, lwp: "Lwp", addr: bytes | None) -> Socket | None:
        t, self._target = self._target, None
        return t

    def source_address(self) -> bytes | None:
        return self.sockname()

    def prepare_control(self, lwp: "Lwp", control: list[tuple[int, int, Any]]) -> list[tuple[int, int, Any]]:
        """Turn SCM_RIGHTS descriptor numbers into held Files (refs in flight)."""
        out: list[tuple[int, int, Any]] = []
        try:
            for level, ctype, payload in control:
                if level != S.SOL_SOCKET:
                    raise KernelError(E.EINVAL)
                if ctype == S.SCM_RIGHTS:
                    n = len(payload) // 4
                    if n > MAX_RIGHTS:
                        raise KernelError(E.EMSGSIZE)
                    files: list["File"] = []
                    out.append((level, ctype, files))
                    for i in range(n):
                        fd = int.from_bytes(payload[4 * i:4 * i + 4], "little", signed=True)
                        files.append(lwp.proc.fd.get(fd).hold())
                elif ctype == S.SCM_CREDS:
                    continue  # only the kernel makes credentials
                else:
                    raise KernelError(E.EINVAL)
        except KernelError:
            from .base import discard_control
            discard_control(out)
            raise
        return out

    def annotate(self, lwp: "Lwp", target: Socket, control: list[tuple[int, int, Any]]) -> list[tuple[int, int, Any]]:
        if isinstance(target, LocalSocket) and target.wantcred:
            c = lwp.proc.cred
            groups = list(getattr(c, "groups", []) or [])
            cred = S.pack_sockcred(c.uid, c.euid, c.gid, c.egid, groups, lwp.proc.pid)
            control = [(S.SOL_SOCKET, S.SCM_CREDS, cred)] + control
            if target.type != S.SOCK_DGRAM:
                target.wantcred = False  # connections get credentials once (unp_addsockcred)
        return control

    def detach(self) -> None:
        vn = self.vnode
        if vn is not None and getattr(vn, "socket", None) is self:
            vn.socket = None
        self.vnode = None

    def on_last_close(self) -> None:
        for r in self.senders:  # unp_detach: unp_drop(ECONNRESET) of the datagram senders
            if r.peer is self:
                r.peer = None
                r.error = E.ECONNRESET
                r.state &= ~SS_ISCONNECTED
                r.changed()
        self.senders.clear()
        super().on_last_close()


# the dgram path of the base class asks deliver_to synchronously; route it here
LocalSocket.deliver_to = LocalSocket._deliver  # type: ignore[method-assign]


def socketpair(kernel: "Kernel", type: int, uid: int, gid: int, pid: int) -> tuple[LocalSocket, LocalSocket]:
    """Two connected AF_LOCAL sockets; each knows the other's credentials."""
    a = LocalSocket(kernel, type, uid, gid, pid)
    b = LocalSocket(kernel, type, uid, gid, pid)
    a.connid = b.connid = (pid, uid, gid)
    a.set_connected(b)
    b.set_connected(a)
    if type == S.SOCK_DGRAM:  # unp_connect2 both ways: each is in the other's unp_refs
        a.senders.append(b)
        b.senders.append(a)
    return a, b


def is_eof(s: Socket) -> bool:
    return bool(s.state & SS_CANTRCVMORE)
