"""NetBSD tests/kernel/kqueue/read/t_file2.c: dup2(2) over a descriptor that has an
EVFILT_READ knote on a regular file (this used to deadlock NetBSD in kern_descrip.c).

Closing the descriptor by dup2 drops its knote (knote_fdclose); the C test only
requires every call to succeed. The port then asks the kqueue once more, which must
answer without the dropped knote (the new file at fd1 has nothing to read either).
"""
from __future__ import annotations

from sysproxy.abi import errno as E
from sysproxy.abi import event as EV
from sysproxy.abi import fcntl as F

from support.nb import kevent, open_
from support.rawclient import RawClient


def test_file2(client: RawClient) -> None:
    """Ports ATF case file2: checks EVFILT_READ for regular files (dup2 over the watched
    descriptor, the deadlock fixed in revision 1.79.2.10 of sys/kern/kern_descrip.c)."""
    c = client
    assert c.err("chdir", c.mem.str("/tmp")) == 0
    err, fd1 = open_(c, "afile", F.O_RDONLY | F.O_CREAT, 0o644)
    assert err == 0
    err, fd2 = open_(c, "bfile", F.O_RDONLY | F.O_CREAT, 0o644)
    assert err == 0
    assert c.call("lseek", fd1, 0, 0, F.SEEK_END)[0] == 0
    kq = c.ok("kqueue")
    assert kevent(c, kq, [(fd1, EV.EVFILT_READ, EV.EV_ADD | EV.EV_ENABLE, 0, 0, 0)], 0) == (0, [])
    assert c.ok("dup2", fd2, fd1) == fd1
    assert kevent(c, kq, [], 1, 0) == (0, [])
    # the knote went with the old file: deleting it finds nothing
    assert kevent(c, kq, [(fd1, EV.EVFILT_READ, EV.EV_DELETE, 0, 0, 0)], 0)[0] == E.ENOENT
