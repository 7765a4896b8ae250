"""CTL_QUERY and CTL_DESCRIBE against a real server, packed as NetBSD's libc packs them.

The walk copies libc's __learn_tree (lib/libc/gen/sysctlgetmibinfo.c): name =
{mib..., CTL_QUERY}, oldp a buffer of clen (or SYSCTL_DEFSIZE) struct
sysctlnode, newp a zeroed struct sysctlnode with sysctl_flags = SYSCTL_VERSION,
newlen its size, and one retry with the size the kernel wrote back on ENOMEM.
Descriptions are asked for as sbin/sysctl's getdesc/getdesc1 do. What comes
back is checked against NetBSD's numbers, names and types and against the
values the kernel serves when the same nodes are read by number.
"""
from __future__ import annotations

import struct
from typing import Iterator

import pytest

from sysproxy.abi import errno as E
from sysproxy.abi import sysctl as S

from support.nb import fork
from support.rawclient import RawClient
from support.server import ServerProcess

Q, D = S.CTL_QUERY, S.CTL_DESCRIBE
NODE_SZ = S.SYSCTLNODE_SIZE
QNODE = S.pack_sysctlnode(S.SYSCTL_VERSION, 0)  # memset 0, sysctl_flags = SYSCTL_VERSION
NODE, INT, STRING, QUAD, STRUCT = (S.CTLTYPE_NODE, S.CTLTYPE_INT, S.CTLTYPE_STRING,
                                   S.CTLTYPE_QUAD, S.CTLTYPE_STRUCT)

#: NetBSD's MIB numbers and types (sys/sys/sysctl.h, init_sysctl*.c) for what we serve
EXPECTED = {
    "kern": (1, NODE), "vm": (2, NODE), "vfs": (3, NODE), "net": (4, NODE),
    "debug": (5, NODE), "hw": (6, NODE),
    "kern.ostype": (1, STRING), "kern.osrelease": (2, STRING), "kern.osrevision": (3, INT),
    # no kern.maxproc (6), argmax (8), posix1version (17), ngroups (18), job_control (19),
    # saved_ids (20): NetBSD's rump kernel has not got them (ENOENT on the reference)
    "kern.version": (4, STRING), "kern.maxfiles": (7, INT),
    "kern.securelevel": (9, INT), "kern.hostname": (10, STRING),
    "kern.boottime": (21, STRUCT), "kern.domainname": (22, STRING),
    "kern.proc2": (47, NODE), "kern.file2": (77, STRUCT),
    "net.local": (1, NODE), "net.local.stream": (1, NODE), "net.local.dgram": (2, NODE),
    "net.local.seqpacket": (5, NODE),
    "net.inet": (2, NODE), "net.inet.tcp": (6, NODE), "net.inet.udp": (17, NODE),
    "net.inet.ip": (0, NODE), "net.inet.ip.forwarding": (1, INT), "net.inet.ip.ttl": (3, INT),
    "net.inet.tcp.rfc1323": (1, INT), "net.inet.tcp.sendspace": (2, INT),
    "net.inet.tcp.recvspace": (3, INT), "net.inet.tcp.mssdflt": (4, INT),
    "net.inet.tcp.init_win": (8, INT), "net.inet.tcp.mss_ifmtu": (9, INT),
    "net.inet.udp.checksum": (1, INT), "net.inet.udp.sendspace": (2, INT),
    "net.inet.udp.recvspace": (3, INT),
    "net.inet.raw": (255, NODE),
    "net.inet6": (24, NODE), "net.inet6.tcp6": (6, NODE), "net.inet6.udp6": (17, NODE),
    "net.inet6.raw6": (255, NODE),
    # pcblists are CTL_CREATE'd in NetBSD: dynamic numbers from CREATE_BASE, in creation order
    "net.local.stream.pcblist": (1024, STRUCT), "net.local.seqpacket.pcblist": (1025, STRUCT),
    "net.local.dgram.pcblist": (1026, STRUCT), "net.inet.tcp.pcblist": (1027, STRUCT),
    "net.inet.udp.pcblist": (1028, STRUCT), "net.inet.raw.pcblist": (1029, STRUCT),
    "net.inet6.tcp6.pcblist": (1030, STRUCT), "net.inet6.udp6.pcblist": (1031, STRUCT),
    "net.inet6.raw6.pcblist": (1032, STRUCT),
    "hw.machine": (1, STRING), "hw.model": (2, STRING), "hw.ncpu": (3, INT),
    "hw.byteorder": (4, INT), "hw.physmem": (5, INT), "hw.usermem": (6, INT),
    "hw.pagesize": (7, INT), "hw.machine_arch": (10, STRING), "hw.alignbytes": (11, INT),
    "hw.physmem64": (13, QUAD), "hw.usermem64": (14, QUAD),
}
WRITABLE = {"kern.hostname", "kern.domainname"}
#: struct nodes served by a helper that wants more name (kern.file2, the pcblists): size 0
HELPERS = {name for name, (_, t) in EXPECTED.items()
           if t == STRUCT and (name == "kern.file2" or name.endswith(".pcblist"))}
