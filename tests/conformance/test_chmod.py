"""chmod(2): pjdfstest's chmod/NN.t, as NetBSD with tmpfs answers them."""
from __future__ import annotations

import pytest

from . import common
from .pjd import ALL_TYPES, Kernel


def t00_changes_mode(k: Kernel) -> None:
    n0, n1 = k.namegen(), k.namegen()
    for t in ALL_TYPES:
        if t == "symlink":
            continue
        k.create_file(t, n0)
        k.expect(0, "chmod", n0, 0o111)
        k.expect(0o111, "stat", n0, "mode")
        k.expect(0, "symlink", n0, n1)
        lmode = k.get("lstat", n1, "mode")
        k.expect(0, "chmod", n1, 0o222)          # follows the link
        k.expect(0o222, "stat", n1, "mode")
        k.expect(0o222, "stat", n0, "mode")
        k.expect(lmode, "lstat", n1, "mode")     # the link itself is untouched
        k.expect(0, "unlink", n1)
        k.remove(t, n0)
    # a successful chmod updates ctime, a failed one does not
    for t in ALL_TYPES:
        if t == "symlink":
            continue
        k.create_file(t, n0)
        c1 = k.ns("stat", n0, "ctime")
        k.tick()
        k.expect(0, "chmod", n0, 0o111)
        k.check(c1 < k.ns("stat", n0, "ctime"), f"chmod {t} updates ctime")
        k.remove(t, n0)
        k.create_file(t, n0)
        c1 = k.ns("stat", n0, "ctime")
        k.tick()
        k.expect("EPERM", "chmod", n0, 0o111, u=65534)
        k.check(c1 == k.ns("stat", n0, "ctime"), f"failed chmod {t} keeps ctime")
        k.remove(t, n0)
    # the owner may set S_ISGID only with the file's group among its groups
    k.expect(0, "create", n0, 0o755)
    k.expect(0, "chown", n0, 65534, 65534)
    k.expect(0, "chmod", n0, 0o2755, u=65534, g=65534)
    k.expect(0o2755, "stat", n0, "mode")
    k.expect(0, "chmod", n0, 0o755, u=65534, g=65534)
    k.expect(0o755, "stat", n0, "mode")
    # pjdfstest hopes for success with the bit dropped; NetBSD's genfs_can_chmod
    # refuses (EPERM), as FreeBSD does.
    k.expect("EPERM", "chmod", n0, 0o2755, u=65534, g=65533)
    k.expect(0o755, "stat", n0, "mode")
    k.expect(0, "unlink", n0)


def t01_enotdir(k: Kernel) -> None:
    common.enotdir_prefix(k, lambda p: ("chmod", p, 0o644))


def t02_name_too_long(k: Kernel) -> None:
    nx = k.name_max()
    k.expect(0, "create", nx, 0o644)
    k.expect(0, "chmod", nx, 0o620)
    k.expect(0o620, "stat", nx, "mode")
    k.expect(0, "unlink", nx)
    k.expect("ENAMETOOLONG", "chmod", nx + "x", 0o620)


def t03_path_too_long(k: Kernel) -> None:
    nx = k.path_max()
    k.expect(0, "create", nx, 0o644)
    k.expect(0, "chmod", nx, 0o642)
    k.expect(0o642, "stat", nx, "mode")
    k.expect(0, "unlink", nx)
    k.expect("ENAMETOOLONG", "chmod", nx + "x", 0o642)
    k.rm_rf(nx)


def t04_enoent(k: Kernel) -> None:
    common.enoent(k, lambda p: ("chmod", p, 0o644))


def t05_eacces_search(k: Kernel) -> None:
    n0, n1, n2 = k.namegen(), k.namegen(), k.namegen()
    k.expect(0, "mkdir", n0, 0o755)
    k.expect(0, "mkdir", f"{n0}/{n1}", 0o755)
    k.expect(0, "chown", f"{n0}/{n1}", 65534, 65534)
    f = f"{n0}/{n1}/{n2}"
    k.expect(0, "create", f, 0o644, u=65534, g=65534)
    k.expect(0, "chmod", f, 0o642, u=65534, g=65534)
    k.expect(0o642, "stat", f, "mode", u=65534, g=65534)
    k.expect(0, "chmod", f"{n0}/{n1}", 0o644)
    k.expect("EACCES", "chmod", f, 0o620, u=65534, g=65534)
    k.expect(0, "chmod", f"{n0}/{n1}", 0o755)
    k.expect(0, "chmod", f, 0o420, u=65534, g=65534)
    k.expect(0o420, "stat", f, "mode", u=65534, g=65534)
    k.expect(0, "unlink", f, u=65534, g=65534)
    k.expect(0, "rmdir", f"{n0}/{n1}")
    k.expect(0, "rmdir", n0)


