"""kern.file2 and the pcblists against a real server, read as fstat(1) and sockstat(1) read them.

Records are decoded here with NetBSD's amd64 offsets written out by hand
(sys/sys/sysctl.h struct kinfo_file, sys/sys/socket.h struct kinfo_pcb), not
with the kernel's codec, and fetched as sockstat's sysctl_sucker does: a size
probe with oldp NULL, then reads that retry on ENOMEM. The pcblists are found
by name through CTL_QUERY, as sysctlnametomib finds them.
"""
from __future__ import annotations

import struct
import uuid
from typing import Any, Iterator

import pytest

from sysproxy.abi import errno as E
from sysproxy.abi import fcntl as F
from sysproxy.abi import socket as S
from sysproxy.abi import sysctl as SC

from support.nb import fork, open_, pipe, write
from support.rawclient import RawClient
from support.server import ServerProcess
from support.sock import bind_in, connect_in, send, sockname, socket, socketpair

KERN_FILE2, BYFILE, BYPID = 77, 1, 2
KF_SIZE, PCB_SIZE = 120, 640
INT_MAX = 0x7FFFFFFF
DTYPE_VNODE, DTYPE_SOCKET, DTYPE_PIPE, DTYPE_KQUEUE = 1, 2, 3, 4
VREG, VT_TMPFS = 1, 25
SS_NOFDREF, SS_ISCONNECTED, SS_NBIO = 0x001, 0x002, 0x080
INP_ATTACHED, INP_BOUND, INP_CONNECTED = 0, 1, 2
INP_ANONPORT, IN6P_V6ONLY = 0x40, 0x8000
TCPS_CLOSED, TCPS_LISTEN, TCPS_ESTABLISHED = 0, 1, 4
UNP_EIDSVALID, UNP_EIDSBIND = 0x04, 0x08

_KF = [("fileaddr", 0, "Q"), ("flag", 8, "I"), ("iflags", 12, "I"), ("ftype", 16, "I"),
       ("count", 20, "I"), ("msgcount", 24, "I"), ("usecount", 28, "I"), ("fucred", 32, "Q"),
       ("fuid", 40, "I"), ("fgid", 44, "I"), ("fops", 48, "Q"), ("foffset", 56, "q"),
       ("fdata", 64, "Q"), ("vun", 72, "Q"), ("vsize", 80, "Q"), ("vtype", 88, "I"),
       ("vtag", 92, "I"), ("vdata", 96, "Q"), ("pid", 104, "I"), ("fd", 108, "i"),
       ("ofileflags", 112, "I")]
_PCB = [("pcbaddr", 0, "Q"), ("ppcbaddr", 8, "Q"), ("sockaddr", 16, "Q"), ("family", 24, "I"),
        ("type", 28, "I"), ("protocol", 32, "I"), ("pflags", 36, "I"), ("sostate", 40, "I"),
        ("prstate", 44, "I"), ("tstate", 48, "i"), ("tflags", 52, "I"), ("rcvq", 56, "Q"),
        ("sndq", 64, "Q"), ("inode", 600, "Q"), ("vnode", 608, "Q"), ("conn", 616, "Q"),
        ("refs", 624, "Q"), ("nextref", 632, "Q")]


def kf(raw: bytes) -> dict[str, Any]:
    return {n: struct.unpack_from("<" + c, raw, o)[0] for n, o, c in _KF}


def pcb(raw: bytes) -> dict[str, Any]:
    d = {n: struct.unpack_from("<" + c, raw, o)[0] for n, o, c in _PCB}
    d["src"], d["dst"] = raw[72:72 + 264], raw[336:336 + 264]
    return d


def sun_path(sa: bytes) -> bytes:
    """sockstat's print of a sockaddr_un: sun_path up to the NUL."""
    return sa[2:].split(b"\0", 1)[0]


def sin_port(sa: bytes) -> int:
    return struct.unpack_from(">H", sa, 2)[0]


@pytest.fixture(scope="module")
def srv(module_server: ServerProcess) -> ServerProcess:
    return module_server


@pytest.fixture
def c(srv: ServerProcess) -> Iterator[RawClient]:
    cl = RawClient(srv.url, "fstat")
    yield cl
    cl.close()


