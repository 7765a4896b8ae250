"""chown(2)/lchown(2) (NetBSD's __posix_chown family): pjdfstest's chown/NN.t."""
from __future__ import annotations

import pytest

from . import common
from .pjd import ALL_TYPES, Kernel

SETID = "(06555|0555)"


def _each(k: Kernel, body) -> None:  # type: ignore[no-untyped-def]
    """Run body(t, target, stat_op) for each type: through a symlink with chown
    (non-symlinks) and directly with lchown."""
    n0, n1 = k.namegen(), k.namegen()
    for t in ALL_TYPES:
        if t != "symlink":
            k.create_file(t, n0)
            body(t, n0, "chown", "stat")
            k.expect(0, "symlink", n0, n1)
            body(t, n1, "chown", "stat")
            k.expect(0, "unlink", n1)
            k.remove(t, n0)
        k.create_file(t, n0)
        body(t, n0, "lchown", "lstat")
        k.remove(t, n0)


def t00_root_changes_owner(k: Kernel) -> None:
    def body(t, f, op, st):  # type: ignore[no-untyped-def]
        k.expect(0, op, f, 123, 456)
        k.expect("123,456", st, f, "uid,gid")
        k.expect(0, op, f, 0, 0)
        k.expect("0,0", st, f, "uid,gid")
    _each(k, body)


def t00_owner_changes_group(k: Kernel) -> None:
    def body(t, f, op, st):  # type: ignore[no-untyped-def]
        k.expect(0, op, f, 65534, 65533)
        k.expect("65534,65533", st, f, "uid,gid")
        k.expect(0, op, f, -1, 65532, u=65534, g="65532,65531")
        k.expect("65534,65532", st, f, "uid,gid")
        k.expect(0, op, f, 65534, 65531, u=65534, g="65532,65531")
        k.expect("65534,65531", st, f, "uid,gid")
        k.expect(0, op, f, 0, 0)
    _each(k, body)


def t00_minus_one_by_anyone(k: Kernel) -> None:
    def body(t, f, op, st):  # type: ignore[no-untyped-def]
        c1 = k.ns(st, f, "ctime")
        k.tick()
        k.expect(0, op, f, -1, -1, u=65534, g=65534)
        k.expect("0,0", st, f, "uid,gid")
        k.check(c1 == k.ns(st, f, "ctime"), f"{op} -1 -1 on {t} keeps ctime")
        k.expect(0, op, f, -1, -1)
        k.check(c1 == k.ns(st, f, "ctime"), f"root {op} -1 -1 on {t} keeps ctime")
    _each(k, body)


def t00_root_keeps_setid(k: Kernel) -> None:
    def body(t, f, op, st):  # type: ignore[no-untyped-def]
        k.expect(0, op, f, 65534, 65533)
        k.expect(0, "chmod", f, 0o6555)
        k.expect("06555,65534,65533", st, f, "mode,uid,gid")
        k.expect(0, op, f, 65532, 65531)
        k.expect(SETID + ",65532,65531", st, f, "mode,uid,gid")
        k.expect(0, "chmod", f, 0o6555)
        k.expect(0, op, f, 0, 0)
        k.expect(SETID + ",0,0", st, f, "mode,uid,gid")
    n0, n1 = k.namegen(), k.namegen()
    for t in ALL_TYPES:
        if t == "symlink":
            continue  # lchmod is not in NetBSD's pjdfstest run
        k.create_file(t, n0)
        body(t, n0, "chown", "stat")
        k.expect(0, "symlink", n0, n1)
        body(t, n1, "chown", "stat")
        k.expect(0, "unlink", n1)
        body(t, n0, "lchown", "lstat")
        k.remove(t, n0)


def t00_user_clears_setid(k: Kernel) -> None:
    n0, n1 = k.namegen(), k.namegen()

    def body(f, op, st):  # type: ignore[no-untyped-def]
        k.expect(0, op, f, 65534, 65533)
        k.expect(0, "chmod", f, 0o6555)
        k.expect("06555,65534,65533", st, f, "mode,uid,gid")
        k.expect(0, op, f, 65534, 65532, u=65534, g="65533,65532")
        k.expect("0555,65534,65532", st, f, "mode,uid,gid")
        k.expect(0, "chmod", f, 0o6555)
        k.expect(0, op, f, -1, 65533, u=65534, g="65533,65532")
        k.expect("0555,65534,65533", st, f, "mode,uid,gid")
        k.expect(0, "chmod", f, 0o6555)
        k.expect(0, op, f, -1, -1, u=65534, g="65533,65532")
        k.expect(SETID + ",65534,65533", st, f, "mode,uid,gid")
    for t in ALL_TYPES:
        if t == "symlink":
            continue
        k.create_file(t, n0)
        body(n0, "chown", "stat")
        k.expect(0, "symlink", n0, n1)
        body(n1, "chown", "stat")
        k.expect(0, "unlink", n1)
        body(n0, "lchown", "lstat")
        k.remove(t, n0)


def t00_ctime(k: Kernel) -> None:
    def body(t, f, op, st):  # type: ignore[no-untyped-def]
        c1 = k.ns(st, f, "ctime")
        k.tick()
        k.expect(0, op, f, 65534, 65533)
        k.expect("65534,65533", st, f, "uid,gid")
        c2 = k.ns(st, f, "ctime")
        k.check(c1 < c2, f"root {op} of {t} updates ctime")
        k.tick()
        k.expect(0, op, f, 65534, 65532, u=65534, g=65532)
        k.check(c2 < k.ns(st, f, "ctime"), f"owner {op} of {t} updates ctime")
        k.expect(0, op, f, 0, 0)
        # failures leave ctime alone
        c1 = k.ns(st, f, "ctime")
        k.tick()
        k.expect("EPERM", op, f, 65534, -1, u=65534)
        k.expect("EPERM", op, f, -1, 65534, u=65534, g=65534)
        k.expect("EPERM", op, f, 65534, 65534, u=65534, g=65534)
        k.check(c1 == k.ns(st, f, "ctime"), f"failed {op} of {t} keeps ctime")
        k.expect("0,0", st, f, "uid,gid")
    _each(k, body)