def t06_eloop(k: Kernel) -> None:
    common.eloop(k, lambda p: ("chmod", p, 0o644))


def t07_eperm_not_owner(k: Kernel) -> None:
    n1, n2, n3 = k.namegen(), k.namegen(), k.namegen()
    k.expect(0, "mkdir", n1, 0o755)
    k.expect(0, "chown", n1, 65534, 65534)
    f, ln = f"{n1}/{n2}", f"{n1}/{n3}"
    k.expect(0, "create", f, 0o644, u=65534, g=65534)
    k.expect(0, "chmod", f, 0o642, u=65534, g=65534)
    k.expect(0o642, "stat", f, "mode")
    k.expect("EPERM", "chmod", f, 0o641, u=65533, g=65533)
    k.expect(0o642, "stat", f, "mode")
    k.expect(0, "chown", f, 0, 0)
    k.expect("EPERM", "chmod", f, 0o641, u=65534, g=65534)
    k.expect(0o642, "stat", f, "mode")
    k.expect(0, "unlink", f)
    # through a symlink
    k.expect(0, "create", f, 0o644, u=65534, g=65534)
    k.expect(0, "symlink", n2, ln, u=65534, g=65534)
    k.expect(0, "chmod", ln, 0o642, u=65534, g=65534)
    k.expect("0642,65534,65534", "stat", f, "mode,uid,gid")
    k.expect("EPERM", "chmod", ln, 0o641, u=65533, g=65533)
    k.expect("0642,65534,65534", "stat", f, "mode,uid,gid")
    k.expect(0, "chown", ln, 0, 0)
    k.expect("EPERM", "chmod", ln, 0o641, u=65534, g=65534)
    k.expect("0642,0,0", "stat", f, "mode,uid,gid")
    k.expect(0, "unlink", f)
    k.expect(0, "unlink", ln)
    k.expect(0, "rmdir", n1)


def t10_efault(k: Kernel) -> None:
    common.efault(k, lambda p: ("chmod", p, 0o644))


def t11_sticky(k: Kernel) -> None:
    n1, n2 = k.namegen(), k.namegen()
    for t in ALL_TYPES:
        if t == "symlink":
            continue
        k.create_file(t, n1)
        k.expect(0, "chmod", n1, 0o1621)      # root may set the sticky bit on anything
        k.expect(0o1621, "stat", n1, "mode")
        k.expect(0, "symlink", n1, n2)
        k.expect(0, "chmod", n2, 0o1700)
        k.expect(0o1700, "stat", n1, "mode")
        k.expect(0, "unlink", n2)
        k.remove(t, n1)
    k.expect(0, "mkdir", n1, 0o755)
    k.expect(0, "chown", n1, 65534, 65534)
    k.expect(0, "chmod", n1, 0o1755, u=65534, g=65534)
    k.expect(0o1755, "stat", n1, "mode")
    k.expect(0, "symlink", n1, n2)
    k.expect(0, "chmod", n2, 0o1700)
    k.expect(0o1700, "stat", n1, "mode")
    k.expect(0, "unlink", n2)
    k.expect(0, "rmdir", n1)
    # pjdfstest has no NetBSD expectation here; NetBSD (like FreeBSD) answers
    # EFTYPE to a non-root owner setting S_ISVTX on a non-directory.
    for t in ("regular", "fifo", "block", "char", "socket"):
        k.create_file(t, n1, 0o640, 65534, 65534)
        k.expect(0, "symlink", n1, n2)
        k.expect("EFTYPE", "chmod", n1, 0o1644, u=65534, g=65534)
        k.expect(0o640, "stat", n1, "mode")
        k.expect("EFTYPE", "chmod", n2, 0o1644, u=65534, g=65534)
        k.expect(0o640, "stat", n1, "mode")
        k.expect(0, "unlink", n2)
        k.expect(0, "unlink", n1)


def t12_write_keeps_setid(k: Kernel) -> None:
    # pjdfstest expects a non-owner's write to clear S_ISUID/S_ISGID (as UFS does);
    # NetBSD's tmpfs_write never touches the mode, so the bits stay.
    n0 = k.namegen()
    for mode, how in ((0o4777, "O_WRONLY"), (0o2777, "O_RDWR"), (0o6777, "O_RDWR")):
        k.expect(0, "create", n0, mode)
        k.expect(mode, "open", n0, how, ":", "write", 0, "x", ":", "fstat", 0, "mode",
                 u=65534, g=65534)
        k.expect(mode, "stat", n0, "mode")
        k.expect(0, "unlink", n0)


CASES = [v for n, v in sorted(globals().items()) if n.startswith("t") and n[1:3].isdigit()]


@pytest.mark.parametrize("case", CASES, ids=[c.__name__ for c in CASES])
def test_chmod(k: Kernel, case) -> None:  # type: ignore[no-untyped-def]
    case(k)
    k.finish()