def sysctl(c: RawClient, mib: list[int], oldsize: int | None,
           oldlen: int | None = None) -> tuple[int, bytes, int]:
    """(errno, the whole old buffer, *oldlenp after); the buffer starts as 0xa5 bytes."""
    m = c.mem
    name = m.buf(struct.pack(f"<{len(mib)}i", *mib))
    oldp = m.buf(b"\xa5" * oldsize) if oldsize is not None else 0
    lenp = m.buf(struct.pack("<Q", (oldsize or 0) if oldlen is None else oldlen))
    err = c.err("__sysctl", name, len(mib), oldp, lenp, 0, 0)
    return err, (m.get(oldp, oldsize) if oldp else b""), struct.unpack("<Q", m.get(lenp, 8))[0]


def sucker(c: RawClient, mib: list[int]) -> bytes:
    """sockstat's sysctl_sucker: probe with NULL, then read, again on ENOMEM."""
    err, _, sz = sysctl(c, mib, None)
    assert err == 0
    while True:
        err, raw, n = sysctl(c, mib, sz)
        if err != E.ENOMEM:
            assert err == 0, mib
            return raw[:n]
        sz = n


def nametomib(c: RawClient, name: str) -> list[int]:
    """sysctlnametomib: CTL_QUERY each level for the next component."""
    mib: list[int] = []
    qnode = SC.pack_sysctlnode(SC.SYSCTL_VERSION, 0)
    for part in name.split("."):
        m = c.mem
        nm = m.buf(struct.pack(f"<{len(mib) + 1}i", *mib, SC.CTL_QUERY))
        out, lenp = m.out(64 * SC.SYSCTLNODE_SIZE), m.buf(struct.pack("<Q", 64 * SC.SYSCTLNODE_SIZE))
        assert c.err("__sysctl", nm, len(mib) + 1, out, lenp, m.buf(qnode), len(qnode)) == 0
        n = struct.unpack("<Q", m.get(lenp, 8))[0]
        nodes = {x.name: x for x in SC.unpack_sysctlnodes(m.get(out, n))}
        assert part in nodes, (name, sorted(nodes))
        mib.append(nodes[part].num)
    return mib


def files(c: RawClient, op: int = BYPID, arg: int = 0) -> list[dict[str, Any]]:
    raw = sucker(c, [1, KERN_FILE2, op, arg, KF_SIZE, INT_MAX])
    assert len(raw) % KF_SIZE == 0
    return [kf(raw[i:i + KF_SIZE]) for i in range(0, len(raw), KF_SIZE)]


def pcbs(c: RawClient, name: str) -> list[dict[str, Any]]:
    raw = sucker(c, nametomib(c, name) + [0, 0, PCB_SIZE, INT_MAX])
    assert len(raw) % PCB_SIZE == 0
    return [pcb(raw[i:i + PCB_SIZE]) for i in range(0, len(raw), PCB_SIZE)]


def mine(c: RawClient) -> dict[int, dict[str, Any]]:
    pid = c.ok("getpid")
    recs = files(c, BYPID, pid)
    assert all(r["pid"] == pid for r in recs)
    by_fd = {r["fd"]: r for r in recs}
    assert len(by_fd) == len(recs)
    return by_fd


