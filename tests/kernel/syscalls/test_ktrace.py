"""ktrace(2), fktrace(2), utrace(2): the records written, the operations, the errors.

One known sequence is run on our server and, when it is present, on NetBSD's
reference rump_server; the two trace files must hold the same records except for
the times (the reference writes them from a kernel thread, so its file is read
once it stops growing).
"""
from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest

from sysproxy import connect
from sysproxy.abi import errno as E
from sysproxy.abi import ktrace as K
from sysproxy.abi.syscalls import BY_NAME as N
from sysproxy.client import Kernel
from sysproxy.client.errors import KernelError

from differential.servers import Server, reference_missing
from support.server import ServerProcess

FACS = (K.KTRFAC_SYSCALL | K.KTRFAC_SYSRET | K.KTRFAC_NAMEI | K.KTRFAC_GENIO
        | K.KTRFAC_EMUL | K.KTRFAC_USER)


@pytest.fixture
def k(server: ServerProcess) -> Iterator[Kernel]:
    kern = connect(server.url, "tracee")
    kern.mkdir("/t")
    kern.mount_tmpfs("/t")
    yield kern
    kern.disconnect()


def _create(k: Kernel, path: str) -> None:
    k.close(k.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644))


def _read_all(k: Kernel, path: str) -> bytes:
    fd = k.open(path, 0)
    try:
        return k.read(fd, 1 << 20)
    finally:
        k.close(fd)


def known_sequence(k: Kernel, ops: int = 0) -> None:
    """The calls both servers trace: getpid, open (found and not), write, lseek,
    read (into a read/write buffer: the reference copies read data back in), utrace."""
    _create(k, "/t/ktrace.out")
    pid = k.getpid()
    assert k.syscall(N["ktrace"], "/t/ktrace.out", ops, FACS, pid) == (0, 0)
    k.getpid()
    fd = k.open("/t/f", os.O_RDWR | os.O_CREAT, 0o644)
    k.write(fd, b"hello\n")
    k.syscall(N["lseek"], fd, 0, 0, 0)
    assert k.syscall(N["read"], fd, bytearray(16), 16)[0] == 6
    with pytest.raises(FileNotFoundError):
        k.open("/t/nonexist", 0)
    k.syscall(N["utrace"], "mylabel", b"userdata", 8)
    k.close(fd)
    assert k.syscall(N["ktrace"], "/t/ktrace.out", K.KTROP_CLEAR, FACS, pid) == (0, 0)


def untimed(data: bytes) -> list[K.Record]:
    return [r._replace(sec=0, nsec=0) for r in K.records(data)]


def test_known_sequence_records(k: Kernel) -> None:
    known_sequence(k)
    recs = list(K.records(_read_all(k, "/t/ktrace.out")))
    pid = k.getpid()
    assert {(r.pid, r.comm, r.version, r.lid) for r in recs} == {(pid, "tracee", 0, 0)}
    kinds = [(K.TYPE_NAMES[r.type], r.payload) for r in recs]
    assert kinds[0] == ("EMUL", b"netbsd-rump")
    assert kinds[1] == ("CALL", K.SYSCALL.pack(N["getpid"], 0))
    assert kinds[2] == ("RET", K.SYSRET.pack(N["getpid"], 0, 0, pid, 1))
    assert kinds[4] == ("NAMI", b"/t/f\0")
    assert kinds[5] == ("RET", K.SYSRET.pack(N["open"], 0, 0, 3, 0))
    assert ("GIO", K.GENIO.pack(3, K.UIO_WRITE) + b"hello\n") in kinds
    assert ("GIO", K.GENIO.pack(3, K.UIO_READ) + b"hello\n") in kinds
    assert ("RET", K.SYSRET.pack(N["open"], 0, E.ENOENT, 0, 0)) in kinds
    assert ("USER", b"mylabel".ljust(20, b"\0") + b"userdata") in kinds
    # the clearing call is traced on the way in, not on the way out
    assert kinds[-1][0] == "CALL" and K.SYSCALL.unpack_from(kinds[-1][1])[0] == N["ktrace"]
    assert len(recs) == 23


def test_version2_header_has_lid_and_time(k: Kernel) -> None:
    known_sequence(k, K.KTRFACv2)
    data = _read_all(k, "/t/ktrace.out")
    recs = list(K.records(data))
    assert data[6:8] == b"\x02\x00" and all(r.version == 2 for r in recs)
    assert all(r.lid >= 1 for r in recs)
    assert abs(recs[0].sec - time.time()) < 3600


def test_untraced_after_clear_and_utrace_is_noop(k: Kernel) -> None:
    known_sequence(k)
    before = _read_all(k, "/t/ktrace.out")
    k.getpid()
    assert k.syscall(N["utrace"], "x", b"abc", 3) == (0, 0)
    assert _read_all(k, "/t/ktrace.out") == before


