"""The supervisor: start the program under the filter, receive its stopped
system calls, hand each to the thread serving that host thread.

Why one worker thread per host thread: a call may block in the kernel (a read
of a kernel pipe, accept) while other processes must go on; a host thread has
at most one stopped call, so its worker never queues behind another's.
The receiving thread itself lets the commonest calls continue at once (host
paths, host descriptors) without a hand-off.
"""
from __future__ import annotations

import fcntl
import os
import queue
import resource
import select
import signal
import socket
import sys
import threading
import traceback

from sysproxy.client import Kernel, KernelError

from . import (
    handlers,  # noqa: F401  (fills HANDLERS)
    linux,
)
from .call import ANSWERED, CONTINUE, HANDLERS, Call, Errno, i32
from .proc import Proc, children, status_ids
from .seccomp import Filter, Listener, Notification, install
from .supervisor_limits import COUNT, EXTRA, LOW

# Calls that always stop: paths, descriptor-number changes, process life.
ALWAYS = ("open", "stat", "lstat", "access", "truncate", "getcwd", "chdir", "fchdir",
          "rename", "mkdir", "rmdir", "creat", "link", "unlink", "symlink", "readlink",
          "chmod", "chown", "lchown", "utime", "utimes", "mknod", "statfs", "chroot",
          "openat", "mkdirat", "mknodat", "fchownat", "futimesat", "newfstatat",
          "unlinkat", "renameat", "linkat", "symlinkat", "readlinkat", "fchmodat",
          "faccessat", "faccessat2", "fchmodat2", "utimensat", "renameat2", "statx",
          "openat2", "execve", "execveat", "clone", "clone3", "fork", "vfork",
          "exit_group", "dup2", "dup3", "close_range", "umask", "sendfile", "splice", "tee",
          "copy_file_range", "getxattr", "lgetxattr", "setxattr", "lsetxattr",
          "listxattr", "llistxattr", "removexattr", "lremovexattr",
          "inotify_add_watch", "name_to_handle_at")
# Calls whose first argument is a descriptor: they stop for descriptors 0-9 too.
FD_CALLS = ("read", "write", "close", "fstat", "lseek", "ioctl", "pread64", "pwrite64",
            "readv", "writev", "dup", "fcntl", "flock", "fsync", "fdatasync",
            "ftruncate", "getdents", "getdents64", "fchmod", "fchown", "fstatfs",
            "fadvise64", "readahead", "fallocate", "preadv", "pwritev", "preadv2",
            "pwritev2", "sync_file_range", "syncfs", "fgetxattr", "fsetxattr",
            "flistxattr", "fremovexattr", "connect", "accept", "accept4", "sendto",
            "recvfrom", "sendmsg", "recvmsg", "shutdown", "bind", "listen",
            "getsockname", "getpeername", "setsockopt", "getsockopt", "setns")


_FD_NRS = frozenset(linux.NR[n] for n in FD_CALLS)