def test_file2_bypid_describes_each_descriptor(c: RawClient) -> None:
    path = f"/tmp/kf-{uuid.uuid4().hex[:8]}"
    err, fd = open_(c, path, F.O_RDWR | F.O_CREAT, 0o644)
    assert err == 0
    assert write(c, fd, b"hello, world") == (0, 12)
    assert c.ok("lseek", fd, 0, 5, F.SEEK_SET) == 5  # off_t in the second slot (pad first)
    dup = c.ok("dup", fd)
    c.ok("fcntl", dup, F.F_SETFD, F.FD_CLOEXEC)
    r, w = pipe(c)
    kq = c.ok("kqueue")
    a, b = socketpair(c)
    d1, d2 = socketpair(c, S.SOCK_DGRAM)
    nb = socket(c, S.AF_INET, S.SOCK_STREAM | S.SOCK_NONBLOCK)
    recs = mine(c)
    uid = c.ok("geteuid")
    assert set(recs) >= {fd, dup, r, w, kq, a, b, d1, d2, nb}
    v = recs[fd]
    assert (v["ftype"], v["vtype"], v["vtag"], v["vsize"], v["foffset"]) == \
        (DTYPE_VNODE, VREG, VT_TMPFS, 12, 5)
    assert v["flag"] & (F.FREAD | F.FWRITE) == F.FREAD | F.FWRITE
    assert v["count"] == 2 and v["ofileflags"] == 0 and v["fuid"] == uid
    assert recs[dup]["fileaddr"] == v["fileaddr"] and recs[dup]["ofileflags"] == 1
    assert recs[dup]["fdata"] == v["fdata"] != 0 and recs[dup]["vdata"] == v["vdata"] != 0
    assert (recs[r]["ftype"], recs[r]["flag"] & 3, recs[w]["flag"] & 3) == (DTYPE_PIPE, F.FREAD, F.FWRITE)
    assert recs[r]["fdata"] != recs[w]["fdata"]  # one struct pipe per end
    assert recs[r]["fops"] == recs[w]["fops"] != recs[a]["fops"] != v["fops"]
    assert recs[r]["vtype"] == recs[r]["vsize"] == 0  # no vnode glue outside DTYPE_VNODE
    assert (recs[kq]["ftype"], recs[kq]["flag"] & 3) == (DTYPE_KQUEUE, 3)
    for s in (a, b, d1, d2, nb):
        assert recs[s]["ftype"] == DTYPE_SOCKET and recs[s]["count"] == 1
    assert recs[nb]["flag"] & F.O_NONBLOCK
    addrs = [recs[x]["fileaddr"] for x in (fd, dup, r, w, kq, a, b, d1, d2, nb)]
    assert len(set(addrs)) == len(addrs) - 1  # only the dup shares one
    assert all(x >= 0xFFFF800000000000 for x in addrs)
    assert all(x["iflags"] == x["msgcount"] == x["usecount"] == 0 for x in recs.values())
    # the same records again: addresses are stable
    assert {k: x["fileaddr"] for k, x in mine(c).items()} == {k: x["fileaddr"] for k, x in recs.items()}
    c.ok("close", dup)
    after = mine(c)
    assert dup not in after and after[fd]["count"] == 1


def test_file2_byfile_lists_shared_files_once(c: RawClient, srv: ServerProcess) -> None:
    r, w = pipe(c)
    child = fork(c, srv.url)
    try:
        ppid, cpid = c.ok("getpid"), child.ok("getpid")
        child.ok("close", r)
        mine_p, mine_c = mine(c), mine(child)
        assert mine_c[w]["fileaddr"] == mine_p[w]["fileaddr"] and r not in mine_c
        assert mine_p[w]["count"] == 2 and mine_p[r]["count"] == 1
        everything = files(c, BYPID, 0)
        assert files(c, BYPID, -1) == everything
        assert {(x["pid"], x["fd"]) for x in everything} >= \
            {(ppid, fd) for fd in mine_p} | {(cpid, fd) for fd in mine_c}
        once = files(c, BYFILE, 0)
        addrs = [x["fileaddr"] for x in once]
        assert len(addrs) == len(set(addrs)) == len({x["fileaddr"] for x in everything})
        first = [x for x in once if x["fileaddr"] == mine_p[w]["fileaddr"]]
        assert len(first) == 1 and (first[0]["pid"], first[0]["fd"]) == (ppid, w)
    finally:
        child.close()


