"""chflags(2): pjdfstest runs its chflags/NN.t on FreeBSD only (misc.sh says
"unsupported" elsewhere); these cases check NetBSD tmpfs's own rules and the
effect of the immutable and append-only flags on the other calls."""
from __future__ import annotations

import pytest

from .pjd import Kernel


def t00_set_and_show(k: Kernel) -> None:
    n0 = k.namegen()
    k.expect(0, "create", n0, 0o644)
    k.expect("none", "stat", n0, "flags")
    for f in ("UF_NODUMP", "UF_IMMUTABLE", "UF_APPEND", "UF_OPAQUE", "SF_ARCHIVED",
              "SF_IMMUTABLE", "SF_APPEND", "UF_NODUMP,SF_ARCHIVED"):
        k.expect(0, "chflags", n0, f)
        k.expect(f, "stat", n0, "flags")
    k.expect(0, "chflags", n0, "none")
    c1 = k.ns("stat", n0, "ctime")
    k.tick()
    k.expect(0, "chflags", n0, "UF_NODUMP")
    k.check(c1 < k.ns("stat", n0, "ctime"), "chflags updates ctime")
    k.expect(0, "chflags", n0, "none")
    k.expect(0, "unlink", n0)


def t01_permissions(k: Kernel) -> None:
    n0 = k.namegen()
    k.expect(0, "create", n0, 0o644)
    k.expect(0, "chown", n0, 65534, 65534)
    k.expect(0, "chflags", n0, "UF_NODUMP", u=65534, g=65534)
    k.expect("EPERM", "chflags", n0, "none", u=65533, g=65533)       # not the owner
    k.expect("EPERM", "chflags", n0, "SF_ARCHIVED", u=65534, g=65534)  # system flags: root
    k.expect(0, "chflags", n0, "SF_ARCHIVED")
    k.expect("EPERM", "chflags", n0, "UF_NODUMP", u=65534, g=65534)   # would drop SF_ARCHIVED
    k.expect(0, "chflags", n0, "UF_NODUMP,SF_ARCHIVED", u=65534, g=65534)
    k.expect("UF_NODUMP,SF_ARCHIVED", "stat", n0, "flags")
    k.expect(0, "chflags", n0, "none")
    k.expect(0, "unlink", n0)


def t02_immutable_and_append(k: Kernel) -> None:
    n0, n1 = k.namegen(), k.namegen()
    for flag in ("UF_IMMUTABLE", "SF_IMMUTABLE", "UF_APPEND", "SF_APPEND"):
        k.expect(0, "create", n0, 0o644)
        k.expect(0, "chflags", n0, flag)
        k.expect("EPERM", "unlink", n0)
        k.expect("EPERM", "rename", n0, n1)
        k.expect("EPERM", "link", n0, n1)
        k.expect("EPERM", "chmod", n0, 0o600)
        k.expect("EPERM", "chown", n0, 1, 1)
        k.expect("EPERM", "truncate", n0, 0)
        k.expect("EPERM", "open", n0, "O_WRONLY")
        if "APPEND" in flag:
            k.expect(0, "open", n0, "O_WRONLY,O_APPEND")
        else:
            k.expect("EPERM", "open", n0, "O_WRONLY,O_APPEND")
        k.expect(0, "open", n0, "O_RDONLY")
        k.expect(0, "chflags", n0, "none")
        k.expect(0, "unlink", n0)
    # an append-only directory keeps its entries
    k.expect(0, "mkdir", n0, 0o755)
    k.expect(0, "create", f"{n0}/{n1}", 0o644)
    k.expect(0, "chflags", n0, "UF_APPEND")
    k.expect("EPERM", "unlink", f"{n0}/{n1}")
    k.expect(0, "chflags", n0, "none")
    k.expect(0, "unlink", f"{n0}/{n1}")
    k.expect(0, "rmdir", n0)


CASES = [v for n, v in sorted(globals().items()) if n.startswith("t") and n[1:3].isdigit()]


@pytest.mark.parametrize("case", CASES, ids=[c.__name__ for c in CASES])
def test_chflags(k: Kernel, case) -> None:  # type: ignore[no-untyped-def]
    case(k)
    k.finish()