IMMEDIATE = {"kern.osrevision", "hw.byteorder", "hw.physmem",
             "hw.pagesize", "hw.alignbytes", "hw.physmem64"}


@pytest.fixture(scope="module")
def srv(module_server: ServerProcess) -> ServerProcess:
    return module_server


@pytest.fixture
def c(srv: ServerProcess) -> Iterator[RawClient]:
    cl = RawClient(srv.url, "sysctlq")
    yield cl
    cl.close()


def sysctl(c: RawClient, mib: list[int], oldsize: int | None, new: bytes | None = None,
           newlen: int | None = None, oldlen: int | None = None) -> tuple[int, bytes, int]:
    """(errno, the old buffer's whole contents, *oldlenp after the call).

    ``oldsize`` None passes oldp NULL; ``oldlen`` is what *oldlenp holds going in
    (the buffer's size unless given)."""
    m = c.mem
    name = m.buf(struct.pack(f"<{len(mib)}i", *mib))
    oldp = m.buf(b"\xa5" * oldsize) if oldsize is not None else 0
    lenp = m.buf(struct.pack("<Q", (oldsize or 0) if oldlen is None else oldlen))
    newp = m.buf(new) if new is not None else 0
    nl = len(new) if new is not None and newlen is None else (newlen or 0)
    err = c.err("__sysctl", name, len(mib), oldp, lenp, newp, nl)
    n = struct.unpack("<Q", m.get(lenp, 8))[0]
    return err, (m.get(oldp, oldsize) if oldp else b""), n


def learn(c: RawClient, mib: list[int], clen: int) -> list[S.SysctlNode]:
    """libc's __learn_tree for one level."""
    sz = (clen or S.SYSCTL_DEFSIZE) * NODE_SZ
    err, raw, n = sysctl(c, mib + [Q], sz, QNODE)
    if err == E.ENOMEM:
        err, raw, n = sysctl(c, mib + [Q], n, QNODE)
    assert err == 0, (mib, err)
    assert n % NODE_SZ == 0
    return S.unpack_sysctlnodes(raw[:n])


def read(c: RawClient, mib: list[int]) -> bytes:
    err, raw, n = sysctl(c, mib, 1024)
    assert err == 0, (mib, err)
    return raw[:n]


def walk(c: RawClient) -> dict[str, tuple[list[int], S.SysctlNode]]:
    out: dict[str, tuple[list[int], S.SysctlNode]] = {}

    def level(mib: list[int], prefix: str, clen: int) -> None:
        for n in learn(c, mib, clen):
            out[prefix + n.name] = (mib + [n.num], n)
            if n.type == NODE:
                level(mib + [n.num], prefix + n.name + ".", n.clen)
    level([], "", 0)
    return out