def test_file2_sizes_as_netbsd(c: RawClient) -> None:
    pid = c.ok("getpid")
    pipe(c)
    n = len(mine(c))
    assert n >= 2
    mib = [1, KERN_FILE2, BYPID, pid]
    # size probe: needed plus KERN_FILESLOP records, of the caller's elem_size
    assert sysctl(c, mib + [KF_SIZE, INT_MAX], None)[::2] == (0, (n + 10) * KF_SIZE)
    assert sysctl(c, mib + [64, INT_MAX], None)[::2] == (0, (n + 10) * 64)
    err, raw, got = sysctl(c, mib + [KF_SIZE, INT_MAX], n * KF_SIZE)
    assert (err, got) == (0, n * KF_SIZE)
    full = raw
    # a buffer for two: two records, *oldlenp the size of all, ENOMEM
    err, raw, got = sysctl(c, mib + [KF_SIZE, INT_MAX], 2 * KF_SIZE + 50)
    assert (err, got) == (E.ENOMEM, n * KF_SIZE)
    assert raw[:2 * KF_SIZE] == full[:2 * KF_SIZE] and raw[2 * KF_SIZE:] == b"\xa5" * 50
    # a smaller element: each record cut to it
    err, raw, got = sysctl(c, mib + [64, INT_MAX], n * 64)
    assert (err, got) == (0, n * 64)
    assert all(raw[i * 64:(i + 1) * 64] == full[i * KF_SIZE:i * KF_SIZE + 64] for i in range(n))
    # a bigger element: whole records at elem_size steps, the bytes between untouched
    err, raw, got = sysctl(c, mib + [128, INT_MAX], n * 128)
    assert (err, got) == (0, n * 128)
    for i in range(n):
        assert raw[i * 128:i * 128 + KF_SIZE] == full[i * KF_SIZE:(i + 1) * KF_SIZE]
        assert raw[i * 128 + KF_SIZE:(i + 1) * 128] == b"\xa5" * 8
    # elem_count limits the copy, not what is needed
    err, raw, got = sysctl(c, mib + [KF_SIZE, 1], n * KF_SIZE)
    assert (err, got) == (0, n * KF_SIZE)
    assert raw[:KF_SIZE] == full[:KF_SIZE] and raw[KF_SIZE:] == b"\xa5" * ((n - 1) * KF_SIZE)
    # no room at all: nothing copied, ENOMEM
    err, raw, got = sysctl(c, mib + [KF_SIZE, INT_MAX], KF_SIZE - 1)
    assert (err, got, raw) == (E.ENOMEM, n * KF_SIZE, b"\xa5" * (KF_SIZE - 1))
    # another pid: none of ours; a pid nobody has: nothing
    assert sysctl(c, [1, KERN_FILE2, BYPID, 999999, KF_SIZE, INT_MAX], 4096)[::2] == (0, 0)


def test_file2_bad_names_are_einval(c: RawClient) -> None:
    for mib in ([1, KERN_FILE2], [1, KERN_FILE2, BYPID, 0, KF_SIZE],
                [1, KERN_FILE2, BYPID, 0, KF_SIZE, INT_MAX, 0],
                [1, KERN_FILE2, BYPID, 0, 0, INT_MAX],          # elem_size < 1
                [1, KERN_FILE2, BYPID, 0, KF_SIZE, -1],         # elem_count < 0
                [1, KERN_FILE2, BYPID, -2, KF_SIZE, INT_MAX],   # arg < -1
                [1, KERN_FILE2, BYFILE, 1, KF_SIZE, INT_MAX],   # BYFILE takes no arg
                [1, KERN_FILE2, 3, 0, KF_SIZE, INT_MAX]):       # KERN_FILE_BYUID: not served
        err, raw, n = sysctl(c, mib, 4096)
        assert (err, n, raw) == (E.EINVAL, 4096, b"\xa5" * 4096), mib


def test_ctl_query_finds_file2_and_the_pcblists(c: RawClient) -> None:
    assert nametomib(c, "kern.file2") == [1, 77]
    local = {t: nametomib(c, f"net.local.{t}.pcblist") for t in ("stream", "seqpacket", "dgram")}
    assert [m[:3] for m in local.values()] == [[4, 1, 1], [4, 1, 5], [4, 1, 2]]
    inet = {n: nametomib(c, n) for n in ("net.inet.tcp.pcblist", "net.inet.udp.pcblist",
                                         "net.inet6.tcp6.pcblist", "net.inet6.udp6.pcblist")}
    assert [m[:3] for m in inet.values()] == [[4, 2, 6], [4, 2, 17], [4, 24, 6], [4, 24, 17]]
    nums = [m[3] for m in [*local.values(), *inet.values()]]
    assert len(set(nums)) == len(nums) and all(x >= SC.CREATE_BASE for x in nums)  # CTL_CREATE'd