class Supervisor:
    def __init__(self, kernel: Kernel, prefix: str, net: bool = False) -> None:
        self.kernel = kernel
        self.prefix = os.fsencode(os.path.normpath(prefix))
        self.net = net
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft < 1024 <= hard or hard == resource.RLIM_INFINITY:
            soft = 1024   # room for the placeholders above the program's own descriptors
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
        if soft < 1024:
            raise SystemExit("sysproxy run: RLIMIT_NOFILE is below 1024 and cannot be raised")
        self.base = soft - COUNT
        self.count = COUNT
        self.placeholder = os.open("/dev/null", os.O_RDWR | os.O_CLOEXEC)
        st = os.fstat(self.placeholder)
        self._placeholder_id = (st.st_dev, st.st_ino)
        self.listener: Listener = None  # type: ignore[assignment]
        self.procs: dict[int, Proc] = {}      # by tgid
        self.threads: dict[int, Proc] = {}    # by tid
        self.workers: dict[int, queue.SimpleQueue[Notification | None]] = {}
        self.main_pid = 0
        self.adopted: set[int] = set()   # every process that claimed a kernel process
        self.table_lock = threading.Lock()
        self.debug = bool(os.environ.get("SYSPROXY_RUN_DEBUG"))

    def filter(self) -> Filter:
        always = [linux.NR[n] for n in ALWAYS]
        if self.net:
            always += [linux.NR[n] for n in ("socket", "socketpair", "poll", "ppoll", "epoll_ctl",
                                              "epoll_wait", "epoll_pwait", "epoll_pwait2")]
        return Filter(always, _FD_NRS, [linux.NR["mmap"]], LOW, self.base, self.count, EXTRA)

    # ----- start -------------------------------------------------------------

    def start(self, argv: list[str]) -> int:
        prog = self.filter().program()
        mask = os.umask(0o22)
        os.umask(mask)
        self.kernel.umask(mask)   # files the program creates get its umask
        a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        pid = os.fork()
        if pid == 0:
            try:
                a.close()
                os.close(self.placeholder)
                # Python ignores these; an ignored signal stays ignored across exec
                # (what subprocess's restore_signals undoes).
                for sig in (signal.SIGPIPE, signal.SIGXFSZ):
                    signal.signal(sig, signal.SIG_DFL)
                # Past the filter, calls on descriptors 0-9 stop: send from an unwatched one.
                hi = fcntl.fcntl(b.fileno(), fcntl.F_DUPFD_CLOEXEC, 100)
                b.close()
                b = socket.socket(fileno=hi)
                fd = install(prog)
                socket.send_fds(b, [b"L"], [fd])
                os.close(fd)
                b.close()
                os.execvp(argv[0], argv)
            except OSError as e:
                sys.stderr.write(f"sysproxy run: {argv[0]}: {e.strerror or e}\n")
                os._exit(127)
            os._exit(127)
        b.close()
        self.main_pid = pid
        msg, fds, _, _ = socket.recv_fds(a, 1, 1)
        a.close()
        if not fds:
            _, st = os.waitpid(pid, 0)
            raise SystemExit(os.waitstatus_to_exitcode(st) or 127)
        self.listener = Listener(fds[0])
        self.procs[pid] = Proc(pid, self.kernel)
        self.adopted.add(pid)
        return pid

    def serve(self) -> int:
        """Serve until the program has exited; its exit status (128+N for a signal)."""
        old = signal.signal(signal.SIGINT, signal.SIG_IGN)
        status: int | None = None
        poller = select.poll()
        poller.register(self.listener.fd, select.POLLIN)
        try:
            while True:
                events = poller.poll(200)
                if not events:
                    status = self._reap(status)
                    if status is not None and not self._others_alive():
                        break
                    continue
                if events[0][1] & (select.POLLHUP | select.POLLERR):
                    break
                try:
                    n = self.listener.recv()
                except OSError:
                    continue   # the caller died before we took it
                self._dispatch(n)
        finally:
            signal.signal(signal.SIGINT, old)
        if status is None:
            _, st = os.waitpid(self.main_pid, 0)
            status = os.waitstatus_to_exitcode(st)
        for p in list(self.procs.values()):
            p.release()
        for q in self.workers.values():
            q.put(None)
        return 128 - status if status < 0 else status

    def _reap(self, status: int | None) -> int | None:
        if status is None:
            pid, st = os.waitpid(self.main_pid, os.WNOHANG)
            if pid:
                status = os.waitstatus_to_exitcode(st)
        for p in list(self.procs.values()):
            if not p.alive():
                self._forget(p)
        return status

    def _others_alive(self) -> bool:
        return any(p.alive() for p in self.procs.values())

    def _forget(self, p: Proc) -> None:
        with self.table_lock:
            self.procs.pop(p.tgid, None)
            for tid in [t for t, q in self.threads.items() if q is p]:
                del self.threads[tid]
                w = self.workers.pop(tid, None)
                if w is not None:
                    w.put(None)
        p.release()

    # ----- dispatch ------------------------------------------------------------

    def _dispatch(self, n: Notification) -> None:
        proc = self.threads.get(n.pid)
        if proc is None:
            try:
                proc = self._adopt(n.pid)
            except Exception as e:  # noqa: BLE001  the thread vanished, or no kernel
                self._log(f"cannot adopt {n.pid}: {e}")
                self._answer(n, None, CONTINUE if isinstance(e, FileNotFoundError) else
                             Errno(5))
                return
        nr = n.nr
        # Fast path: a call on a host descriptor continues without a hand-off.
        if nr in _FD_NRS or (nr not in HANDLERS):
            fd = i32(n.args[0])
            if fd not in proc.fds and not proc.exec_pending:
                if (self.base <= fd < self.base + self.count and nr != _NR_CLOSE
                        and self._stale(proc, fd)):
                    self._answer(n, proc, Errno(9, "a placeholder descriptor whose kernel "
                                                "descriptor is unknown (EBADF)"))
                else:
                    self._cont(n)
                return
        if self._inline(n, proc):
            self._serve_one(n, proc)
            return
        q = self.workers.get(n.pid)
        if q is None:
            q = queue.SimpleQueue()
            self.workers[n.pid] = q
            threading.Thread(target=self._work, args=(n.pid, q), daemon=True,
                             name=f"tid-{n.pid}").start()
        q.put(n)

    def _stale(self, proc: Proc, fd: int) -> bool:
        """A placeholder we hold no kernel descriptor for (a process adopted without
        its parent's table): its calls must fail, not reach the host's /dev/null."""
        try:
            st = os.stat(f"/proc/{proc.tgid}/fd/{fd}")
        except OSError:
            return False
        return (st.st_dev, st.st_ino) == self._placeholder_id

    def _inline(self, n: Notification, proc: Proc) -> bool:
        """Whether this call cannot block in the kernel, so this thread may serve
        it without a hand-off: path calls other than open (a FIFO's open waits),
        descriptor bookkeeping, and I/O on regular files and directories."""
        nr = n.nr
        if nr in _NEVER_BLOCK:
            return True
        if nr in _OPENS:
            flags = n.args[1] if nr == _NR_OPEN else n.args[2]
            return bool(flags & (0o4000 | 0o200000))    # O_NONBLOCK, O_DIRECTORY
        if nr in _FILE_IO:
            kfd = proc.fds.get(i32(n.args[0]))
            return kfd is not None and kfd in proc.plain
        if nr == _NR_FCNTL:
            return n.args[1] & 0xFFFFFFFF != linux.F_SETLKW
        return False

    def _adopt(self, tid: int) -> Proc:
        """A thread we have not seen: a new thread of a known process, or a new
        process (a fork's child: it takes the kernel process made at its fork)."""
        tgid, ppid = status_ids(tid)
        with self.table_lock:
            proc = self.procs.get(tgid)
            if proc is None:
                proc = self._new_proc(tgid, ppid)
                self.procs[tgid] = proc
                self.adopted.add(tgid)
            self.threads[tid] = proc
        return proc

    def _new_proc(self, tgid: int, ppid: int) -> Proc:
        parent = self.procs.get(ppid)
        if parent is not None and parent.pending_forks:
            with parent.lock:
                unknown = [c for c in children(ppid) if c not in self.adopted]
                i = unknown.index(tgid) if tgid in unknown else 0
                if i >= len(parent.pending_forks):
                    i = 0
                k, fds, cwd, plain = parent.pending_forks.pop(i)
            self._log(f"process {tgid} (child of {ppid}) takes a forked kernel process")
            return Proc(tgid, k, fds, cwd, plain)
        self._log(f"process {tgid}: parent {ppid} unknown, a new kernel process")
        k = self.kernel.fork_here()
        return Proc(tgid, k)

    def _work(self, tid: int, q: queue.SimpleQueue[Notification | None]) -> None:
        while True:
            n = q.get()
            if n is None:
                return
            proc = self.threads.get(tid)
            if proc is None:
                self._cont(n)
                continue
            self._serve_one(n, proc)

    def _serve_one(self, n: Notification, proc: Proc) -> None:
        c = Call(n, proc, self)
        if proc.exec_pending:
            from .handlers.process import after_exec
            after_exec(c)
        h = HANDLERS.get(n.nr)
        try:
            if h is None:
                res: object = self._unknown(c)
            else:
                res = h(c)
        except Errno as e:
            res = e
        except KernelError as e:
            res = Errno(e.errno or 5)
        except OSError as e:
            res = Errno(e.errno or 5)
        except Exception:  # noqa: BLE001  a bug here must not hang the program
            sys.stderr.write(f"sysproxy run: internal error in {linux.NAME.get(n.nr, n.nr)}:\n"
                             + traceback.format_exc())
            res = Errno(5)
        if self.debug:
            self._log(f"{proc.tgid}/{n.pid} {linux.NAME.get(n.nr, n.nr)}"
                      f"{tuple(hex(a) for a in n.args[:4])} -> "
                      f"{'CONT' if res is CONTINUE else 'ANS' if res is ANSWERED else res}")
        self._answer(n, proc, res)

    def _unknown(self, c: Call) -> object:
        """A call we have no translation for: on a kernel descriptor it fails
        (ENOSYS, said once), never reaching the placeholder; else it continues."""
        if i32(c.args[0]) in c.proc.fds and c.n.nr not in _NOT_FD_ARG0:
            name = linux.NAME.get(c.n.nr, str(c.n.nr))
            raise Errno(38, f"{name} on a kernel descriptor is not supported (ENOSYS)")
        return CONTINUE

    def _answer(self, n: Notification, proc: Proc | None, res: object) -> None:
        try:
            if res is CONTINUE:
                self.listener.cont(n.id)
            elif res is ANSWERED:
                pass
            elif isinstance(res, Errno):
                self.listener.reply(n.id, 0, res.errno)
            else:
                self.listener.reply(n.id, int(res))  # type: ignore[call-overload]
        except OSError:
            pass   # the caller was interrupted or died

    def _cont(self, n: Notification) -> None:
        try:
            self.listener.cont(n.id)
        except OSError:
            pass

    def _log(self, msg: str) -> None:
        if self.debug:
            sys.stderr.write(f"sysproxy run: {msg}\n")