def test_errors(k: Kernel) -> None:
    pid = k.getpid()
    _create(k, "/t/out")
    with pytest.raises(KernelError) as ei:
        k.syscall(N["ktrace"], "/t/out", K.KTROP_SET, 0, pid)
    assert ei.value.errno == E.EINVAL
    with pytest.raises(KernelError) as ei:
        k.syscall(N["ktrace"], "/t/out", K.KTROP_SET, FACS, 99999)
    assert ei.value.errno == E.ESRCH
    with pytest.raises(KernelError) as ei:
        k.syscall(N["ktrace"], "/t", K.KTROP_SET, FACS, pid)
    assert ei.value.errno == E.EISDIR
    with pytest.raises(KernelError) as ei:
        k.syscall(N["ktrace"], "/t/none", K.KTROP_SET, FACS, pid)
    assert ei.value.errno == E.ENOENT
    with pytest.raises(KernelError) as ei:
        k.syscall(N["ktrace"], "/t/out", K.KTROP_SET | (5 << 24), FACS, pid)
    assert ei.value.errno == E.EPERM  # a bad version: ktrops fails for every target
    fd = k.open("/t/out", os.O_RDONLY)
    with pytest.raises(KernelError) as ei:
        k.syscall(N["fktrace"], fd, K.KTROP_SET, FACS, pid)
    assert ei.value.errno == E.EBADF
    k.close(fd)
    assert _read_all(k, "/t/out") == b""
    assert k.syscall(N["ktrace"], "/t/out", K.KTROP_SET, K.KTRFAC_USER, pid) == (0, 0)
    with pytest.raises(KernelError) as ei:
        k.syscall(N["utrace"], "big", bytes(K.KTR_USER_MAXLEN + 1), K.KTR_USER_MAXLEN + 1)
    assert ei.value.errno == E.ENOSPC


def test_fktrace_clearfile_and_shared_file(server: ServerProcess, k: Kernel) -> None:
    other = connect(server.url, "other")
    try:
        _create(k, "/t/shared")
        fd = k.open("/t/shared", os.O_WRONLY)
        for pid in (k.getpid(), other.getpid()):
            assert k.syscall(N["fktrace"], fd, K.KTROP_SET, K.KTRFAC_SYSCALL, pid) == (0, 0)
        other.getpid()
        k.getpid()
        assert k.syscall(N["fktrace"], fd, K.KTROP_CLEARFILE, 0, 0) == (0, 0)
        other.getpid()
        k.close(fd)
        recs = list(K.records(_read_all(k, "/t/shared")))
        assert [(r.comm, K.SYSCALL.unpack_from(r.payload)[0]) for r in recs] == [
            ("tracee", N["fktrace"]), ("other", N["getpid"]), ("tracee", N["getpid"]),
            ("tracee", N["fktrace"])]
    finally:
        other.disconnect()


def test_inherit_on_fork(k: Kernel) -> None:
    _create(k, "/t/inh")
    pid = k.getpid()
    facs = K.KTRFAC_SYSCALL | K.KTRFAC_INHERIT
    assert k.syscall(N["ktrace"], "/t/inh", K.KTROP_SET, facs, pid) == (0, 0)
    child = k.fork_here()
    try:
        cpid = child.getpid()
    finally:
        child.disconnect()
    assert k.syscall(N["ktrace"], "/t/inh", K.KTROP_CLEAR, facs, pid) == (0, 0)
    recs = list(K.records(_read_all(k, "/t/inh")))
    assert (cpid, K.SYSCALL.pack(N["getpid"], 0)) in [(r.pid, r.payload) for r in recs]


def _settled(k: Kernel, path: str) -> bytes:
    """The file once the reference's ktrace thread has written everything (stable size)."""
    last, same = b"", 0
    for _ in range(200):
        data = _read_all(k, path)
        same = same + 1 if data == last and data else 0
        if same >= 3:
            return data
        last = data
        time.sleep(0.1)
    return last


@pytest.mark.parametrize("ops", [0, K.KTRFACv2])
def test_matches_reference(ops: int) -> None:
    why = reference_missing()
    if why:
        pytest.skip(why)
    files = {}
    for kind in ("ours", "ref"):
        s = Server(kind, "ktrc")
        try:
            kern = connect(s.url, "tracee")
            kern.mkdir("/t")
            kern.mount_tmpfs("/t")
            known_sequence(kern, ops)
            files[kind] = _settled(kern, "/t/ktrace.out")
            kern.disconnect()
        finally:
            s.stop()
    ours, ref = untimed(files["ours"]), untimed(files["ref"])
    if ops == K.KTRFACv2:  # lwp ids are each kernel's own
        ours = [r._replace(lid=0) for r in ours]
        ref = [r._replace(lid=0) for r in ref]
    assert ours == ref
