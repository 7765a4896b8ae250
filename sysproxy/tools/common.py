"""What every tool shares: the command registry, the run context, BSD-style errors.

A tool is a function ``run(ctx, args)`` plus an argparse ``setup``; the command
line (``sysproxy ls ...``, one connection per run) and the shell (``ls ...``,
one connection for the session) both call it, so tools never connect or exit
themselves: they print through ``ctx`` and report failures with ``ctx.warn``.
"""
from __future__ import annotations

import argparse
import os
import posixpath
import stat as _stat
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any, BinaryIO, TextIO, cast

if TYPE_CHECKING:  # the client is imported when a tool runs, not when `serve` starts
    from sysproxy.client import Kernel

Setup = Callable[[argparse.ArgumentParser], None]
Runner = Callable[["Ctx", argparse.Namespace], "int | None"]


@dataclass
class Command:
    name: str
    help: str
    setup: Setup
    run: Runner


COMMANDS: dict[str, Command] = {}


def command(name: str, help: str, setup: Setup | None = None) -> Callable[[Runner], Runner]:
    """Register a tool under ``name`` (the shell and the CLI read the same table)."""
    def deco(fn: Runner) -> Runner:
        COMMANDS[name] = Command(name, help, setup or (lambda p: None), fn)
        return fn
    return deco


@dataclass
class Ctx:
    """One tool run: the kernel, where output goes, and the exit status so far."""
    k: "Kernel"
    prog: str                      # "sysproxy ls" on the command line, "ls" in the shell
    out: TextIO
    err: TextIO
    status: int = 0

    @property
    def bout(self) -> BinaryIO:
        """The binary side of ``out`` (cat, get -) after flushing its text."""
        self.out.flush()
        # a TextIO without a binary side (a test's StringIO) is returned as is
        return cast(BinaryIO, getattr(self.out, "buffer", self.out))

    def warn(self, what: object, e: BaseException | str | None = None) -> None:
        """``prog: what: reason`` on stderr, as BSD's warn(3); the run then exits 1."""
        parts = [self.prog, str(what)]
        if e is not None:
            parts.append(reason(e))
        print(": ".join(parts), file=self.err, flush=True)
        self.status = 1


def reason(e: BaseException | str) -> str:
    """strerror-like text for an exception, without Python's "[Errno N]" decoration."""
    if isinstance(e, str):
        return e
    if isinstance(e, OSError) and e.strerror:
        return e.strerror
    return str(e) or type(e).__name__


def from_kernel(e: BaseException) -> bool:
    """Whether an error came from the kernel (else from the host: a pipe, a host file)."""
    from sysproxy.client import KernelError
    return isinstance(e, KernelError)


def is_tty(stream: IO[Any]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class UsageError(Exception):
    """A bad command line; argparse's own exit is turned into this inside the shell."""


class Parser(argparse.ArgumentParser):
    """An ArgumentParser that raises instead of exiting (for the shell)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}\n{self.format_usage().rstrip()}")

    def exit(self, status: int = 0, message: str | None = None) -> None:  # type: ignore[override]
        if message:
            raise UsageError(message.rstrip())
        raise HelpShown(status)


class HelpShown(Exception):
    """-h/--help printed its text; nothing to run."""

# ----- formatting shared by ls, stat, tree ------------------------------------

_USERS = {0: "root"}
_GROUPS = {0: "wheel"}


def user_name(uid: int) -> str:
    """The kernel has no password database: root is named, others are numbers."""
    return _USERS.get(uid, str(uid))


def group_name(gid: int) -> str:
    return _GROUPS.get(gid, str(gid))


def kjoin(d: str, name: str) -> str:
    """A kernel path under directory ``d`` (POSIX rules whatever the host is)."""
    return posixpath.join(d, name)


def ls_time(t: float, now: float | None = None) -> str:
    """ls -l's date: time of day if within six months, else the year."""
    now = time.time() if now is None else now
    lt = time.localtime(t)
    if abs(now - t) < 182 * 86400:
        return time.strftime("%b %e %H:%M", lt)
    return time.strftime("%b %e  %Y", lt)


def size_or_dev(st: os.stat_result) -> str:
    if _stat.S_ISCHR(st.st_mode) or _stat.S_ISBLK(st.st_mode):
        rdev = getattr(st, "st_rdev", 0)
        return f"{os.major(rdev)}, {os.minor(rdev)}"
    return str(st.st_size)


def human(n: float) -> str:
    """1536 -> '1.5 KiB' (progress and sizes for people)."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(n) < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TiB"