def t01_enotdir(k: Kernel) -> None:
    common.enotdir_prefix(k, lambda p: ("chown", p, 65534, 65534))
    common.enotdir_prefix(k, lambda p: ("lchown", p, 65534, 65534))


def t02_name_too_long(k: Kernel) -> None:
    nx = k.name_max()
    k.expect(0, "create", nx, 0o644)
    k.expect(0, "chown", nx, 65534, 65534)
    k.expect("65534,65534", "stat", nx, "uid,gid")
    k.expect(0, "unlink", nx)
    k.expect("ENAMETOOLONG", "chown", nx + "x", 65534, 65534)
    k.expect("ENAMETOOLONG", "lchown", nx + "x", 65534, 65534)


def t03_path_too_long(k: Kernel) -> None:
    nx = k.path_max()
    k.expect(0, "create", nx, 0o644)
    k.expect(0, "chown", nx, 65534, 65534)
    k.expect("65534,65534", "stat", nx, "uid,gid")
    k.expect(0, "unlink", nx)
    k.expect("ENAMETOOLONG", "chown", nx + "x", 65534, 65534)
    k.expect("ENAMETOOLONG", "lchown", nx + "x", 65534, 65534)
    k.rm_rf(nx)


def t04_enoent(k: Kernel) -> None:
    common.enoent(k, lambda p: ("chown", p, 65534, 65534))
    common.enoent(k, lambda p: ("lchown", p, 65534, 65534), final_symlink=False)


def t05_eacces_search(k: Kernel) -> None:
    n0, n1, n2 = k.namegen(), k.namegen(), k.namegen()
    k.expect(0, "mkdir", n0, 0o755)
    k.expect(0, "mkdir", f"{n0}/{n1}", 0o755)
    k.expect(0, "chown", f"{n0}/{n1}", 65534, 65534)
    f = f"{n0}/{n1}/{n2}"
    k.expect(0, "create", f, 0o644, u=65534, g=65534)
    k.expect(0, "chown", f, -1, 65533, u=65534, g="65533,65534")
    k.expect("65534,65533", "stat", f, "uid,gid", u=65534, g=65534)
    k.expect(0, "chmod", f"{n0}/{n1}", 0o644)
    k.expect("EACCES", "chown", f, -1, 65534, u=65534, g="65533,65534")
    k.expect("EACCES", "lchown", f, -1, 65534, u=65534, g="65533,65534")
    k.expect(0, "chmod", f"{n0}/{n1}", 0o755)
    k.expect("65534,65533", "stat", f, "uid,gid", u=65534, g=65534)
    k.expect(0, "chown", f, -1, 65534, u=65534, g="65533,65534")
    k.expect("65534,65534", "stat", f, "uid,gid", u=65534, g=65534)
    k.expect(0, "lchown", f, -1, 65533, u=65534, g="65533,65534")
    k.expect("65534,65533", "stat", f, "uid,gid", u=65534, g=65533)
    k.expect(0, "unlink", f)
    k.expect(0, "rmdir", f"{n0}/{n1}")
    k.expect(0, "rmdir", n0)


def t06_eloop(k: Kernel) -> None:
    common.eloop(k, lambda p: ("chown", p, 65534, 65534))
    common.eloop(k, lambda p: ("lchown", p, 65534, 65534), follows_last=False)


def t07_eperm_not_owner(k: Kernel) -> None:
    n1, n2, n3 = k.namegen(), k.namegen(), k.namegen()
    k.expect(0, "mkdir", n1, 0o755)
    k.expect(0, "chown", n1, 65534, 65534)
    f, ln = f"{n1}/{n2}", f"{n1}/{n3}"
    for t in ALL_TYPES:
        if t != "symlink":
            k.create_file(t, f, 65534, 65534)
            for path in (f, ln):
                if path == ln:
                    k.expect(0, "symlink", n2, ln, u=65534, g=65534)
                k.expect("EPERM", "chown", path, 65533, 65533, u=65534, g=65534)
                k.expect("EPERM", "chown", path, 65534, 65534, u=65533, g=65533)
                k.expect("EPERM", "chown", path, 65533, 65533, u=65533, g=65533)
                k.expect("EPERM", "chown", path, -1, 65533, u=65534, g=65534)
            k.expect(0, "unlink", ln)
            k.remove(t, f)
        k.create_file(t, f, 65534, 65534)
        k.expect("EPERM", "lchown", f, 65533, 65533, u=65534, g=65534)
        k.expect("EPERM", "lchown", f, 65534, 65534, u=65533, g=65533)
        k.expect("EPERM", "lchown", f, 65533, 65533, u=65533, g=65533)
        k.expect("EPERM", "lchown", f, -1, 65533, u=65534, g=65534)
        k.remove(t, f)
    k.expect(0, "rmdir", n1)


def t10_efault(k: Kernel) -> None:
    common.efault(k, lambda p: ("chown", p, 65534, 65534))
    common.efault(k, lambda p: ("lchown", p, 65534, 65534))


CASES = [v for n, v in sorted(globals().items()) if n.startswith("t") and n[1:3].isdigit()]


@pytest.mark.parametrize("case", CASES, ids=[c.__name__ for c in CASES])
def test_chown(k: Kernel, case) -> None:  # type: ignore[no-untyped-def]
    case(k)
    k.finish()
