"""File tools: ls, cat, mkdir, rm, mv, ln, tree (BSD options and messages)."""
from __future__ import annotations

import argparse
import errno
import posixpath
import shutil
import stat as _stat
from collections.abc import Iterator

from .common import Ctx, command, from_kernel, group_name, is_tty, kjoin, ls_time, size_or_dev, user_name

CHUNK = 256 * 1024  # bytes per read call: few round trips, modest frames


# ----- ls ---------------------------------------------------------------------

def _ls_setup(p: argparse.ArgumentParser) -> None:
    p.add_argument("-l", dest="long", action="store_true", help="long format")
    p.add_argument("-a", dest="all", action="store_true", help="include names starting with .")
    p.add_argument("-d", dest="dirs", action="store_true", help="list directories themselves")
    p.add_argument("-1", dest="one", action="store_true", help="one name per line")
    p.add_argument("paths", nargs="*", metavar="PATH")


def _long_lines(ctx: Ctx, d: str, names: list[str]) -> list[str]:
    rows: list[tuple[str, str, str, str, str, str, str, int]] = []
    for name in names:
        path = kjoin(d, name) if d else name
        try:
            st = ctx.k.lstat(path)
        except OSError as e:
            ctx.warn(path, e)
            continue
        shown = name
        if _stat.S_ISLNK(st.st_mode):
            try:
                shown += " -> " + str(ctx.k.readlink(path))
            except OSError:
                pass
        rows.append((_stat.filemode(st.st_mode), str(st.st_nlink), user_name(st.st_uid),
                     group_name(st.st_gid), size_or_dev(st), ls_time(st.st_mtime), shown,
                     getattr(st, "st_blocks", 0)))
    if not rows:
        return []
    w = [max(len(str(r[i])) for r in rows) for i in range(5)]
    return [f"{r[0]} {r[1]:>{w[1]}} {r[2]:<{w[2]}}  {r[3]:<{w[3]}}  {r[4]:>{w[4]}} {r[5]} {r[6]}"
            for r in rows]


