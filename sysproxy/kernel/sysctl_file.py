"""kern.file2: the open files as struct kinfo_file records, what fstat(1) and sockstat(1) read.

As NetBSD's sysctl_kern_file2 and fill_file (sys/kern/kern_descrip.c) do it:

* the name after kern.file2 is {op, arg, elem_size, elem_count}; another length
  is EINVAL, so are elem_size < 1 and elem_count < 0 (elem_size is a size_t made
  from an int, so a negative one is huge and simply never fits);
* KERN_FILE_BYPID lists every descriptor of every process (arg > 0: of that
  pid only; arg < -1 is EINVAL); KERN_FILE_BYFILE lists each open file once,
  for the first descriptor found for it (arg must be 0);
* each record costs elem_size bytes of "needed"; while the buffer holds
  elem_size more bytes and elem_count allows, min(sizeof, elem_size) bytes of
  the record are copied at the next elem_size step (a bigger element leaves the
  gap as it was); elem_count counts down unless it is INT_MAX;
* *oldlenp becomes "needed" (plus KERN_FILESLOP records for a size probe with
  no buffer), and sys___sysctl turns needed > the buffer into ENOMEM.

Processes go in pid order, descriptors in number order. Pointers are fake
kernel addresses (kaddr.py): ki_fdata of a socket is the ki_sockaddr its
pcblist record shows. What our kernel does not keep reads as NetBSD's idle
values: ki_iflags, ki_msgcount and ki_usecount 0; ki_fucred/ki_fuid/ki_fgid
are the credentials of the process the descriptor was found in.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..abi import errno as E
from ..abi import kinfo_file as K
from ..abi import sysctl as S
from . import kaddr as A
from .sysctl import CTLTYPE_STRUCT, Node

if TYPE_CHECKING:
    from .file import File
    from .kernel import Kernel
    from .lwp import Lwp
    from .proc import Proc

INT_MAX = 0x7FFFFFFF
_U64 = (1 << 64) - 1


def attach(kern: Node, kernel: "Kernel") -> None:
    """Hang kern.file2 under the kern node (a struct node served by a helper)."""
    kern.add(S.KERN_FILE2, Node("file2", CTLTYPE_STRUCT, func=sysctl_file2))


def _vnode_fields(f: "File") -> dict[str, int]:
    vp = getattr(f, "vp", None)
    if vp is None:
        return {}
    from .fs.tmpfs import TmpfsMount
    vtype = vp.vtype
    if vtype == K.VDIR:
        vun = A.kaddr(vp.mountedhere)            # v_un.vu_mountedhere
    elif vtype == K.VSOCK:
        vun = A.kaddr(vp.socket, A.SOCKET)       # v_un.vu_socket
    elif vtype in (K.VCHR, K.VBLK):
        vun = A.kaddr(vp, A.SPEC)                # v_un.vu_specnode
    elif vtype == K.VFIFO:
        vun = A.kaddr(vp.fifo)                   # v_un.vu_fifoinfo
    else:
        vun = 0                                  # VREG: no read-ahead context yet
    return dict(ki_vun=vun, ki_vsize=vp.size, ki_vtype=vtype,
                ki_vtag=K.VT_TMPFS if isinstance(vp.mount, TmpfsMount) else K.VT_NON,
                ki_vdata=A.kaddr(vp, A.VDATA))


def f_data(f: "File") -> int:
    """PTRTOUINT64(fp->f_data): the vnode, the socket, the pipe end, the kqueue."""
    if f.dtype == K.DTYPE_VNODE and getattr(f, "vp", None) is not None:
        return A.kaddr(f.vp)  # type: ignore[attr-defined]
    if f.dtype == K.DTYPE_SOCKET:
        return A.kaddr(f, A.SOCKET)
    return A.kaddr(f, A.DATA)


def fill_file(f: "File", p: "Proc", fd: int, cloexec: bool) -> bytes:
    """One struct kinfo_file, as fill_file fills it."""
    c = p.cred
    return K.pack_kinfo_file(
        ki_fileaddr=A.kaddr(f), ki_flag=f.flag, ki_ftype=f.dtype, ki_count=f.refs,
        ki_fucred=A.kaddr(p, A.CRED), ki_fuid=c.euid, ki_fgid=c.egid,
        ki_fops=A.kaddr(type(f)), ki_foffset=f.offset, ki_fdata=f_data(f),
        ki_pid=p.pid, ki_fd=fd, ki_ofileflags=int(cloexec), **_vnode_fields(f))


async def sysctl_file2(l: "Lwp", name: list[int], oldp: int, oldlen: int,
                       newp: int, newlen: int) -> tuple[int, int]:
    """The kern.file2 helper: (the length for *oldlenp, errno)."""
    if len(name) != 4:
        return oldlen, E.EINVAL
    op, arg, esize, elem_count = name
    elem_size = esize & _U64
    if elem_size < 1 or elem_count < 0:
        return oldlen, E.EINVAL
    if op == K.KERN_FILE_BYFILE:
        if arg != 0:
            return oldlen, E.EINVAL
    elif op == K.KERN_FILE_BYPID:
        if arg < -1:
            return oldlen, E.EINVAL
    else:
        return oldlen, E.EINVAL
    out_size = min(K.KINFO_FILE_SIZE, elem_size)
    buflen = oldlen if oldp else 0
    needed = 0
    recs: list[bytes] = []
    seen: set[int] = set()
    kernel = l.kernel
    for pid in sorted(kernel.procs):
        p = kernel.procs[pid]
        if arg > 0 and pid != arg:
            continue
        fdt = p.fd
        for fd in fdt.fds():
            f = fdt.lookup(fd)
            if f is None:
                continue
            if op == K.KERN_FILE_BYFILE:
                if id(f) in seen:
                    continue
                seen.add(id(f))
            if buflen >= elem_size and elem_count > 0:
                recs.append(fill_file(f, p, fd, fdt.get_cloexec(fd))[:out_size])
                buflen -= elem_size
            needed = (needed + elem_size) & _U64
            if elem_count > 0 and elem_count != INT_MAX:
                elem_count -= 1
    if recs:
        if out_size == elem_size:
            l.copyout(oldp, b"".join(recs))
        else:  # each record at its elem_size step; the bytes between are not written
            for i, rec in enumerate(recs):
                l.copyout(oldp + i * elem_size, rec)
    if not oldp:
        return (needed + K.KERN_FILESLOP * elem_size) & _U64, 0
    return needed, (E.ENOMEM if oldlen < needed else 0)
