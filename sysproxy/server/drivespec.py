"""rump_server's `-d` drive specs: parsing, and the host side of each drive.

``key=KPATH,hostpath=FILE,size=host|BYTES[,offset=N][,type=blk|chr|reg]``, as
NetBSD's rump_server takes it (the same messages for the same mistakes): the host
file is opened read-write, created (0644) and extended to offset+size when size
is a number, and must already exist and be non-empty for ``size=host``. The
kernel then gets the open descriptor and the region (kernel/fs/etfs.py).
Sizes take the k, m, g suffixes of NetBSD's strsuftoll (the reference's Linux
build reads "1m" as 1; we do not copy that).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..kernel.errors import KernelError
from ..kernel.fs import etfs

if TYPE_CHECKING:
    from ..kernel.kernel import Kernel

HOST = -1  # size=host: the host file's size from the offset on


class DriveSpecError(ValueError):
    """A malformed spec or a host file that cannot serve it (the message says which)."""


@dataclass(frozen=True)
class DriveSpec:
    key: str
    hostpath: str
    size: int  # HOST or bytes
    offset: int = 0
    type: str = "blk"


def _number(what: str, text: str) -> int:
    t = text.strip().lower()
    mult = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}.get(t[-1:], 1)
    digits = t[:-1] if mult > 1 else t
    if not digits.isdigit():
        raise DriveSpecError(f"{what}: invalid number {text!r}")
    return int(digits) * mult


def parse(text: str) -> DriveSpec:
    """One spec; DriveSpecError with rump_server's message if it is not one."""
    fields: dict[str, str] = {}
    for item in text.split(","):
        name, eq, value = item.partition("=")
        if name == "disklabel":
            raise DriveSpecError("disklabel= is not supported")
        if name not in ("key", "hostpath", "size", "offset", "type") or not eq:
            raise DriveSpecError(f"invalid dtoken {item!r}")
        if name in fields:
            raise DriveSpecError(f"{name} already given")
        fields[name] = value
    typ = fields.get("type", "blk")
    if typ not in etfs.TYPES:
        raise DriveSpecError(f"invalid type {typ}")
    size = HOST if fields.get("size") == "host" else _number("-d size", fields.get("size", "0"))
    offset = _number("-d offset", fields.get("offset", "0"))
    if size == HOST and offset:
        raise DriveSpecError("cannot specify offset with size=host")
    if not fields.get("key") or not fields.get("hostpath") or size == 0:
        raise DriveSpecError("incomplete drivespec (key=, hostpath= and size= are required)")
    return DriveSpec(fields["key"], fields["hostpath"], size, offset, typ)


def open_region(spec: DriveSpec) -> etfs.Region:
    """Open (and create or extend) the host file; the region the kernel serves."""
    flags = os.O_RDWR | os.O_CLOEXEC | (0 if spec.size == HOST else os.O_CREAT)
    try:
        fd = os.open(spec.hostpath, flags, 0o644)
    except OSError as e:
        raise DriveSpecError(f"etfs hostpath open: {spec.hostpath}: {e.strerror}") from None
    try:
        hostsize = os.fstat(fd).st_size
        if spec.size == HOST:
            if hostsize == 0:
                raise DriveSpecError("size=host, but cannot query non-zero size")
            size = hostsize - spec.offset
        else:
            size = spec.size
            if hostsize < spec.offset + size:
                os.ftruncate(fd, spec.offset + size)
    except OSError as e:
        os.close(fd)
        raise DriveSpecError(f"etfs hostpath: {spec.hostpath}: {e.strerror}") from None
    except DriveSpecError:
        os.close(fd)
        raise
    return etfs.Region(os.fsencode(spec.key), spec.hostpath, fd, spec.offset, size,
                       etfs.TYPES[spec.type])


def attach(kernel: "Kernel", spec: DriveSpec) -> None:
    """Open the host file and register its node in the kernel (DriveSpecError if not)."""
    region = open_region(spec)
    try:
        etfs.register(kernel, region)
    except KernelError as e:
        os.close(region.fd)
        raise DriveSpecError(f"etfs register {spec.key}: {e}") from None
