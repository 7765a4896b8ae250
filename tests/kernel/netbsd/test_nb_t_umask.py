"""NetBSD tests/lib/libc/sys/t_umask.c: umask(2)."""
from __future__ import annotations

from sysproxy.abi import fcntl as F
from sysproxy.abi import stat as S

from support.atf import atf, open_, st
from support.nb import fork
from support.server import ServerProcess

PATH = "umask"
MASK = [S.S_IRWXU, S.S_IRUSR, S.S_IWUSR, S.S_IXUSR, S.S_IRWXG, S.S_IRGRP, S.S_IWGRP,
        S.S_IXGRP, S.S_IRWXO, S.S_IROTH, S.S_IWOTH, S.S_IXOTH]


def test_umask_fork(module_server: ServerProcess) -> None:
    """umask_fork: a forked child's umask() returns the mask its parent set."""
    c = atf(module_server.url, "t_umask")
    for i in range(len(MASK) - 1):
        c.ok("umask", MASK[i] | MASK[i + 1])
        child = fork(c, module_server.url)
        assert child.ok("umask", MASK[i]) == MASK[i] | MASK[i + 1], "umask(2) was not inherited"
        child.close()


def test_umask_open(module_server: ServerProcess) -> None:
    """umask_open: open(O_CREAT, 0777) leaves the masked bits clear."""
    c = atf(module_server.url, "t_umask")
    for m in MASK:
        c.ok("umask", m)
        err, fd = open_(c, PATH, F.O_RDWR | F.O_CREAT, 0o777)
        if err:
            continue
        c.err("close", fd)
        assert st(c, PATH).mode & m == 0, "invalid umask(2)"
        assert c.err("unlink", c.mem.str(PATH)) == 0, "failed to unlink(2)"


def test_umask_previous(module_server: ServerProcess) -> None:
    """umask_previous: umask() returns the previous mask."""
    c = atf(module_server.url, "t_umask")
    for m in MASK:
        c.ok("umask", m)
        assert c.ok("umask", m) == m, "umask(2) did not return the previous mask"
