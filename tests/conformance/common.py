"""Error cases every path-taking call shares (pjdfstest's NN.t families), written
once and applied to each call: ``call(path)`` returns the argv of the operation."""
from __future__ import annotations

from typing import Any, Callable

from .pjd import Kernel

Call = Callable[[str], tuple[Any, ...]]
NOT_DIRS = ("regular", "fifo", "block", "char", "socket")


def enotdir_prefix(k: Kernel, call: Call) -> None:
    """A non-directory in the path prefix: ENOTDIR."""
    n0, n1 = k.namegen(), k.namegen()
    k.expect(0, "mkdir", n0, 0o755)
    for t in NOT_DIRS:
        k.create_file(t, f"{n0}/{n1}")
        k.expect("ENOTDIR", *call(f"{n0}/{n1}/test"))
        k.expect(0, "unlink", f"{n0}/{n1}")
    k.expect(0, "rmdir", n0)


def enoent(k: Kernel, call: Call, final_symlink: bool = True) -> None:
    """A missing component or final name (and a dangling symlink if followed): ENOENT."""
    n0, n1, n2 = k.namegen(), k.namegen(), k.namegen()
    k.expect(0, "mkdir", n0, 0o755)
    k.expect("ENOENT", *call(f"{n0}/{n1}/test"))
    k.expect("ENOENT", *call(f"{n0}/{n1}"))
    if final_symlink:
        k.expect(0, "symlink", n2, f"{n0}/{n1}")
        k.expect("ENOENT", *call(f"{n0}/{n1}"))
        k.expect(0, "unlink", f"{n0}/{n1}")
    k.expect(0, "rmdir", n0)


def eloop(k: Kernel, call: Call, follows_last: bool = True) -> None:
    """Two symlinks naming each other: ELOOP through them (and at the end if followed)."""
    n0, n1 = k.namegen(), k.namegen()
    k.expect(0, "symlink", n0, n1)
    k.expect(0, "symlink", n1, n0)
    if follows_last:
        k.expect("ELOOP", *call(n0))
        k.expect("ELOOP", *call(n1))
    k.expect("ELOOP", *call(f"{n0}/test"))
    k.expect("ELOOP", *call(f"{n1}/test"))
    k.expect(0, "unlink", n0)
    k.expect(0, "unlink", n1)


def efault(k: Kernel, call: Call) -> None:
    """A path pointer outside the client's memory: EFAULT."""
    k.expect("EFAULT", *call("NULL"))
    k.expect("EFAULT", *call("DEADCODE"))


def eacces_search(k: Kernel, make: Call, call: Call, cleanup: Call | None = None) -> None:
    """A directory of the prefix without search permission: EACCES (nobody's own tree)."""
    n0, n1, n2 = k.namegen(), k.namegen(), k.namegen()
    k.expect(0, "mkdir", n0, 0o755)
    k.expect(0, "chown", n0, 65534, 65534)
    k.expect(0, "mkdir", f"{n0}/{n1}", 0o755)
    k.expect(0, "chown", f"{n0}/{n1}", 65534, 65534)
    if make(f"{n0}/{n1}/{n2}"):
        k.expect(0, *make(f"{n0}/{n1}/{n2}"), u=65534, g=65534)
    k.expect(0, "chmod", f"{n0}/{n1}", 0o644)
    k.expect("EACCES", *call(f"{n0}/{n1}/{n2}"), u=65534, g=65534)
    k.expect(0, "chmod", f"{n0}/{n1}", 0o755)
    k.expect(0, *call(f"{n0}/{n1}/{n2}"), u=65534, g=65534)
    if cleanup:
        k.expect(0, *cleanup(f"{n0}/{n1}/{n2}"))
    k.expect(0, "rmdir", f"{n0}/{n1}")
    k.expect(0, "rmdir", n0)