def test_local_pcblist_matches_files_and_peers(c: RawClient, srv: ServerProcess) -> None:
    a, b = socketpair(c)
    assert send(c, a, b"abc") == (0, 3)
    path = f"/tmp/kl-{uuid.uuid4().hex[:8]}.sock".encode()
    lis = socket(c, S.AF_LOCAL, S.SOCK_STREAM)
    sa = S.pack_sockaddr_un(path)
    assert c.err("bind", lis, c.mem.buf(sa), len(sa)) == 0
    c.ok("listen", lis, 5)
    cli = socket(c, S.AF_LOCAL, S.SOCK_STREAM)
    assert c.err("connect", cli, c.mem.buf(sa), len(sa)) == 0
    before = pcbs(c, "net.local.stream.pcblist")
    acc = c.ok("accept", lis, 0, 0)
    recs = mine(c)
    stream = {p["sockaddr"]: p for p in pcbs(c, "net.local.stream.pcblist")}
    assert len(stream) == len(before) + 1  # the unaccepted connection had no file yet
    by_fd = {fd: stream[recs[fd]["fdata"]] for fd in (a, b, lis, cli, acc)}  # sockstat's join
    assert all(p["family"] == S.AF_LOCAL and p["type"] == S.SOCK_STREAM for p in by_fd.values())
    pa, pb = by_fd[a], by_fd[b]
    assert pa["conn"] == pb["pcbaddr"] and pb["conn"] == pa["pcbaddr"] != 0
    assert pa["sostate"] & SS_ISCONNECTED and pa["ppcbaddr"] == 0
    assert (pb["rcvq"], pa["rcvq"], pa["sndq"]) == (3, 0, 0)
    assert pa["src"][:2] == bytes([2, S.AF_LOCAL]) and sun_path(pa["src"]) == b""
    pl = by_fd[lis]
    assert sun_path(pl["src"]) == path and pl["conn"] == 0 and pl["vnode"] != 0
    assert pl["pflags"] & UNP_EIDSBIND and not pl["sostate"] & SS_ISCONNECTED
    assert pl["dst"] == b"\0" * 264
    pc, pacc = by_fd[cli], by_fd[acc]
    assert pc["conn"] == pacc["pcbaddr"] and pacc["conn"] == pc["pcbaddr"]
    assert sun_path(pc["dst"]) == path and sun_path(pacc["src"]) == path
    assert pc["src"][:2] == bytes([2, S.AF_LOCAL]) and sun_path(pacc["dst"]) == b""
    assert pc["pflags"] & UNP_EIDSVALID and pacc["pflags"] & UNP_EIDSVALID
    # the bound socket's path with its NUL, sun_len as bind gave it
    assert pl["src"][0] == len(sa) and pl["src"][1] == S.AF_LOCAL
    # a peer that closed: no more ki_conn
    c.ok("close", b)
    pa2 = {p["sockaddr"]: p for p in pcbs(c, "net.local.stream.pcblist")}[recs[a]["fdata"]]
    assert pa2["conn"] == 0 and not pa2["sostate"] & SS_ISCONNECTED
    assert recs[b]["fdata"] not in {p["sockaddr"] for p in pcbs(c, "net.local.stream.pcblist")}


