"""Who may connect and who they are in the kernel.

* The unix socket is bound inside a fresh 0700 directory next to its final
  path, given its mode there (0600 unless ``--socket-mode``), and only then
  linked into place: nobody can connect through a wider mode, ever. A socket
  file left by a dead server (connect is refused) is replaced atomically; a
  live one, or anything that is not a socket, is never touched.
* A TCP listener on an address other than loopback needs ``allow_remote``;
  anyone who can reach it is whoever ``--tcp-creds`` says (root by default).
* ``--creds``: ``root`` makes every client root (as rump_server); ``peer`` makes
  a unix-socket client its host uid, gid and groups (SO_PEERCRED and the
  groups of its host process); ``owner`` (the default) keeps host root and the
  server's own user root and treats everyone else as ``peer``.
"""
from __future__ import annotations

import errno
import ipaddress
import logging
import os
import socket
import stat
import struct
import tempfile

from .. import url as urlmod
from ..kernel.cred import Cred

log = logging.getLogger("sysproxy.server")

CREDS_MODES = ("owner", "peer", "root")
DEFAULT_SOCKET_MODE = 0o600


# -- the unix socket -----------------------------------------------------------
def is_live(path: str) -> bool:
    """Does a server answer on the unix socket ``path``? (Connect and hang up.)"""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(2.0)
    try:
        s.connect(path)
    except (ConnectionRefusedError, FileNotFoundError):
        return False
    except OSError as e:
        # EAGAIN: its backlog is full, so it is alive; EACCES: not ours to judge
        return e.errno != errno.ENOENT
    finally:
        s.close()
    return True


def _check_existing(path: str) -> None:
    """Refuse a path that holds a live socket or something else than a socket."""
    st = os.lstat(path)
    if not stat.S_ISSOCK(st.st_mode):
        raise OSError(errno.EADDRINUSE, f"{path} exists and is not a socket")
    if is_live(path):
        raise OSError(errno.EADDRINUSE, f"a server is already listening on {path}")


def bind_unix(path: str, mode: int = DEFAULT_SOCKET_MODE, backlog: int = 1024) -> socket.socket:
    """A listening unix socket at ``path`` whose mode was ``mode`` from its first moment."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        tmpdir = tempfile.mkdtemp(prefix=".sp-", dir=os.path.dirname(path) or ".")  # 0700
        tmp = os.path.join(tmpdir, "s")
        if len(os.fsencode(tmp)) > urlmod.SUN_PATH_MAX:
            os.rmdir(tmpdir)
            _bind_umask(s, path, mode)
        else:
            try:
                s.bind(tmp)
                os.chmod(tmp, mode)
                s.listen(backlog)
                _link_into_place(tmp, path)
            finally:
                for leftover in (tmp, tmpdir):
                    try:
                        (os.rmdir if leftover == tmpdir else os.unlink)(leftover)
                    except OSError:
                        pass
        s.listen(backlog)
    except BaseException:
        s.close()
        raise
    return s


def _link_into_place(tmp: str, path: str) -> None:
    try:
        os.link(tmp, path)  # atomic, and never replaces anything
        return
    except FileExistsError:
        pass
    _check_existing(path)
    log.info("replacing the stale socket %s (nobody listens on it)", path)
    os.rename(tmp, path)  # atomic replacement of the dead socket


def _bind_umask(s: socket.socket, path: str, mode: int) -> None:
    """The fallback when the private directory's path is too long for sun_path:
    bind under a umask that leaves nothing but the owner's bits (the process is
    still single-threaded when it binds), then widen to ``mode`` if asked."""
    if os.path.lexists(path):
        _check_existing(path)
        os.unlink(path)
    old = os.umask(0o177)
    try:
        s.bind(path)
    finally:
        os.umask(old)
    os.chmod(path, mode)


def same_file(path: str, ino: tuple[int, int] | None) -> bool:
    """Is ``path`` still the socket we bound (device, inode)? Cleanup unlinks only that."""
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return ino is not None and (st.st_dev, st.st_ino) == ino


# -- TCP -------------------------------------------------------------------------
def is_loopback(host: str | None) -> bool:
    try:
        return host is not None and ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


# -- credentials ---------------------------------------------------------------
def parse_ids(text: str) -> tuple[int, int]:
    """``UID:GID`` (decimal)."""
    u, sep, g = text.partition(":")
    if not sep or not u.isdigit() or not g.isdigit():
        raise ValueError(f"want UID:GID, not {text!r}")
    return int(u), int(g)


def peer_ids(sock: socket.socket) -> tuple[int, int, int]:
    """(pid, uid, gid) of the process that connected a unix socket (SO_PEERCRED)."""
    raw = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    pid, uid, gid = struct.unpack("3i", raw)
    return pid, uid, gid


def host_groups(pid: int, uid: int, gid: int) -> tuple[int, ...]:
    """The peer's supplementary groups: its process's own list (/proc/PID/status), else
    the group database's list for its user."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("Groups:"):
                    return tuple(int(g) for g in line.split()[1:])
    except (OSError, ValueError):
        pass
    try:
        import pwd
        return tuple(os.getgrouplist(pwd.getpwuid(uid).pw_name, gid))
    except (KeyError, OSError):
        return (gid,)


def ids_cred(uid: int, gid: int, groups: tuple[int, ...] = ()) -> Cred:
    return Cred(uid, uid, uid, gid, gid, gid, groups)


class CredPolicy:
    """Decides each new client's kernel credentials (``None``: root, as pid 1)."""

    def __init__(self, mode: str = "owner", tcp_ids: tuple[int, int] = (0, 0),
                 owner_uid: int | None = None) -> None:
        if mode not in CREDS_MODES:
            raise ValueError(f"--creds must be one of {', '.join(CREDS_MODES)}, not {mode!r}")
        self.mode = mode
        self.tcp_ids = tcp_ids
        self.owner_uid = os.geteuid() if owner_uid is None else owner_uid

    def for_socket(self, sock: socket.socket) -> Cred | None:
        if self.mode == "root":
            return None
        if sock.family != socket.AF_UNIX:
            uid, gid = self.tcp_ids
            return None if uid == 0 and gid == 0 else ids_cred(uid, gid)
        pid, uid, gid = peer_ids(sock)
        if self.mode == "owner" and uid in (0, self.owner_uid):
            return None
        return ids_cred(uid, gid, host_groups(pid, uid, gid))

    def remote_warning(self, url: str) -> str:
        uid, gid = self.tcp_ids
        who = "root" if self.mode == "root" or (uid, gid) == (0, 0) else f"uid {uid} gid {gid}"
        return (f"listening on {url}, which is not loopback: every peer that can reach it "
                f"is {who} in the kernel, with no authentication")
