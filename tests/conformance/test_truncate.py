"""truncate(2), ftruncate(2) and posix_fallocate(2): pjdfstest's truncate/NN.t,
ftruncate/NN.t and posix_fallocate/00.t."""
from __future__ import annotations

import pytest

from . import common
from .pjd import Kernel


def t00_sizes_and_times(k: Kernel) -> None:
    n0 = k.namegen()
    for how in ("truncate", "ftruncate"):
        k.expect(0, "create", n0, 0o644)
        for size in (1234567, 567, 0, 1 << 40):
            if how == "truncate":
                k.expect(0, "truncate", n0, size)
            else:
                k.expect(0, "open", n0, "O_RDWR", ":", "ftruncate", 0, size)
            k.expect(str(size), "stat", n0, "size")
        k.expect(0, "truncate", n0, 0)
        k.expect(0, "open", n0, "O_WRONLY", ":", "write", 0, "hello")
        k.expect(0, "truncate", n0, 2)
        k.expect("he", "open", n0, "O_RDONLY", ":", "pread", 0, 10, 0)
        m1, c1 = k.ns("stat", n0, "mtime"), k.ns("stat", n0, "ctime")
        k.tick()
        k.expect(0, "truncate", n0, 123)
        k.check(m1 < k.ns("stat", n0, "mtime"), f"{how}: mtime")
        k.check(c1 < k.ns("stat", n0, "ctime"), f"{how}: ctime")
        c1 = k.ns("stat", n0, "ctime")
        k.tick()
        k.expect("EACCES", "truncate", n0, 0, u=65534)
        k.check(c1 == k.ns("stat", n0, "ctime"), f"failed {how}: ctime")
        k.expect(0, "unlink", n0)


def t01_path_errors(k: Kernel) -> None:
    common.enotdir_prefix(k, lambda p: ("truncate", p, 0))
    common.enoent(k, lambda p: ("truncate", p, 0))
    common.eloop(k, lambda p: ("truncate", p, 0))
    common.efault(k, lambda p: ("truncate", p, 0))
    nx = k.name_max()
    k.expect(0, "create", nx, 0o644)
    k.expect(0, "truncate", nx, 123)
    k.expect("123", "stat", nx, "size")
    k.expect(0, "unlink", nx)
    k.expect("ENAMETOOLONG", "truncate", nx + "x", 123)
    px = k.path_max()
    k.expect(0, "create", px, 0o644)
    k.expect(0, "truncate", px, 123)
    k.expect(0, "unlink", px)
    k.expect("ENAMETOOLONG", "truncate", px + "x", 123)
    k.rm_rf(px)


def t05_eacces(k: Kernel) -> None:
    common.eacces_search(k, lambda p: ("create", p, 0o644), lambda p: ("truncate", p, 123),
                         lambda p: ("unlink", p))
    n0 = k.namegen()
    k.expect(0, "create", n0, 0o644)
    k.expect(0, "chown", n0, 65534, 65534)
    k.expect(0, "truncate", n0, 123, u=65534, g=65534)
    k.expect(0, "chmod", n0, 0o444)
    k.expect("EACCES", "truncate", n0, 0, u=65534, g=65534)
    k.expect(0, "chmod", n0, 0o664)
    k.expect("EACCES", "truncate", n0, 0, u=65533, g=65533)   # "other" class has no w
    k.expect(0, "chmod", n0, 0o642)
    k.expect(0, "truncate", n0, 0, u=65533, g=65533)
    k.expect(0, "unlink", n0)


def t08_einval_eisdir(k: Kernel) -> None:
    n0 = k.namegen()
    k.expect(0, "create", n0, 0o644)
    k.expect("EINVAL", "truncate", n0, -1)
    k.expect("EINVAL", "open", n0, "O_RDWR", ":", "ftruncate", 0, -1)
    k.expect("EINVAL", "open", n0, "O_RDONLY", ":", "ftruncate", 0, 0)   # not open for writing
    k.expect(0, "unlink", n0)
    k.expect(0, "mkdir", n0, 0o755)
    k.expect("EISDIR", "truncate", n0, 0)
    k.expect("EINVAL", "open", n0, "O_RDONLY", ":", "ftruncate", 0, 0)
    k.expect(0, "rmdir", n0)
    k.expect("EBADF", "ftruncate", "BADFD", 0)
    k.expect(0, "bind", n0)
    k.expect(0, "unlink", n0)


def t10_fallocate(k: Kernel) -> None:
    # 7.99.34's tmpfs has no VOP_FALLOCATE (genfs_eopnotsupp); the syscall's own
    # checks come first: the range (a zero length is fine), then the descriptor
    n0 = k.namegen()
    k.expect(0, "create", n0, 0o644)
    k.expect("EOPNOTSUPP", "open", n0, "O_RDWR", ":", "posix_fallocate", 0, 0, 567)
    k.expect("0", "stat", n0, "size")
    k.expect("EBADF", "open", n0, "O_RDONLY", ":", "posix_fallocate", 0, 0, 1)
    k.expect("EINVAL", "open", n0, "O_RDWR", ":", "posix_fallocate", 0, -1, 1)
    k.expect("EOPNOTSUPP", "open", n0, "O_RDWR", ":", "posix_fallocate", 0, 0, 0)
    k.expect(0, "unlink", n0)


CASES = [v for n, v in sorted(globals().items()) if n.startswith("t") and n[1:3].isdigit()]


@pytest.mark.parametrize("case", CASES, ids=[c.__name__ for c in CASES])
def test_truncate(k: Kernel, case) -> None:  # type: ignore[no-untyped-def]
    case(k)
    k.finish()
