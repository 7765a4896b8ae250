"""``sysproxy kdump``: NetBSD ktrace files as text, in the manner of kdump(1).

The file is read from the kernel (``-f PATH``, default ``ktrace.out``) or, with
``--host``, from this machine (a trace written by a real NetBSD works too).
Each record is one line ``PID [LID] COMM TYPE detail``: ``CALL name(args)``
(arguments in hex), ``RET name value`` or ``RET name -1 errno N ENAME``,
``NAMI "path"``, ``GIO fd N read|wrote N bytes`` followed by the data, ``PSIG``,
``CSW``, ``USER``, ``EMUL``, ``ARG``/``ENV``. The lid column appears for
version 1 and 2 records, as kdump shows it.
"""
from __future__ import annotations

import argparse
import struct
import sys
from collections.abc import Iterator

from ..abi import errno as E
from ..abi import ktrace as K
from ..abi import signal as S
from ..abi.syscalls import SYSCALLS
from .common import Ctx, command

# kdump's -t letters (ktrace(1)'s trace points) -> record types
TYPE_LETTERS = {
    "c": (K.KTR_SYSCALL, K.KTR_SYSRET), "n": (K.KTR_NAMEI,), "i": (K.KTR_GENIO,),
    "s": (K.KTR_PSIG,), "w": (K.KTR_CSW,), "e": (K.KTR_EMUL,), "u": (K.KTR_USER,),
    "v": (K.KTR_EXEC_ARG, K.KTR_EXEC_ENV), "m": (K.KTR_MIB,),
}
SIGNAMES: dict[int, str] = {}
for _k, _v in vars(S).items():  # the first name defined wins over aliases (SIGIOT)
    if (_k.startswith("SIG") and _k[3:].isalnum() and _k[3:].isupper() and type(_v) is int
            and 0 < _v < 64 and _k not in ("SIGRTMIN", "SIGRTMAX")):
        SIGNAMES.setdefault(_v, _k[3:])


def parse_types(spec: str | None) -> set[int] | None:
    """The record types ``-t`` selects (None: all); ValueError for an unknown letter."""
    if spec is None or "a" in spec or "+" in spec:
        return None
    out: set[int] = set()
    for ch in spec:
        if ch not in TYPE_LETTERS:
            raise ValueError(f"unknown trace type {ch!r} (use {''.join(TYPE_LETTERS)}a)")
        out.update(TYPE_LETTERS[ch])
    return out


def _name(code: int) -> str:
    info = SYSCALLS.get(code)
    return info.name if info is not None else f"#{code}"


def _hex(v: int) -> str:
    return f"{v:#x}" if v else "0"


def _visible(data: bytes) -> list[str]:
    """The data as kdump's dumpfile shows text: quoted lines, C escapes for the rest."""
    lines: list[str] = []
    cur: list[str] = []
    for b in data:
        if b == 0x0A:
            cur.append("\\n")
            lines.append("".join(cur))
            cur = []
        elif b == 0x09:
            cur.append("\\t")
        elif b == 0x5C:
            cur.append("\\\\")
        elif b == 0x22:
            cur.append('\\"')
        elif 0x20 <= b < 0x7F:
            cur.append(chr(b))
        else:
            cur.append(f"\\{b:03o}")
    if cur:
        lines.append("".join(cur))
    return [f'       "{s}"' for s in lines]


