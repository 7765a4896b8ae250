"""NetBSD struct kinfo_proc2 (sysctl kern.proc2) and process states, amd64.

Facts from NetBSD's sys/sys/sysctl.h, sys/sys/proc.h and sys/sys/lwp.h. The
record only ever grows at its end: a caller names the element size it knows in
the MIB ({CTL_KERN, KERN_PROC2, op, arg, elem_size, count}) and the kernel
copies that much of each record, so older and newer layouts interoperate. The
layout here is the newest, 680 bytes; NetBSD 7's ended at p_svgid (648 bytes), before
p_ename, p_vm_vsize and p_vm_msize.
Both the kernel (to fill records) and the client (ps) use this one definition.
"""
from __future__ import annotations

import struct
from typing import Any

KI_NGROUPS = 16
KI_MAXCOMLEN = 24
KI_WMESGLEN = 8
KI_MAXLOGNAME = 24
KI_MAXEMULLEN = 16
KI_NOCPU = (1 << 64) - 1
NO_PGID = -1
NODEV = 0xFFFFFFFF  # (dev_t)-1 as the u32 p_tdev holds it

# p_realstat: process states (sys/proc.h)
SIDL, SACTIVE, SDYING, SSTOP, SZOMB, SDEAD = 1, 2, 3, 4, 5, 6
# p_stat: the state of the process's primary LWP (sys/lwp.h)
LSIDL, LSRUN, LSSLEEP, LSSTOP, LSZOMB, LSDEAD, LSONPROC, LSSUSPENDED = 1, 2, 3, 4, 5, 6, 7, 8

# p_eflag
EPROC_CTTY = 0x01
EPROC_SLEADER = 0x02
# p_flag (compat P_* flags)
P_ADVLOCK = 0x00000001
P_CONTROLT = 0x00000002
L_INMEM = 0x00000004
P_SYSTEM = 0x00000200
P_NOCLDWAIT = 0x00020000
NZERO = 20  # p_nice of a process nobody reniced

#: (name, struct code, count) in declaration order; count > 1 makes an array.
FIELDS: list[tuple[str, str, int]] = [
    *[(n, "Q", 1) for n in ("p_forw", "p_back", "p_paddr", "p_addr", "p_fd", "p_cwdi",
                            "p_stats", "p_limit", "p_vmspace", "p_sigacts", "p_sess",
                            "p_tsess", "p_ru")],
    ("p_eflag", "i", 1), ("p_exitsig", "i", 1), ("p_flag", "i", 1),
    ("p_pid", "i", 1), ("p_ppid", "i", 1), ("p_sid", "i", 1), ("p__pgid", "i", 1),
    ("p_tpgid", "i", 1),
    ("p_uid", "I", 1), ("p_ruid", "I", 1), ("p_gid", "I", 1), ("p_rgid", "I", 1),
    ("p_groups", "I", KI_NGROUPS), ("p_ngroups", "h", 1), ("p_jobc", "h", 1),
    ("p_tdev", "I", 1),
    ("p_estcpu", "I", 1), ("p_rtime_sec", "I", 1), ("p_rtime_usec", "I", 1),
    ("p_cpticks", "i", 1), ("p_pctcpu", "I", 1), ("p_swtime", "I", 1),
    ("p_slptime", "I", 1), ("p_schedflags", "i", 1),
    ("p_uticks", "Q", 1), ("p_sticks", "Q", 1), ("p_iticks", "Q", 1),
    ("p_tracep", "Q", 1), ("p_traceflag", "i", 1), ("p_holdcnt", "i", 1),
    ("p_siglist", "I", 4), ("p_sigmask", "I", 4), ("p_sigignore", "I", 4),
    ("p_sigcatch", "I", 4),
    ("p_stat", "b", 1), ("p_priority", "B", 1), ("p_usrpri", "B", 1), ("p_nice", "B", 1),
    ("p_xstat", "H", 1), ("p_acflag", "H", 1),
    ("p_comm", f"{KI_MAXCOMLEN}s", 1), ("p_wmesg", f"{KI_WMESGLEN}s", 1),
    ("p_wchan", "Q", 1), ("p_login", f"{KI_MAXLOGNAME}s", 1),
    ("p_vm_rssize", "i", 1), ("p_vm_tsize", "i", 1), ("p_vm_dsize", "i", 1),
    ("p_vm_ssize", "i", 1),
    ("p_uvalid", "q", 1), ("p_ustart_sec", "I", 1), ("p_ustart_usec", "I", 1),
    ("p_uutime_sec", "I", 1), ("p_uutime_usec", "I", 1), ("p_ustime_sec", "I", 1),
    ("p_ustime_usec", "I", 1),
    *[(f"p_uru_{n}", "Q", 1) for n in ("maxrss", "ixrss", "idrss", "isrss", "minflt",
                                       "majflt", "nswap", "inblock", "oublock", "msgsnd",
                                       "msgrcv", "nsignals", "nvcsw", "nivcsw")],
    ("p_uctime_sec", "I", 1), ("p_uctime_usec", "I", 1), ("p_cpuid", "Q", 1),
    ("p_realflag", "Q", 1), ("p_nlwps", "Q", 1), ("p_nrlwps", "Q", 1),
    ("p_realstat", "Q", 1), ("p_svuid", "I", 1), ("p_svgid", "I", 1),
    ("p_ename", f"{KI_MAXEMULLEN}s", 1), ("p_vm_vsize", "q", 1), ("p_vm_msize", "q", 1),
]


