"""NetBSD struct kinfo_file (kern.file2) and struct kinfo_pcb (net.*.pcblist), amd64.

Facts from NetBSD's sys/sys/sysctl.h (struct kinfo_file, KERN_FILE_BYFILE,
KERN_FILE_BYPID, KERN_FILESLOP), sys/sys/socket.h (struct kinfo_pcb, PCB_SLOP,
PCB_ALL), sys/sys/file.h (DTYPE_*), sys/sys/vnode.h (enum vtype, enum
vtagtype), sys/sys/unpcb.h (UNP_*),
sys/netinet/in_pcb.h and in6_pcb.h (INP_*/IN6P_* flags and states) and
sys/netinet/tcp_fsm.h (TCPS_*). Every field of both records is fixed-width and
naturally aligned, so the little-endian struct formats below are the C layouts:
kinfo_file is 120 bytes, kinfo_pcb 640.
Both the kernel (to fill records) and the tests (to read them as fstat(1) and
sockstat(1) do) use these definitions.
"""
from __future__ import annotations

import struct
from typing import Any

KERN_FILE_BYFILE = 1
KERN_FILE_BYPID = 2
KERN_FILESLOP = 10   # a kern.file2 size probe over-estimates by this many records
PCB_SLOP = 20        # a pcblist size probe over-estimates by this many records
PCB_ALL = 0

# f_type (sys/file.h)
DTYPE_VNODE, DTYPE_SOCKET, DTYPE_PIPE, DTYPE_KQUEUE = 1, 2, 3, 4
DTYPE_MISC, DTYPE_CRYPTO, DTYPE_MQUEUE, DTYPE_SEM = 5, 6, 7, 8

# enum vtype and the vtagtype of the file systems we have (sys/vnode.h)
VNON, VREG, VDIR, VBLK, VCHR, VLNK, VSOCK, VFIFO, VBAD = range(9)
VT_NON, VT_TMPFS = 0, 25

# unp_flags (sys/unpcb.h)
UNP_OWANTCRED, UNP_CONNWAIT, UNP_EIDSVALID, UNP_EIDSBIND, UNP_BUSY, UNP_WANTCRED = \
    0x01, 0x02, 0x04, 0x08, 0x10, 0x20

# inp_state / in6p_state, inp_flags / in6p_flags (netinet/in_pcb.h, netinet6/in6_pcb.h)
INP_ATTACHED, INP_BOUND, INP_CONNECTED = 0, 1, 2
INP_ANONPORT = 0x40
IN6P_IPV6_V6ONLY = 0x8000
IN6P_ANONPORT = 0x4000000

# TCP states (netinet/tcp_fsm.h)
(TCPS_CLOSED, TCPS_LISTEN, TCPS_SYN_SENT, TCPS_SYN_RECEIVED, TCPS_ESTABLISHED,
 TCPS_CLOSE_WAIT, TCPS_FIN_WAIT_1, TCPS_CLOSING, TCPS_LAST_ACK, TCPS_FIN_WAIT_2,
 TCPS_TIME_WAIT) = range(11)

#: struct kinfo_file, field by field (ki_foffset is an off_t held as uint64_t)
FILE_FIELDS = (
    ("ki_fileaddr", "Q"), ("ki_flag", "I"), ("ki_iflags", "I"), ("ki_ftype", "I"),
    ("ki_count", "I"), ("ki_msgcount", "I"), ("ki_usecount", "I"), ("ki_fucred", "Q"),
    ("ki_fuid", "I"), ("ki_fgid", "I"), ("ki_fops", "Q"), ("ki_foffset", "Q"),
    ("ki_fdata", "Q"),
    ("ki_vun", "Q"), ("ki_vsize", "Q"), ("ki_vtype", "I"), ("ki_vtag", "I"), ("ki_vdata", "Q"),
    ("ki_pid", "I"), ("ki_fd", "i"), ("ki_ofileflags", "I"), ("_ki_padto64bits", "I"),
)
KINFO_FILE = struct.Struct("<" + "".join(c for _, c in FILE_FIELDS))
KINFO_FILE_SIZE = KINFO_FILE.size  # 120

SOCKADDR_PAD = 256 + 8  # the ki_s / ki_d unions
#: struct kinfo_pcb
PCB_FIELDS = (
    ("ki_pcbaddr", "Q"), ("ki_ppcbaddr", "Q"), ("ki_sockaddr", "Q"),
    ("ki_family", "I"), ("ki_type", "I"), ("ki_protocol", "I"), ("ki_pflags", "I"),
    ("ki_sostate", "I"), ("ki_prstate", "I"), ("ki_tstate", "i"), ("ki_tflags", "I"),
    ("ki_rcvq", "Q"), ("ki_sndq", "Q"),
    ("ki_src", f"{SOCKADDR_PAD}s"), ("ki_dst", f"{SOCKADDR_PAD}s"),
    ("ki_inode", "Q"), ("ki_vnode", "Q"), ("ki_conn", "Q"), ("ki_refs", "Q"),
    ("ki_nextref", "Q"),
)
KINFO_PCB = struct.Struct("<" + "".join(c for _, c in PCB_FIELDS))
KINFO_PCB_SIZE = KINFO_PCB.size  # 640


def _pack(st: struct.Struct, fields: tuple[tuple[str, str], ...], what: str,
          values: dict[str, Any]) -> bytes:
    flat: list[Any] = []
    for name, code in fields:
        v = values.pop(name, None)
        if code.endswith("s"):
            flat.append(bytes(v or b""))
        elif code == "Q":
            flat.append((v or 0) & 0xFFFFFFFFFFFFFFFF)
        elif code == "I":
            flat.append((v or 0) & 0xFFFFFFFF)
        else:
            flat.append(v or 0)
    if values:
        raise TypeError(f"unknown {what} fields: {sorted(values)}")
    return st.pack(*flat)


def pack_kinfo_file(**values: Any) -> bytes:
    """One struct kinfo_file with the given fields, zeros elsewhere."""
    return _pack(KINFO_FILE, FILE_FIELDS, "kinfo_file", values)


def unpack_kinfo_file(raw: bytes) -> dict[str, Any]:
    """Fields of one record; a shorter one (a smaller elem_size) reads as zeros past its end."""
    raw = bytes(raw[:KINFO_FILE_SIZE]).ljust(KINFO_FILE_SIZE, b"\0")
    return dict(zip((n for n, _ in FILE_FIELDS), KINFO_FILE.unpack(raw), strict=True))


def pack_kinfo_pcb(**values: Any) -> bytes:
    """One struct kinfo_pcb; ki_src/ki_dst are sockaddr bytes, zero-padded to 264."""
    return _pack(KINFO_PCB, PCB_FIELDS, "kinfo_pcb", values)


def unpack_kinfo_pcb(raw: bytes) -> dict[str, Any]:
    raw = bytes(raw[:KINFO_PCB_SIZE]).ljust(KINFO_PCB_SIZE, b"\0")
    return dict(zip((n for n, _ in PCB_FIELDS), KINFO_PCB.unpack(raw), strict=True))