def test_local_dgram_pcblist_refs(c: RawClient) -> None:
    path = f"/tmp/kd-{uuid.uuid4().hex[:8]}.sock".encode()
    sa = S.pack_sockaddr_un(path)
    srvfd = socket(c, S.AF_LOCAL, S.SOCK_DGRAM)
    assert c.err("bind", srvfd, c.mem.buf(sa), len(sa)) == 0
    u1 = socket(c, S.AF_LOCAL, S.SOCK_DGRAM)
    u2 = socket(c, S.AF_LOCAL, S.SOCK_DGRAM)
    for u in (u1, u2):
        assert c.err("connect", u, c.mem.buf(sa), len(sa)) == 0
    assert send(c, u1, b"12345") == (0, 5)
    seq = socketpair(c, S.SOCK_SEQPACKET)
    recs = mine(c)
    dg = {p["sockaddr"]: p for p in pcbs(c, "net.local.dgram.pcblist")}
    ps, p1, p2 = (dg[recs[fd]["fdata"]] for fd in (srvfd, u1, u2))
    assert all(p["type"] == S.SOCK_DGRAM for p in dg.values())
    assert p1["conn"] == p2["conn"] == ps["pcbaddr"] and ps["conn"] == 0
    assert sun_path(p1["dst"]) == path and sun_path(ps["src"]) == path
    assert ps["rcvq"] == 5 + 2  # sb_cc counts the sender's address (sun_noname) too
    # unp_refs: the receiver names one sender, each sender the next one
    assert ps["refs"] in (p1["pcbaddr"], p2["pcbaddr"])
    first, second = (p1, p2) if ps["refs"] == p1["pcbaddr"] else (p2, p1)
    assert first["nextref"] == second["pcbaddr"] and second["nextref"] == 0
    sp = {p["sockaddr"] for p in pcbs(c, "net.local.seqpacket.pcblist")}
    assert {recs[s]["fdata"] for s in seq} <= sp
    assert not sp & set(dg)


def test_inet_pcblists(c: RawClient) -> None:
    lis = socket(c, S.AF_INET, S.SOCK_STREAM)
    assert bind_in(c, lis, "127.0.0.1", 0) == 0
    c.ok("listen", lis, 5)
    port = sin_port(sockname(c, lis)[1])
    cli = socket(c, S.AF_INET, S.SOCK_STREAM)
    assert connect_in(c, cli, "127.0.0.1", port) == 0
    cport = sin_port(sockname(c, cli)[1])
    udp = socket(c, S.AF_INET, S.SOCK_DGRAM)
    assert bind_in(c, udp, "127.0.0.1", 0) == 0
    loose = socket(c, S.AF_INET, S.SOCK_DGRAM)
    six = socket(c, S.AF_INET6, S.SOCK_STREAM)
    sa6 = S.pack_sockaddr_in6("::1", 0)
    assert c.err("bind", six, c.mem.buf(sa6), len(sa6)) == 0
    c.ok("listen", six, 1)
    recs = mine(c)
    tcp = {p["sockaddr"]: p for p in pcbs(c, "net.inet.tcp.pcblist")}
    pl, pc = tcp[recs[lis]["fdata"]], tcp[recs[cli]["fdata"]]
    assert (pl["family"], pl["type"], pl["protocol"]) == (S.AF_INET, S.SOCK_STREAM, S.IPPROTO_TCP)
    assert (pl["prstate"], pl["tstate"], sin_port(pl["src"])) == (INP_BOUND, TCPS_LISTEN, port)
    assert pl["pflags"] & INP_ANONPORT and pl["dst"] == b"\0" * 264
    assert pl["src"][:2] == bytes([16, S.AF_INET]) and pl["src"][4:8] == bytes([127, 0, 0, 1])
    assert (pc["prstate"], pc["tstate"]) == (INP_CONNECTED, TCPS_ESTABLISHED)
    assert (sin_port(pc["src"]), sin_port(pc["dst"])) == (cport, port)
    assert pc["sostate"] & SS_ISCONNECTED and pc["ppcbaddr"] not in (0, pc["pcbaddr"])
    # the server side of the connection is a pcb without a file until accept()
    fdata = {x["fdata"] for x in recs.values()}
    waiting = [p for p in tcp.values() if p["sockaddr"] not in fdata
               and sin_port(p["src"]) == port and sin_port(p["dst"]) == cport]
    assert len(waiting) == 1 and waiting[0]["sostate"] & SS_NOFDREF
    assert waiting[0]["tstate"] == TCPS_ESTABLISHED
    acc = c.ok("accept", lis, 0, 0)
    pacc = {p["sockaddr"]: p for p in pcbs(c, "net.inet.tcp.pcblist")}[mine(c)[acc]["fdata"]]
    assert pacc["pcbaddr"] == waiting[0]["pcbaddr"] and not pacc["sostate"] & SS_NOFDREF
    udps = {p["sockaddr"]: p for p in pcbs(c, "net.inet.udp.pcblist")}
    pu, plo = udps[recs[udp]["fdata"]], udps[recs[loose]["fdata"]]
    assert (pu["prstate"], pu["tstate"], pu["ppcbaddr"], pu["protocol"]) == \
        (INP_BOUND, 0, 0, S.IPPROTO_UDP)
    assert (plo["prstate"], sin_port(plo["src"]), plo["pflags"]) == (INP_ATTACHED, 0, 0)
    assert plo["src"][:2] == bytes([16, S.AF_INET])
    assert not {recs[s]["fdata"] for s in (lis, cli, six)} & set(udps)
    tcp6 = {p["sockaddr"]: p for p in pcbs(c, "net.inet6.tcp6.pcblist")}
    p6 = tcp6[recs[six]["fdata"]]
    assert (p6["family"], p6["tstate"], p6["src"][:2]) == (S.AF_INET6, TCPS_LISTEN, bytes([28, S.AF_INET6]))
    assert p6["pflags"] & IN6P_V6ONLY and p6["src"][8:24] == bytes(15) + b"\1"
    assert recs[six]["fdata"] not in tcp and recs[lis]["fdata"] not in tcp6


