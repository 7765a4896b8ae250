"""put and get: copy files between the host and the kernel, with a progress bar.

The bar goes to stderr, and only when stderr is a terminal and the file is large
(or -P asks for it), so scripts and pipes see clean output.
"""
from __future__ import annotations

import argparse
import os
import posixpath
import stat as _stat
import sys
import time
from typing import BinaryIO, TextIO

from .common import Ctx, command, from_kernel, human, is_tty, kjoin

CHUNK = 1024 * 1024          # bytes per write/read call
BAR_THRESHOLD = 1024 * 1024  # files at least this large get a bar on a terminal
_O_WRONLY_CREAT_TRUNC = os.O_WRONLY | os.O_CREAT | os.O_TRUNC


class Progress:
    """A one-line bar redrawn at most ten times a second: name, %, bytes, rate, ETA."""

    def __init__(self, stream: TextIO | None, name: str, total: int | None) -> None:
        self.stream, self.name, self.total = stream, name, total
        self.done = 0
        self.start = self._last = time.monotonic()

    def update(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if self.stream is not None and now - self._last >= 0.1:
            self._last = now
            self._draw(now)

    def _draw(self, now: float, final: bool = False) -> None:
        assert self.stream is not None
        elapsed = max(now - self.start, 1e-6)
        rate = self.done / elapsed
        if self.total:
            frac = min(self.done / self.total, 1.0)
            width = 30
            fill = int(frac * width)
            eta = "" if final or not rate else \
                f" ETA {int((self.total - self.done) / rate) // 60}:" \
                f"{int((self.total - self.done) / rate) % 60:02d}"
            bar = f"{frac * 100:3.0f}% |{'#' * fill}{' ' * (width - fill)}| "
        else:
            bar, eta = "", ""
        line = f"\r{self.name[-30:]} {bar}{human(self.done)} {human(rate)}/s{eta}"
        self.stream.write(line.ljust(79) if not final else line + "\n")
        self.stream.flush()

    def finish(self) -> None:
        if self.stream is not None:
            self._draw(time.monotonic(), final=True)


def _progress_setup(p: argparse.ArgumentParser) -> None:
    g = p.add_mutually_exclusive_group()
    g.add_argument("-P", "--progress", dest="progress", action="store_const", const=True,
                   help="always show a progress bar on stderr")
    g.add_argument("-q", "--no-progress", dest="progress", action="store_const", const=False,
                   help="never show a progress bar")


def _bar(ctx: Ctx, args: argparse.Namespace, name: str, total: int | None) -> Progress:
    show = args.progress if args.progress is not None else \
        is_tty(ctx.err) and (total is None or total >= BAR_THRESHOLD)
    return Progress(ctx.err if show else None, name, total)


# ----- put --------------------------------------------------------------------

def _put_setup(p: argparse.ArgumentParser) -> None:
    _progress_setup(p)
    p.add_argument("hostfile", metavar="HOSTFILE", help="a host file, or - for standard input")
    p.add_argument("path", metavar="PATH", help="kernel file or directory")


@command("put", "copy a host file into the kernel", _put_setup)
def cmd_put(ctx: Ctx, args: argparse.Namespace) -> None:
    k = ctx.k
    src: BinaryIO
    try:
        src = sys.stdin.buffer if args.hostfile == "-" else open(args.hostfile, "rb")
    except OSError as e:
        ctx.warn(args.hostfile, e)
        return
    try:
        hst = os.fstat(src.fileno())
        if _stat.S_ISDIR(hst.st_mode):
            ctx.warn(args.hostfile, "Is a directory")
            return
        total = hst.st_size if _stat.S_ISREG(hst.st_mode) else None
        dst = args.path
        try:
            if _stat.S_ISDIR(k.stat(dst).st_mode):
                name = "stdin" if args.hostfile == "-" else os.path.basename(args.hostfile)
                dst = kjoin(dst, name)
        except OSError:
            pass
        try:
            fd = k.open(dst, _O_WRONLY_CREAT_TRUNC, _stat.S_IMODE(hst.st_mode) & 0o777 or 0o644)
        except OSError as e:
            ctx.warn(dst, e)
            return
        bar = _bar(ctx, args, dst, total)
        try:
            while True:
                data = src.read(CHUNK)
                if not data:
                    break
                view = memoryview(data)
                while view:
                    n = k.write(fd, view)
                    view = view[n:]
                    bar.update(n)
            bar.finish()
        except OSError as e:
            ctx.warn(dst if from_kernel(e) else args.hostfile, e)
        finally:
            k.close(fd)
    finally:
        if src is not sys.stdin.buffer:
            src.close()


# ----- get --------------------------------------------------------------------

def _get_setup(p: argparse.ArgumentParser) -> None:
    _progress_setup(p)
    p.add_argument("path", metavar="PATH", help="kernel file")
    p.add_argument("hostfile", metavar="HOSTFILE", nargs="?", default=None,
                   help="host file or directory, - for standard output "
                        "(default: the kernel file's name in the current directory)")


@command("get", "copy a kernel file to the host", _get_setup)
def cmd_get(ctx: Ctx, args: argparse.Namespace) -> None:
    k = ctx.k
    try:
        fd = k.open(args.path, os.O_RDONLY)
        kst = k.fstat(fd)
    except OSError as e:
        ctx.warn(args.path, e)
        return
    try:
        if _stat.S_ISDIR(kst.st_mode):
            ctx.warn(args.path, "Is a directory")
            return
        name = posixpath.basename(args.path.rstrip("/")) or "file"
        target = args.hostfile or name
        to_stdout = target == "-"
        if not to_stdout and os.path.isdir(target):
            target = os.path.join(target, name)
        try:
            dst: BinaryIO = ctx.bout if to_stdout else open(target, "wb")
        except OSError as e:
            ctx.warn(target, e)
            return
        total = kst.st_size if _stat.S_ISREG(kst.st_mode) else None
        bar = _bar(ctx, args, args.path, total)
        try:
            while True:
                data = k.read(fd, CHUNK)
                if not data:
                    break
                dst.write(data)
                bar.update(len(data))
            dst.flush()
            bar.finish()
        except OSError as e:
            if isinstance(e, BrokenPipeError) and not from_kernel(e):
                raise
            ctx.warn(args.path if from_kernel(e) else target, e)
        finally:
            if not to_stdout:
                dst.close()
    finally:
        k.close(fd)