def _layout() -> tuple[struct.Struct, dict[str, int]]:
    """The C layout with amd64 natural alignment, and each field's offset."""
    fmt, off, offsets, maxalign = "<", 0, {}, 1
    for name, code, count in FIELDS:
        align = 1 if code.endswith("s") else struct.calcsize(code)
        size = struct.calcsize("<" + code) * count
        pad = -off % align
        fmt += "x" * pad
        off += pad
        offsets[name] = off
        fmt += f"{count}{code}" if count > 1 else code
        off += size
        maxalign = max(maxalign, align)
    fmt += "x" * (-off % maxalign)
    return struct.Struct(fmt), offsets


KINFO_PROC2, OFFSETS = _layout()
KINFO_PROC2_SIZE = KINFO_PROC2.size
# The smallest record a caller may ask for and still get the fields ps shows.
KINFO_PROC2_MIN = OFFSETS["p_login"] + KI_MAXLOGNAME


def pack_kinfo_proc2(**values: Any) -> bytes:
    """A record with the given fields (strings as str or bytes), zeros elsewhere."""
    flat: list[Any] = []
    for name, code, count in FIELDS:
        v = values.pop(name, None)
        if count > 1:
            items = list(v or ())[:count]
            flat.extend(items + [0] * (count - len(items)))
        elif code.endswith("s"):
            flat.append(v.encode() if isinstance(v, str) else (v or b""))
        else:
            flat.append(v or 0)
    if values:
        raise TypeError(f"unknown kinfo_proc2 fields: {sorted(values)}")
    return KINFO_PROC2.pack(*flat)


def unpack_kinfo_proc2(raw: bytes) -> dict[str, Any]:
    """Fields of one record; a shorter (older) record leaves the tail as zeros."""
    raw = bytes(raw[:KINFO_PROC2_SIZE]).ljust(KINFO_PROC2_SIZE, b"\0")
    flat = list(KINFO_PROC2.unpack(raw))
    out: dict[str, Any] = {}
    for name, code, count in FIELDS:
        if count > 1:
            out[name], flat = tuple(flat[:count]), flat[count:]
        else:
            v = flat.pop(0)
            out[name] = v.split(b"\0", 1)[0].decode("utf-8", "replace") \
                if code.endswith("s") else v
    return out