def test_walk_lists_every_node_as_netbsd_numbers_it(c: RawClient) -> None:
    tree = walk(c)
    assert {name: (n.num, n.type) for name, (_, n) in tree.items()} == EXPECTED
    for name, (mib, n) in tree.items():
        assert S.SYSCTL_VERS(n.flags) == S.SYSCTL_VERSION, name
        assert n.flags & S.CTLFLAG_PERMANENT, name
        rw = n.flags & S.CTLFLAG_READWRITE
        assert rw == (S.CTLFLAG_READWRITE if name in WRITABLE else 0), name
        assert bool(n.flags & S.CTLFLAG_IMMEDIATE) == (name in IMMEDIATE), name
        assert (n.func, n.parent, n.desc) == (0, 0, 0)
        if n.type == NODE:
            kids = [k for k in tree if k.startswith(name + ".") and "." not in k[len(name) + 1:]]
            assert n.size == NODE_SZ and n.clen == len(kids), name
            csize = 8 if kids else 0  # SYSCTL_DEFSIZE slots, doubled as children come
            while csize and csize < len(kids):
                csize *= 2
            assert n.csize == csize, name
            assert all(tree[k][1].ver <= n.ver for k in kids)
            if kids:  # a parent carries the newest version of its subtree
                assert n.ver == max(tree[k][1].ver for k in kids)
            continue
        if name in HELPERS:  # sysctl_createv gave them no size; read alone, EINVAL
            assert n.size == 0 and sysctl(c, mib, 1024)[0] == E.EINVAL, name
            continue
        value = read(c, mib)  # the same node read by number
        if n.type == INT:
            assert n.size == len(value) == 4, name
        elif n.type == QUAD:
            assert n.size == len(value) == 8, name
        elif n.type == STRUCT:
            assert n.size == len(value) == 16, name
        else:
            assert value.endswith(b"\0") and b"\0" not in value[:-1], name
            # read-only strings: strlen + 1, as sysctl_create sizes them; settable: the buffer
            assert n.size == (256 if name in WRITABLE else len(value)), name
        if name in IMMEDIATE:
            fmt = "<i" if n.type == INT else "<Q"
            assert (n.idata if n.type == INT else n.qdata) == struct.unpack(fmt, value)[0]
    assert read(c, tree["kern.ostype"][0]) == b"NetBSD\0"
    assert struct.unpack("<i", read(c, tree["hw.pagesize"][0]))[0] == 4096


def test_flags_match_what_the_kernel_accepts(c: RawClient) -> None:
    tree = walk(c)
    for name, (mib, n) in tree.items():
        if n.type == INT:  # read-only ints refuse a well-formed write
            assert sysctl(c, mib, None, struct.pack("<i", 1))[0] == E.EPERM, name
    mib = tree["kern.domainname"][0]
    old = read(c, mib)
    try:
        assert sysctl(c, mib, None, b"example.org\0")[0] == 0
        assert read(c, mib) == b"example.org\0"
    finally:
        assert sysctl(c, mib, None, old)[0] == 0


def test_query_errors_leave_oldlen_alone(c: RawClient) -> None:
    assert sysctl(c, [1, 1, Q], 512, QNODE) == (E.ENOTDIR, b"\xa5" * 512, 512)
    assert sysctl(c, [1, 1, 5, Q], 512, QNODE)[::2] == (E.ENOTDIR, 512)
    assert sysctl(c, [6, 3, Q], 512, QNODE)[0] == E.ENOTDIR
    assert sysctl(c, [1, 999, Q], 512, QNODE)[::2] == (E.ENOENT, 512)
    assert sysctl(c, [999, Q], 512, QNODE)[0] == E.ENOENT
    assert sysctl(c, [2, 1, Q], 512, QNODE)[0] == E.ENOENT  # vm has no children
    # sysctl_cvt_in: a SYSCTL_VERSION node of the right size, or EINVAL
    assert sysctl(c, [Q], 512)[::2] == (E.EINVAL, 512)  # no newp
    assert sysctl(c, [Q], 512, S.pack_sysctlnode(0, 0))[0] == E.EINVAL
    assert sysctl(c, [Q], 512, QNODE, newlen=NODE_SZ - 1)[0] == E.EINVAL
    assert sysctl(c, [Q], 512, QNODE, newlen=2)[0] == E.EINVAL
    assert sysctl(c, [Q], 512, QNODE + bytes(8))[0] == E.EINVAL  # too long
    assert sysctl(c, [Q], 512, QNODE[:4], newlen=NODE_SZ)[0] == E.EFAULT