def test_pcblist_sizes(c: RawClient) -> None:
    for _ in range(3):
        socketpair(c)
    mib = nametomib(c, "net.local.stream.pcblist")
    err, _, probe = sysctl(c, mib + [0, 0, PCB_SIZE, INT_MAX], None)
    n = len(pcbs(c, "net.local.stream.pcblist"))
    assert err == 0 and n >= 6 and probe == (n + 20) * PCB_SIZE
    # without a buffer elem_size is not looked at; with one it must be sizeof(struct kinfo_pcb)
    assert sysctl(c, mib + [0, 0, 1, 1], None)[::2] == (0, probe)
    assert sysctl(c, mib + [0, 0, PCB_SIZE - 8, INT_MAX], 8192)[0] == E.EINVAL
    assert sysctl(c, mib + [0, 0, PCB_SIZE], 8192)[0] == E.EINVAL
    err, raw, got = sysctl(c, mib + [0, 0, PCB_SIZE, INT_MAX], 2 * PCB_SIZE)
    assert (err, got) == (E.ENOMEM, n * PCB_SIZE)
    err, raw, got = sysctl(c, mib + [0, 0, PCB_SIZE, 2], n * PCB_SIZE)
    assert (err, got) == (0, n * PCB_SIZE) and raw[2 * PCB_SIZE:] == b"\xa5" * ((n - 2) * PCB_SIZE)
    tcp = nametomib(c, "net.inet.tcp.pcblist")
    assert sysctl(c, tcp + [0, 0, PCB_SIZE - 1, INT_MAX], 8192)[0] == E.EINVAL


def test_sockstat_join_finds_every_socket(c: RawClient) -> None:
    """sockstat: every DTYPE_SOCKET file's ki_fdata is some pcb's ki_sockaddr."""
    socketpair(c)
    socketpair(c, S.SOCK_DGRAM)
    socket(c, S.AF_INET, S.SOCK_DGRAM)
    socket(c, S.AF_INET6, S.SOCK_DGRAM)
    every: dict[int, dict[str, Any]] = {}
    # sockstat's own list with no arguments (it exits if a name is missing), plus seqpacket
    for name in ("net.inet.tcp.pcblist", "net.inet.udp.pcblist", "net.inet.raw.pcblist",
                 "net.inet6.tcp6.pcblist", "net.inet6.udp6.pcblist", "net.inet6.raw6.pcblist",
                 "net.local.stream.pcblist", "net.local.dgram.pcblist",
                 "net.local.seqpacket.pcblist"):
        got = pcbs(c, name)
        if ".raw" in name:
            assert got == []  # no raw sockets in this kernel (UDP ones must not leak in)
            assert nametomib(c, name)[:3] == [4, 2 if name.startswith("net.inet.") else 24,
                                              S.IPPROTO_RAW]
        for p in got:
            assert p["sockaddr"] not in every
            every[p["sockaddr"]] = p
    socks = [f for f in files(c) if f["ftype"] == DTYPE_SOCKET]
    assert socks and all(f["fdata"] in every for f in socks)
    assert len({p["pcbaddr"] for p in every.values()}) == len(every)