def _detail(r: K.Record) -> tuple[str, list[str]]:
    """(the text after the type, extra lines) for one record."""
    p = r.payload
    t = r.type
    if t == K.KTR_SYSCALL:
        code, argsize = K.SYSCALL.unpack_from(p)
        n = min(argsize, len(p) - K.SYSCALL.size) // 8
        args = struct.unpack_from(f"<{n}q", p, K.SYSCALL.size)
        return f"{_name(code)}({','.join(_hex(a & 0xFFFFFFFFFFFFFFFF) for a in args)})", []
    if t == K.KTR_SYSRET:
        code, _eosys, error, rv0, _rv1 = K.SYSRET.unpack_from(p)
        name = _name(code & 0xFFFF)
        if error == 0:
            return f"{name} {rv0}" + (f"/{rv0 & 0xFFFFFFFFFFFFFFFF:#x}" if not 0 <= rv0 <= 9 else ""), []
        if error == -1:
            return f"{name} RESTART", []
        if error == -2:
            return f"{name} JUSTRETURN", []
        return f"{name} -1 errno {error} {E.errorcode.get(error, 'E?')}", []
    if t == K.KTR_NAMEI:
        path = p.split(b"\0", 1)[0].decode("latin-1")
        return f'"{path}"', []
    if t == K.KTR_GENIO:
        fd, rw = K.GENIO.unpack_from(p)
        data = p[K.GENIO.size:]
        return f"fd {fd} {'read' if rw == K.UIO_READ else 'wrote'} {len(data)} bytes", _visible(data)
    if t == K.KTR_PSIG:
        signo, action, mask, code = K.PSIG.unpack_from(p)
        what = {0: "SIG_DFL", 1: "SIG_IGN"}.get(action, f"caught handler={action:#x}")
        m = int.from_bytes(mask[:4], "little")
        return f"SIG{SIGNAMES.get(signo, str(signo))} {what} mask={m:#x} code={code:#x}", []
    if t == K.KTR_CSW:
        out, user = K.CSW.unpack_from(p)
        return f"{'stop' if out else 'resume'} {'user' if user else 'kernel'}", []
    if t == K.KTR_USER:
        ident = p[:K.KTR_USER_MAXIDLEN].split(b"\0", 1)[0].decode("latin-1")
        data = p[K.KTR_USER_MAXIDLEN:]
        return f'"{ident}" {len(data)} bytes', _visible(data)
    if t in (K.KTR_EMUL, K.KTR_EXEC_ARG, K.KTR_EXEC_ENV):
        return f'"{p.decode("latin-1")}"', []
    if t == K.KTR_EXEC_FD:
        fd, dtype = K.EXECFD.unpack_from(p)
        return f"fd {fd} type {dtype}", []
    return f"{len(p)} bytes", []


def kdump_lines(data: bytes, types: set[int] | None = None, pid: int | None = None
                ) -> Iterator[str]:
    """Decode a whole trace file into kdump's lines (ValueError on a damaged file)."""
    for r in K.records(data):
        if types is not None and r.type not in types:
            continue
        if pid is not None and r.pid != pid:
            continue
        head = f"{r.pid:6d} {r.lid:6d} " if r.version > 0 else f"{r.pid:6d} "
        tname = K.TYPE_NAMES.get(r.type, f"TYPE{r.type}")
        try:
            detail, more = _detail(r)
        except struct.error:
            detail, more = f"(short record: {len(r.payload)} bytes)", []
        yield f"{head}{r.comm:<8s} {tname:<5s} {detail}".rstrip()
        yield from more


def _setup(p: argparse.ArgumentParser) -> None:
    p.add_argument("-f", dest="file", default="ktrace.out", metavar="FILE",
                   help="the trace file (default ktrace.out), a kernel path unless --host")
    p.add_argument("--host", action="store_true", help="read FILE from this machine")
    p.add_argument("-t", dest="types", metavar="TYPES",
                   help="record types: c (calls and returns), n, i, s, w, e, u, v, m; a for all")
    p.add_argument("-p", dest="pid", type=int, metavar="PID", help="only this process")


def dump(ctx: Ctx | None, args: argparse.Namespace) -> int:
    """Run kdump; ``ctx`` is None for a host file (no server needed)."""
    prog = ctx.prog if ctx is not None else "sysproxy kdump"
    err = ctx.err if ctx is not None else sys.stderr
    stdout = ctx.out if ctx is not None else sys.stdout
    try:
        types = parse_types(args.types)
        if ctx is None:
            with open(args.file, "rb") as fh:
                data = fh.read()
        else:
            data = _read_kernel_file(ctx, args.file)
        for line in kdump_lines(data, types, args.pid):
            print(line, file=stdout)
    except (OSError, ValueError) as e:
        print(f"{prog}: {args.file}: {getattr(e, 'strerror', None) or e}", file=err)
        return 1
    return 0


def _read_kernel_file(ctx: Ctx, path: str) -> bytes:
    fd = ctx.k.open(path, 0)
    chunks: list[bytes] = []
    try:
        while True:
            b = ctx.k.read(fd, 1 << 16)
            if not b:
                return b"".join(chunks)
            chunks.append(b)
    finally:
        ctx.k.close(fd)


@command("kdump", "decode a NetBSD ktrace file (ours or a real NetBSD's)", _setup)
def cmd_kdump(ctx: Ctx, args: argparse.Namespace) -> int:
    return dump(ctx, args)