def test_query_version_must_be_the_nodes_or_the_roots(c: RawClient) -> None:
    tree = walk(c)
    kern_ver, hw_ver = tree["kern"][1].ver, tree["hw"][1].ver
    root_ver = max(n.ver for _, n in tree.values())
    assert kern_ver < hw_ver == root_ver  # hw is the newest top-level subtree
    for ver, err in ((kern_ver, 0), (root_ver, 0), (kern_ver - 1, E.EINVAL),
                     (root_ver + 1, E.EINVAL)):
        q = S.pack_sysctlnode(S.SYSCTL_VERSION, 0, ver=ver)
        assert sysctl(c, [1, Q], 4096, q)[0] == err, ver


def test_query_short_buffer_gets_whole_records_and_enomem(c: RawClient) -> None:
    err, full, n = sysctl(c, [Q], 6 * NODE_SZ, QNODE)
    assert (err, n) == (0, 6 * NODE_SZ)
    assert [x.name for x in S.unpack_sysctlnodes(full)] == ["kern", "vm", "vfs", "net",
                                                          "debug", "hw"]
    # oldp NULL: a size probe, no error
    assert sysctl(c, [Q], None, QNODE, oldlen=0) == (0, b"", 6 * NODE_SZ)
    # room for two and a half: two records, the rest untouched, ENOMEM, the size needed
    err, raw, n = sysctl(c, [Q], 2 * NODE_SZ + 50, QNODE)
    assert (err, n) == (E.ENOMEM, 6 * NODE_SZ)
    assert raw[:2 * NODE_SZ] == full[:2 * NODE_SZ] and raw[2 * NODE_SZ:] == b"\xa5" * 50
    err, raw, n = sysctl(c, [Q], NODE_SZ - 1, QNODE)
    assert (err, raw, n) == (E.ENOMEM, b"\xa5" * (NODE_SZ - 1), 6 * NODE_SZ)
    # *oldlenp smaller than the buffer: the kernel goes by *oldlenp
    err, raw, n = sysctl(c, [Q], 6 * NODE_SZ, QNODE, oldlen=NODE_SZ)
    assert (err, n) == (E.ENOMEM, 6 * NODE_SZ) and raw[NODE_SZ:] == b"\xa5" * 5 * NODE_SZ


def test_helper_node_kern_proc2(c: RawClient) -> None:
    # sysctl_doeproc answers a lone CTL_QUERY with sysctl_query (no children) ...
    assert sysctl(c, [1, 47, Q], 512, QNODE)[::2] == (0, 0)
    assert sysctl(c, [1, 47, Q], 512)[0] == E.EINVAL  # ... which wants its newp
    # ... and anything else by its own rules: a name of four
    assert sysctl(c, [1, 47, D], 512)[0] == E.EINVAL
    assert sysctl(c, [1, 47, 0, Q], 512, QNODE)[0] == E.EINVAL


def describe(c: RawClient, mib: list[int], size: int = 4096, num: int | None = None,
             **kw) -> tuple[int, list[tuple[int, int, bytes]], int, bytes]:
    new = None if num is None else S.pack_sysctlnode(S.SYSCTL_VERSION, num, **kw)
    err, raw, n = sysctl(c, mib + [D], size, new)
    return err, S.unpack_sysctldescs(raw[:min(n, size)]), n, raw


