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
    if not k.external:  # a real client cannot answer a copy from an unmapped address
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


# -- calls that make a new name: mkdir, mkfifo, mknod, open(O_CREAT), symlink ----------

Make = Callable[[str, int], tuple[Any, ...]]


def creates_with_umask(k: Kernel, make: Make, ftype: str, remove: str) -> None:
    """The mode is masked by the umask (pjdfstest's -U)."""
    n0 = k.namegen()
    for mode, umask, want in ((0o755, 0, "0755"), (0o151, 0, "0151"), (0o151, 0o77, "0100"),
                              (0o345, 0o70, "0305"), (0o345, 0o501, "0244")):
        k.expect(0, *make(n0, mode), U=umask)
        k.expect(f"{ftype},{want}", "lstat", n0, "type,mode")
        k.expect(0, remove, n0)


def owner_and_group(k: Kernel, make: Make, remove: str) -> None:
    """uid from the caller's euid, gid from the directory (BSD)."""
    n0 = k.namegen()
    k.expect(0, "chown", ".", 65535, 65535)
    k.expect(0, *make(n0, 0o755), u=65535, g=65535)
    k.expect("65535,65535", "lstat", n0, "uid,gid")
    k.expect(0, remove, n0)
    k.expect(0, *make(n0, 0o755), u=65535, g=65534)
    k.expect("65535,65535", "lstat", n0, "uid,gid")
    k.expect(0, remove, n0)
    k.expect(0, "chmod", ".", 0o777)
    k.expect(0, *make(n0, 0o755), u=65534, g=65533)
    k.expect("65534,65535", "lstat", n0, "uid,gid")
    k.expect(0, remove, n0)
    k.expect(0, "chown", ".", 0, 0)
    k.expect(0, "chmod", ".", 0o755)


def creation_times(k: Kernel, make: Make, remove: str) -> None:
    """The new node's times and the directory's ctime/mtime move forward."""
    n0 = k.namegen()
    t0 = k.ns("stat", ".", "ctime")
    k.tick()
    k.expect(0, *make(n0, 0o755))
    for f in ("atime", "mtime", "ctime"):
        k.check(t0 < k.ns("lstat", n0, f), f"new node {f}")
    k.check(t0 < k.ns("stat", ".", "mtime"), "directory mtime")
    k.check(t0 < k.ns("stat", ".", "ctime"), "directory ctime")
    k.expect(0, remove, n0)


def eexist(k: Kernel, make: Make) -> None:
    """Every existing type, a dangling symlink included, is EEXIST."""
    n0 = k.namegen()
    for t in ("regular", "dir", "fifo", "block", "char", "socket", "symlink"):
        k.create_file(t, n0)
        k.expect("EEXIST", *make(n0, 0o644))
        k.remove(t, n0)


def eacces_write(k: Kernel, make: Make, remove: str) -> None:
    """No write permission in the directory: EACCES."""
    n1, n2 = k.namegen(), k.namegen()
    k.expect(0, "mkdir", n1, 0o755)
    k.expect(0, "chown", n1, 65534, 65534)
    k.expect(0, *make(f"{n1}/{n2}", 0o644), u=65534, g=65534)
    k.expect(0, remove, f"{n1}/{n2}", u=65534, g=65534)
    k.expect(0, "chmod", n1, 0o555)
    k.expect("EACCES", *make(f"{n1}/{n2}", 0o644), u=65534, g=65534)
    k.expect(0, "chmod", n1, 0o755)
    k.expect(0, *make(f"{n1}/{n2}", 0o644), u=65534, g=65534)
    k.expect(0, remove, f"{n1}/{n2}", u=65534, g=65534)
    k.expect(0, "rmdir", n1)


def eacces_search_create(k: Kernel, make: Make, remove: str) -> None:
    n1, n2 = k.namegen(), k.namegen()
    k.expect(0, "mkdir", n1, 0o755)
    k.expect(0, "chown", n1, 65534, 65534)
    k.expect(0, *make(f"{n1}/{n2}", 0o644), u=65534, g=65534)
    k.expect(0, remove, f"{n1}/{n2}", u=65534, g=65534)
    k.expect(0, "chmod", n1, 0o644)
    k.expect("EACCES", *make(f"{n1}/{n2}", 0o644), u=65534, g=65534)
    k.expect(0, "chmod", n1, 0o755)
    k.expect(0, "rmdir", n1)


def name_limits(k: Kernel, make: Make, ftype: str, remove: str) -> None:
    nx = k.name_max()
    k.expect(0, *make(nx, 0o644))
    k.expect(ftype, "lstat", nx, "type")
    k.expect(0, remove, nx)
    k.expect("ENAMETOOLONG", *make(nx + "x", 0o644))
    px = k.path_max()
    k.expect(0, *make(px, 0o644))
    k.expect(ftype, "lstat", px, "type")
    k.expect(0, remove, px)
    k.expect("ENAMETOOLONG", *make(px + "x", 0o644))
    k.rm_rf(px)


def path_errors(k: Kernel, make: Make) -> None:
    """ENOTDIR, ENOENT, ELOOP in the prefix; EFAULT."""
    enotdir_prefix(k, lambda p: make(p, 0o644))
    n0, n1 = k.namegen(), k.namegen()
    k.expect("ENOENT", *make(f"{n0}/{n1}/test", 0o644))
    eloop(k, lambda p: make(p, 0o644), follows_last=False)
    efault(k, lambda p: make(p, 0o644))


def creator_suite(k: Kernel, make: Make, ftype: str, remove: str = "unlink") -> None:
    creates_with_umask(k, make, ftype, remove)
    owner_and_group(k, make, remove)
    creation_times(k, make, remove)
    eexist(k, make)
    eacces_write(k, make, remove)
    eacces_search_create(k, make, remove)
    name_limits(k, make, ftype, remove)
    path_errors(k, make)
