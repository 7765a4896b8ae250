"""Sockets: the File (base.py), AF_LOCAL (local.py), AF_INET/AF_INET6 loopback (inet.py)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...abi import errno as E
from ...abi import socket as S
from ..errors import KernelError
from .base import Socket
from .inet import InetSocket
from .local import LocalSocket

if TYPE_CHECKING:
    from ..kernel import Kernel
    from ..proc import Proc


def create(kernel: "Kernel", p: "Proc", domain: int, type: int, protocol: int) -> Socket:
    """socreate: the protocol for (domain, type, protocol), as NetBSD's pffindproto finds it."""
    c = p.cred
    if domain == S.AF_LOCAL:
        if type not in (S.SOCK_STREAM, S.SOCK_DGRAM, S.SOCK_SEQPACKET) or protocol not in (0, S.PF_LOCAL):
            raise KernelError(E.EPROTONOSUPPORT)
        return LocalSocket(kernel, type, c.euid, c.egid, p.pid)
    if domain in (S.AF_INET, S.AF_INET6):
        if type == S.SOCK_STREAM and protocol in (0, S.IPPROTO_TCP):
            return InetSocket(kernel, domain, type, S.IPPROTO_TCP, c.euid, c.egid, p.pid)
        if type == S.SOCK_DGRAM and protocol in (0, S.IPPROTO_UDP):
            return InetSocket(kernel, domain, type, S.IPPROTO_UDP, c.euid, c.egid, p.pid)
        raise KernelError(E.EPROTONOSUPPORT)
    raise KernelError(E.EAFNOSUPPORT)


def attach(kernel: "Kernel") -> None:
    from . import inet
    inet.attach(kernel)
