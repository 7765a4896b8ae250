"""How a traced system call is shown: one table of argument formats, keyed by name.

Like strace's decoders, but as data: every argument gets a format from its
declared C type in syscalls.tsv (``const char *`` is a string, other pointers
are addresses, the rest decimal), and :data:`FORMATS` overrides that for the
arguments whose meaning a type cannot tell (open flags, modes, fcntl commands,
signal numbers, AT_FDCWD). Strings are shown when the tracer had them copied
in; otherwise their address. Used by the server's trace sink and the tools.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from . import errno as E
from . import fcntl as F
from . import signal as S
from .syscalls import BY_NAME, SYSCALLS

# Formats: "d" decimal, "x" address/hex, "o" octal mode, "s" string (copied in),
# "fd" a descriptor (AT_FDCWD by name), "oflags" open(2) flags, "fcntl" a fcntl
# command, "sig" a signal number, "atflags" AT_* flags, "-" padding (not shown).
FORMATS: dict[str, tuple[str, ...]] = {
    "open": ("s", "oflags", "o"),
    "openat": ("fd", "s", "oflags", "o"),
    "mkdir": ("s", "o"),
    "mkdirat": ("fd", "s", "o"),
    "chmod": ("s", "o"),
    "fchmod": ("d", "o"),
    "lchmod": ("s", "o"),
    "fchmodat": ("fd", "s", "o", "atflags"),
    "mknod": ("s", "o", "x"),
    "mknodat": ("fd", "s", "o", "-", "x"),
    "mkfifo": ("s", "o"),
    "mkfifoat": ("fd", "s", "o"),
    "umask": ("o",),
    "fcntl": ("d", "fcntl", "x"),
    "kill": ("d", "sig"),
    "unlinkat": ("fd", "s", "atflags"),
    "faccessat": ("fd", "s", "d", "atflags"),
    "fchownat": ("fd", "s", "d", "d", "atflags"),
    "linkat": ("fd", "s", "fd", "s", "atflags"),
    "renameat": ("fd", "s", "fd", "s"),
    "symlinkat": ("s", "fd", "s"),
    "readlinkat": ("fd", "s", "x", "d"),
}

_OFLAGS = sorted(((v, k) for k, v in vars(F).items()
                  if k.startswith("O_") and isinstance(v, int) and v and (v & (v - 1)) == 0
                  and k not in ("O_FSYNC", "O_NDELAY")), reverse=False)
_FCNTL = {v: k for k, v in vars(F).items()
          if k.startswith("F_") and isinstance(v, int) and k.upper() == k
          and k not in ("F_RDLCK", "F_UNLCK", "F_WRLCK", "F_WAIT", "F_FLOCK", "F_POSIX",
                        "F_OK")
          and v <= 20}
_ATFLAGS = sorted((v, k) for k, v in vars(F).items()
                  if k.startswith("AT_") and k != "AT_FDCWD" and isinstance(v, int) and v > 0)


def _type_format(decl: str) -> str:
    """From the declaration in syscalls.tsv: ``const char *path`` is a string."""
    if decl.endswith(" PAD"):
        return "-"
    if decl.startswith("const char *"):
        return "s"
    return "x" if "*" in decl else "d"


_CACHE: dict[str, tuple[str, ...]] = {}


def formats(name: str) -> tuple[str, ...]:
    """The format of each argument slot of ``name`` (computed once per name)."""
    got = _CACHE.get(name)
    if got is None:
        got = FORMATS.get(name)
        if got is None:
            info = SYSCALLS.get(BY_NAME.get(name, -1))
            got = tuple(_type_format(a) for a in info.args) if info else ()
        _CACHE[name] = got
    return got


def string_slots(name: str) -> tuple[int, ...]:
    """The argument slots that hold NUL-terminated input strings (paths, names)."""
    return tuple(i for i, f in enumerate(formats(name)) if f == "s")


def _s32(v: int) -> int:
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v & 0x80000000 else v


def _bits(v: int, table: Sequence[tuple[int, str]]) -> list[str]:
    out = []
    for bit, nm in table:
        if v & bit:
            out.append(nm)
            v &= ~bit
    if v:
        out.append(hex(v))
    return out


def format_arg(fmt: str, v: int, text: bytes | str | None = None) -> str:
    if fmt == "s":
        if text is None:
            return hex(v)
        s = text.decode("utf-8", "backslashreplace") if isinstance(text, bytes) else text
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if fmt == "x":
        return hex(v) if v else "NULL"
    if fmt == "o":
        v &= 0xFFFFFFFF
        return f"0{v:o}" if v else "0"
    if fmt == "fd":
        i = _s32(v)
        return "AT_FDCWD" if i == F.AT_FDCWD else str(i)
    if fmt == "oflags":
        v &= 0xFFFFFFFF
        acc = ("O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE")[v & F.O_ACCMODE]
        return "|".join([acc] + _bits(v & ~F.O_ACCMODE, _OFLAGS))
    if fmt == "atflags":
        v &= 0xFFFFFFFF
        return "|".join(_bits(v, _ATFLAGS)) if v else "0"
    if fmt == "fcntl":
        return _FCNTL.get(_s32(v), str(_s32(v)))
    if fmt == "sig":
        return S.names.get(_s32(v), str(_s32(v)))
    return str(_s32(v)) if -(1 << 31) <= _s32(v) < (1 << 31) and v < (1 << 32) else str(v)


def format_args(name: str, args: Sequence[int],
                strings: Mapping[int, bytes | str] | None = None) -> str:
    """``"/tmp/x", O_RDWR|O_CREAT, 0644`` for open's argument slots."""
    if not args:
        return ""
    fm = formats(name)
    strings = strings or {}
    out = []
    for i, v in enumerate(args):
        f = fm[i] if i < len(fm) else "x"
        if f == "d" and v < 0x80000000:  # the common case, without the general decoder
            out.append(str(v))
        elif f != "-":
            out.append(format_arg(f, v, strings.get(i)))
    return ", ".join(out)


def format_result(error: int, rv: int) -> str:
    """``3``, or ``-1 ENOENT (No such file or directory)`` style without the text."""
    if error > 0:
        return f"-1 {E.errorcode.get(error, str(error))}"
    if error < 0:
        return "? (interrupted)"
    return str(_s32(rv)) if rv < (1 << 32) else hex(rv)


def errno_name(error: int) -> str | None:
    return E.errorcode.get(error) if error > 0 else None


def format_line(rec: Mapping[str, Any]) -> str:
    """One strace-like line of a trace record (server --trace and `sysproxy trace` alike):
    ``[pid 5.1 cat] open("/x", O_RDONLY) = 3 <0.000021>``."""
    st = rec["strings"]
    text = format_args(rec["name"], rec["args"], {int(k): v for k, v in st.items()} if st else None)
    err = rec["error"]
    if rec["interrupted"]:
        res = "? (interrupted)"
    elif err:
        res = f"-1 {E.errorcode.get(err, str(err))}"
    else:
        rv = rec["rv"]
        res = str(rv) if 0 <= rv < 0x80000000 else format_result(0, rv)
    inj = rec["inject"]
    tail = f" (INJECTED {inj}) <" if inj else " <"
    return f"[pid {rec['pid']}.{rec['lwp']} {rec['comm']}] {rec['name']}({text}) = {res}{tail}" \
        f"{rec['dur_us'] / 1e6:.6f}>"