_NEVER_BLOCK = frozenset(linux.NR[n] for n in (
    "stat", "lstat", "access", "truncate", "getcwd", "chdir", "fchdir", "rename", "mkdir",
    "rmdir", "link", "unlink", "symlink", "readlink", "chmod", "chown", "lchown", "utime",
    "utimes", "mknod", "statfs", "mkdirat", "mknodat", "fchownat", "futimesat",
    "newfstatat", "unlinkat", "renameat", "linkat", "symlinkat", "readlinkat", "fchmodat",
    "faccessat", "faccessat2", "fchmodat2", "utimensat", "renameat2", "statx", "execve",
    "execveat", "clone", "clone3", "fork", "vfork", "exit_group", "dup", "dup2", "dup3",
    "close_range", "fstat", "lseek", "getdents64", "fstatfs", "fchmod", "fchown",
    "ftruncate", "fsync", "fdatasync", "mmap", "getxattr", "lgetxattr", "listxattr",
    "llistxattr", "fgetxattr", "flistxattr", "ioctl", "umask"))
_OPENS = frozenset(linux.NR[n] for n in ("open", "openat"))
_NR_OPEN, _NR_FCNTL, _NR_CLOSE = linux.NR["open"], linux.NR["fcntl"], linux.NR["close"]
_FILE_IO = frozenset(linux.NR[n] for n in (
    "read", "write", "pread64", "pwrite64", "readv", "writev", "preadv", "pwritev",
    "preadv2", "pwritev2", "close"))
# Calls whose first argument is not a descriptor (it may fall in the range by chance).
_NOT_FD_ARG0 = frozenset(linux.NR[n] for n in ("mmap",))