def _columns(names: list[str], width: int) -> list[str]:
    """ls -C: names down columns, as many columns as fit."""
    if not names:
        return []
    colw = max(len(n) for n in names) + 2
    ncols = max(1, width // colw)
    nrows = -(-len(names) // ncols)
    return ["".join(names[c * nrows + r].ljust(colw) for c in range(ncols)
                    if c * nrows + r < len(names)).rstrip() for r in range(nrows)]


def _emit(ctx: Ctx, args: argparse.Namespace, d: str, names: list[str]) -> None:
    if args.long:
        lines = _long_lines(ctx, d, names)
    elif args.one or not is_tty(ctx.out):
        lines = names
    else:
        lines = _columns(names, shutil.get_terminal_size().columns)
    for line in lines:
        print(line, file=ctx.out)


@command("ls", "list directory contents", _ls_setup)
def cmd_ls(ctx: Ctx, args: argparse.Namespace) -> None:
    k = ctx.k
    operands = args.paths or ["."]
    files: list[str] = []
    dirs: list[str] = []
    for path in operands:
        try:
            st = k.lstat(path) if args.long or args.dirs else k.stat(path)
            if not args.dirs and _stat.S_ISLNK(st.st_mode) and not args.long:
                st = k.stat(path)
        except FileNotFoundError as e:
            try:  # a dangling symbolic link is still listed
                st = k.lstat(path)
            except OSError:
                ctx.warn(path, e)
                continue
        except OSError as e:
            ctx.warn(path, e)
            continue
        (dirs if _stat.S_ISDIR(st.st_mode) and not args.dirs else files).append(path)
    _emit(ctx, args, "", sorted(files))
    for i, d in enumerate(sorted(dirs)):
        if files or i:
            print(file=ctx.out)
        if len(operands) > 1:
            print(f"{d}:", file=ctx.out)
        try:
            names = k.listdir(d)
        except OSError as e:
            ctx.warn(d, e)
            continue
        if args.all:
            names += [".", ".."]
        else:
            names = [n for n in names if not n.startswith(".")]
        if args.long:
            total = 0
            for n in names:
                try:
                    total += getattr(k.lstat(kjoin(d, n)), "st_blocks", 0)
                except OSError:
                    pass
            print(f"total {total}", file=ctx.out)
        _emit(ctx, args, d, sorted(names))


# ----- cat --------------------------------------------------------------------

def _cat_setup(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", metavar="PATH")


@command("cat", "write kernel files to standard output", _cat_setup)
def cmd_cat(ctx: Ctx, args: argparse.Namespace) -> None:
    out = ctx.bout
    for path in args.paths:
        try:
            fd = ctx.k.open(path, 0)
        except OSError as e:
            ctx.warn(path, e)
            continue
        try:
            while True:
                data = ctx.k.read(fd, CHUNK)
                if not data:
                    break
                out.write(data)
        except OSError as e:
            if isinstance(e, BrokenPipeError) and not from_kernel(e):
                raise
            ctx.warn(path, e)
        finally:
            ctx.k.close(fd)
    out.flush()


# ----- mkdir, rm, mv, ln --------------------------------------------------------

def _mkdir_setup(p: argparse.ArgumentParser) -> None:
    p.add_argument("-p", dest="parents", action="store_true",
                   help="make parent directories; no error if the directory exists")
    p.add_argument("-m", dest="mode", type=lambda s: int(s, 8), default=0o777,
                   help="permission bits (octal)")
    p.add_argument("paths", nargs="+", metavar="DIR")


@command("mkdir", "make directories", _mkdir_setup)
def cmd_mkdir(ctx: Ctx, args: argparse.Namespace) -> None:
    for path in args.paths:
        try:
            if args.parents:
                ctx.k.makedirs(path, args.mode, exist_ok=True)
            else:
                ctx.k.mkdir(path, args.mode)
        except OSError as e:
            ctx.warn(path, e)


def _rm_setup(p: argparse.ArgumentParser) -> None:
    p.add_argument("-r", "-R", dest="recursive", action="store_true",
                   help="remove directories and their contents")
    p.add_argument("-f", dest="force", action="store_true",
                   help="no error for files that do not exist")
    p.add_argument("-d", dest="dirs", action="store_true", help="remove empty directories too")
    p.add_argument("paths", nargs="+", metavar="PATH")


def _rm_tree(ctx: Ctx, path: str) -> bool:
    """Remove a directory's contents depth first, then itself; False if anything stayed."""
    ok = True
    try:
        names = ctx.k.listdir(path)
    except OSError as e:
        ctx.warn(path, e)
        return False
    for name in names:
        child = kjoin(path, name)
        try:
            if _stat.S_ISDIR(ctx.k.lstat(child).st_mode):
                ok = _rm_tree(ctx, child) and ok
            else:
                ctx.k.unlink(child)
        except OSError as e:
            ctx.warn(child, e)
            ok = False
    if ok:
        try:
            ctx.k.rmdir(path)
        except OSError as e:
            ctx.warn(path, e)
            ok = False
    return ok


@command("rm", "remove files and directories", _rm_setup)
def cmd_rm(ctx: Ctx, args: argparse.Namespace) -> None:
    for path in args.paths:
        base = posixpath.basename(path.rstrip("/"))
        if base in (".", "..") or path.strip("/") == "":
            ctx.warn(f'"{path}" may not be removed')
            continue
        try:
            st = ctx.k.lstat(path)
        except OSError as e:
            if not (args.force and e.errno == errno.ENOENT):
                ctx.warn(path, e)
            continue
        try:
            if not _stat.S_ISDIR(st.st_mode):
                ctx.k.unlink(path)
            elif args.recursive:
                _rm_tree(ctx, path)
            elif args.dirs:
                ctx.k.rmdir(path)
            else:
                ctx.warn(path, "is a directory")
        except OSError as e:
            ctx.warn(path, e)


def _isdir(ctx: Ctx, path: str) -> bool:
    try:
        return _stat.S_ISDIR(ctx.k.stat(path).st_mode)
    except OSError:
        return False


def _mv_setup(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", metavar="SOURCE ... TARGET")


@command("mv", "move (rename) files", _mv_setup)
def cmd_mv(ctx: Ctx, args: argparse.Namespace) -> None:
    if len(args.paths) < 2:
        ctx.warn("usage: mv SOURCE TARGET | mv SOURCE ... DIRECTORY")
        return
    *sources, target = args.paths
    into = _isdir(ctx, target)
    if len(sources) > 1 and not into:
        ctx.warn(target, "Not a directory")
        return
    for src in sources:
        dst = kjoin(target, posixpath.basename(src.rstrip("/"))) if into else target
        try:
            ctx.k.rename(src, dst)
        except OSError as e:
            ctx.warn(f"rename {src} to {dst}", e)


def _ln_setup(p: argparse.ArgumentParser) -> None:
    p.add_argument("-s", dest="symbolic", action="store_true", help="make symbolic links")
    p.add_argument("-f", dest="force", action="store_true", help="replace existing links")
    p.add_argument("paths", nargs="+", metavar="TARGET ... [LINK|DIRECTORY]")


@command("ln", "make hard or symbolic links", _ln_setup)
def cmd_ln(ctx: Ctx, args: argparse.Namespace) -> None:
    paths = args.paths
    if len(paths) == 1:
        targets, where, into = paths, ".", True
    else:
        *targets, where = paths
        into = _isdir(ctx, where)
        if len(targets) > 1 and not into:
            ctx.warn(where, "Not a directory")
            return
    for target in targets:
        link = kjoin(where, posixpath.basename(target.rstrip("/"))) if into else where
        try:
            if args.force:
                try:
                    ctx.k.unlink(link)
                except FileNotFoundError:
                    pass
            (ctx.k.symlink if args.symbolic else ctx.k.link)(target, link)
        except OSError as e:
            ctx.warn(link, e)


# ----- tree -----------------------------------------------------------------------

def _tree_setup(p: argparse.ArgumentParser) -> None:
    p.add_argument("-a", dest="all", action="store_true", help="include names starting with .")
    p.add_argument("-d", dest="dirs", action="store_true", help="directories only")
    p.add_argument("-L", dest="level", type=int, default=0, help="descend at most LEVEL deep")
    p.add_argument("paths", nargs="*", metavar="DIR")


def _tree_lines(ctx: Ctx, args: argparse.Namespace, d: str, prefix: str, depth: int,
                counts: list[int], glyphs: tuple[str, str, str, str]) -> Iterator[str]:
    try:
        names = sorted(n for n in ctx.k.listdir(d) if args.all or not n.startswith("."))
    except OSError as e:
        yield f"{prefix}[error opening dir: {e.strerror or e}]"
        ctx.status = 1
        return
    entries = []
    for name in names:
        path = kjoin(d, name)
        try:
            st = ctx.k.lstat(path)
        except OSError:
            continue
        if args.dirs and not _stat.S_ISDIR(st.st_mode):
            continue
        entries.append((name, path, st))
    tee, last, bar, blank = glyphs
    for i, (name, path, st) in enumerate(entries):
        end = i == len(entries) - 1
        shown = name
        if _stat.S_ISLNK(st.st_mode):
            try:
                shown += " -> " + str(ctx.k.readlink(path))
            except OSError:
                pass
        yield f"{prefix}{last if end else tee}{shown}"
        if _stat.S_ISDIR(st.st_mode):
            counts[0] += 1
            if not args.level or depth < args.level:
                yield from _tree_lines(ctx, args, path, prefix + (blank if end else bar),
                                       depth + 1, counts, glyphs)
        else:
            counts[1] += 1


@command("tree", "list directories as a tree", _tree_setup)
def cmd_tree(ctx: Ctx, args: argparse.Namespace) -> None:
    utf = "utf" in (getattr(ctx.out, "encoding", "") or "").lower()
    glyphs = ("├── ", "└── ", "│   ", "    ") if utf else \
        ("|-- ", "`-- ", "|   ", "    ")
    counts = [0, 0]  # directories, files
    for top in args.paths or ["."]:
        if not _isdir(ctx, top):
            try:
                ctx.k.lstat(top)
                print(f"{top} [not a directory]", file=ctx.out)
            except OSError as e:
                ctx.warn(top, e)
            continue
        print(top, file=ctx.out)
        for line in _tree_lines(ctx, args, top, "", 1, counts, glyphs):
            print(line, file=ctx.out)
    d, f = counts
    summary = f"{d} director{'y' if d == 1 else 'ies'}"
    if not args.dirs:
        summary += f", {f} file{'' if f == 1 else 's'}"
    print(f"\n{summary}", file=ctx.out)