def test_describe_a_level(c: RawClient) -> None:
    tree = walk(c)
    err, recs, n, _ = describe(c, [])
    assert err == 0
    assert [r[0] for r in recs] == [1, 2, 3, 4, 5, 6]
    assert dict((r[0], r[2]) for r in recs)[1] == b"High kernel"
    assert dict((r[0], r[2]) for r in recs)[6] == b"Generic CPU, I/O"
    assert n == sum(12 + S.desc_roundup(len(t) + 1) for _, _, t in recs)
    err, recs, n, _ = describe(c, [1])
    kern = {name[5:]: node for name, (_, node) in tree.items() if name.startswith("kern.")}
    assert err == 0 and [r[0] for r in recs] == [x.num for x in kern.values()]
    for num, ver, text in recs:  # sysctl(8) drops a description whose version differs
        node = next(x for x in kern.values() if x.num == num)
        assert ver == node.ver and text, node.name
    texts = {num: text for num, _, text in recs}
    assert texts[1] == b"Operating system type"
    assert texts[10] == b"System hostname"
    assert texts[47] == b"Machine-independent process information"


def test_describe_one_node_and_errors(c: RawClient) -> None:
    err, recs, n, _ = describe(c, [6], num=3)  # getdesc1's request
    assert (err, [r[2] for r in recs]) == (0, [b"Number of CPUs configured"])
    assert n == 12 + S.desc_roundup(len(b"Number of CPUs configured") + 1)
    assert describe(c, [6], num=99)[::2] == (E.ENOENT, 4096)
    assert describe(c, [6, 3])[0] == E.ENOTDIR
    assert describe(c, [1, 999])[0] == E.ENOENT
    assert sysctl(c, [6, D], 512, S.pack_sysctlnode(0, 3))[0] == E.EINVAL
    # a sysctl_desc pointer asks to set the description: not on a permanent node
    assert describe(c, [6], num=3, desc=c.mem.str("mine"))[0] == E.EPERM
    assert describe(c, [6], num=99, desc=c.mem.str("mine"))[0] == E.ENOENT
    assert describe(c, [6], num=3, ver=1, desc=c.mem.str("mine"))[0] == E.EINVAL
    assert describe(c, [6], num=3)[1][0][2] == b"Number of CPUs configured"


def test_describe_short_buffer_skips_what_does_not_fit(c: RawClient) -> None:
    err, recs, total, _ = describe(c, [1])
    sizes = {num: 12 + S.desc_roundup(len(t) + 1) for num, _, t in recs}
    assert (sizes[1], sizes[2], sizes[3], sizes[4]) == (36, 40, 40, 28)
    # 30 bytes: ostype (36) and the next two (40) are skipped, version (28) still fits
    err, _, n, raw = describe(c, [1], size=30)
    assert (err, n) == (E.ENOMEM, total)
    assert S.unpack_sysctldescs(raw[:28]) == [(4, recs[3][1], b"Kernel version")]
    assert raw[28:] == b"\xa5\xa5"


def test_describe_set_refused_to_non_root(c: RawClient, srv: ServerProcess) -> None:
    child = fork(c, srv.url)
    try:
        assert child.ok("setuid", 1000) == 0
        assert describe(child, [6], num=3, desc=child.mem.str("x"))[0] == E.EPERM
        assert describe(child, [6], num=3)[1][0][2] == b"Number of CPUs configured"
        assert learn(child, [6], 0)[2].name == "ncpu"  # anyone may query
    finally:
        child.close()


def test_descriptions_codec() -> None:
    # a node without a description: descr_len 1, the record padded to 16 bytes
    assert S.pack_sysctldesc(7, 3, b"") == struct.pack("<iII", 7, 3, 1) + bytes(4)
    rec = S.pack_sysctldesc(1, 2, b"abc")  # "abc\0" is exactly 4
    assert rec == struct.pack("<iII", 1, 2, 4) + b"abc\0"
    assert S.unpack_sysctldescs(rec + S.pack_sysctldesc(7, 3, b"")) == [(1, 2, b"abc"),
                                                                         (7, 3, b"")]
