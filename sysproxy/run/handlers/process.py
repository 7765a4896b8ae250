"""Process life: fork (the protocol's fork), exec (close-on-exec), exit, and the
working directory (which may be inside the kernel)."""
from __future__ import annotations

import os
import struct

from sysproxy.client import SYS, Out

from .. import linux
from ..call import CONTINUE, Call, Errno, _kclose, handles, i32


@handles("clone", "clone3", "fork", "vfork")
def sys_clone(c: Call) -> object:
    """A new process gets a new kernel process, forked from ours now, while the
    descriptor tables agree; its first stopped call claims it. A new thread
    shares ours."""
    nr = c.n.nr
    if nr == linux.NR["clone"]:
        flags = c.args[0]
    elif nr == linux.NR["clone3"]:
        flags = struct.unpack("<Q", c.proc.mem.read(c.args[0], 8))[0]
    else:
        flags = 0
    if flags & linux.CLONE_THREAD:
        return CONTINUE
    p = c.proc
    with p.lock:
        child = p.kernel.fork_here()
        p.pending_forks.append((child, dict(p.fds), p.cwd_kernel, set(p.plain)))
    return CONTINUE


@handles("execve", "execveat")
def sys_execve(c: Call) -> object:
    at = c.n.nr == linux.NR["execveat"]
    addr = c.args[1] if at else c.args[0]
    p = c.path(addr) if addr else b""
    if p and c.resolve(c.args[0] if at else linux.AT_FDCWD, p) is not None:
        raise Errno(13, "running a program stored in the kernel is not supported (EACCES)")
    c.proc.exec_pending = True
    return CONTINUE


def after_exec(c: Call) -> None:
    """The first call after an exec (or a failed exec): descriptors whose
    placeholders the host closed (close-on-exec) are closed in the kernel too."""
    p = c.proc
    p.exec_pending = False
    try:
        p.reopen_memory()
    except OSError:
        return
    ph = os.fstat(c.sup.placeholder)
    with p.lock:
        for fd, kfd in list(p.fds.items()):
            try:
                st = os.stat(f"/proc/{p.tgid}/fd/{fd}")
                same = (st.st_dev, st.st_ino) == (ph.st_dev, ph.st_ino) or \
                    (st.st_nlink == 0 and fd < c.sup.base + c.sup.count)
            except OSError:
                same = False
            if not same:
                del p.fds[fd]
                _kclose(c, kfd)


@handles("umask")
def sys_umask(c: Call) -> object:
    """The kernel applies its own process's umask to files it creates: keep it the program's."""
    c.k.umask(c.args[0] & 0o777)
    return CONTINUE


@handles("exit_group")
def sys_exit_group(c: Call) -> object:
    c.sup._forget(c.proc)
    return CONTINUE


# ----- working directory ------------------------------------------------------------------

@handles("chdir")
def sys_chdir(c: Call) -> object:
    path = c.path(c.args[0])
    r = c.resolve(linux.AT_FDCWD, path)
    if r is None:
        full = os.path.join(os.readlink(f"/proc/{c.proc.tgid}/cwd").encode(), path)
        if os.path.isdir(full):
            c.proc.cwd_kernel = False
        return CONTINUE
    kdir, kp = r
    c.k.syscall(SYS.chdir, kp + b"\0")
    c.proc.cwd_kernel = True
    return 0


@handles("fchdir")
def sys_fchdir(c: Call) -> object:
    kfd = c.kfd(c.args[0])
    if kfd is None:
        if os.path.isdir(f"/proc/{c.proc.tgid}/fd/{i32(c.args[0])}"):
            c.proc.cwd_kernel = False
        return CONTINUE
    c.k.syscall(SYS.fchdir, kfd)
    c.proc.cwd_kernel = True
    return 0


@handles("getcwd")
def sys_getcwd(c: Call) -> object:
    if not c.proc.cwd_kernel:
        return CONTINUE
    out = Out(1024)
    c.k.syscall(SYS.getcwd, out, 1024)
    kp = bytes(out.buf).split(b"\0", 1)[0]
    full = c.sup.prefix + (kp if kp != b"/" else b"") + b"\0"
    if len(full) > c.args[1]:
        raise Errno(34)
    c.proc.mem.write(c.args[0], full)
    return len(full)
