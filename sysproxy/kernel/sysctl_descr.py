"""What NetBSD says about the sysctl nodes we serve: descriptions and extra flags.

The texts are the SYSCTL_DESCR strings of NetBSD's sys/kern/init_sysctl_base.c
(base nodes, kern.ostype..domainname, hw.*), sys/kern/init_sysctl.c (kern.maxproc,
maxfiles, argmax, posix1version, ngroups, job_control, saved_ids, boottime,
proc2, hw.usermem*), the securelevel secmodel (kern.securelevel) and
sys/kern/kern_descrip.c (kern.file2) and sys/kern/uipc_domain.c (net.local.*). The extra
flag is CTLFLAG_IMMEDIATE where NetBSD keeps the value in the node itself; every
boot-time node is CTLFLAG_PERMANENT, and CTLFLAG_READWRITE follows what our
kernel accepts, so neither is listed here. A node missing from the table has no
description (CTL_DESCRIBE answers an empty string with descr_len 1).
"""
from __future__ import annotations

from ..abi.sysctl import CTLFLAG_IMMEDIATE as IMM

#: node path (names from the top) -> (extra CTLFLAG_*, description)
NODES: dict[tuple[str, ...], tuple[int, str]] = {
    ("kern",): (0, "High kernel"),
    ("vm",): (0, "Virtual memory"),
    ("vfs",): (0, "Filesystem"),
    ("net",): (0, "Networking"),
    ("debug",): (0, "Debugging"),
    ("hw",): (0, "Generic CPU, I/O"),
    ("kern", "ostype"): (0, "Operating system type"),
    ("kern", "osrelease"): (0, "Operating system release"),
    ("kern", "osrevision"): (IMM, "Operating system revision"),
    ("kern", "version"): (0, "Kernel version"),
    ("kern", "maxproc"): (0, "Maximum number of simultaneous processes"),
    ("kern", "maxfiles"): (0, "Maximum number of open files"),
    ("kern", "argmax"): (IMM, "Maximum number of bytes of arguments to execve(2)"),
    ("kern", "securelevel"): (0, "System security level"),
    ("kern", "hostname"): (0, "System hostname"),
    ("kern", "posix1version"): (IMM, "Version of ISO/IEC 9945 (POSIX 1003.1) with which "
                                     "the operating system attempts to comply"),
    ("kern", "ngroups"): (IMM, "Maximum number of supplemental groups"),
    ("kern", "job_control"): (IMM, "Whether job control is available"),
    ("kern", "saved_ids"): (IMM, "Whether POSIX saved set-group/user ID is available"),
    ("kern", "boottime"): (0, "System boot time"),
    ("kern", "domainname"): (0, "YP domain name"),
    ("kern", "proc2"): (0, "Machine-independent process information"),
    ("kern", "file2"): (0, "System open file table"),
    ("net", "local"): (0, "PF_LOCAL related settings"),
    ("net", "local", "stream"): (0, "SOCK_STREAM settings"),
    ("net", "local", "seqpacket"): (0, "SOCK_SEQPACKET settings"),
    ("net", "local", "dgram"): (0, "SOCK_DGRAM settings"),
    ("net", "local", "stream", "pcblist"): (0, "SOCK_STREAM protocol control block list"),
    ("net", "local", "seqpacket", "pcblist"): (0, "SOCK_SEQPACKET protocol control "
                                                  "block list"),
    ("net", "local", "dgram", "pcblist"): (0, "SOCK_DGRAM protocol control block list"),
    ("hw", "machine"): (0, "Machine class"),
    ("hw", "model"): (0, "Machine model"),
    ("hw", "ncpu"): (0, "Number of CPUs configured"),
    ("hw", "byteorder"): (IMM, "System byte order"),
    ("hw", "physmem"): (IMM, "Bytes of physical memory"),
    ("hw", "usermem"): (0, "Bytes of non-kernel memory"),
    ("hw", "pagesize"): (IMM, "Software page size"),
    ("hw", "machine_arch"): (0, "Machine CPU class"),
    ("hw", "alignbytes"): (IMM, "Alignment constraint for all possible data types"),
    ("hw", "physmem64"): (IMM, "Bytes of physical memory"),
    ("hw", "usermem64"): (0, "Bytes of non-kernel memory"),
}
