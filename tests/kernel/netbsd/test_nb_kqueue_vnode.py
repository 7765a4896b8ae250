"""NetBSD tests/kernel/kqueue/t_vnode.c: EVFILT_VNODE on a directory while entries are
created, removed and renamed in it, and on a file while it is opened, written, read
and closed (NOTE_OPEN, NOTE_READ, NOTE_CLOSE, NOTE_CLOSE_WRITE).

As the C test, every case works in its own directory (here /tmp, the ATF work
directory's stand-in; each test has its own server) with relative names, watches
the directory 'foo' through an open descriptor with EV_ADD | EV_ONESHOT and every
vnode note, and collects with a zero timeout. The C cases read changelist[0]
without looking at kevent's count; every operation here posts NOTE_WRITE on 'foo',
so the port also requires the one event NetBSD returns.
"""
from __future__ import annotations

import pytest

from sysproxy.abi import event as EV
from sysproxy.abi import fcntl as F

from support.nb import kevent, open_
from support.rawclient import RawClient

DIR_TARGET = "foo"
DIR_INSIDE1 = "foo/bar1"
DIR_INSIDE2 = "foo/bar2"
DIR_OUTSIDE = "bar"
FILE_INSIDE1 = "foo/baz1"
FILE_INSIDE2 = "foo/baz2"
FILE_OUTSIDE = "qux"
TS = (0, 0)  # static const struct timespec ts = {0, 0}
ALL_NOTES = (EV.NOTE_DELETE | EV.NOTE_WRITE | EV.NOTE_EXTEND | EV.NOTE_ATTRIB
             | EV.NOTE_LINK | EV.NOTE_RENAME | EV.NOTE_REVOKE)


def init_target(c: RawClient) -> int:
    """init_target(): mkdir("foo", S_IRWXU) and open it O_RDONLY (in a fresh work directory)."""
    assert c.err("chdir", c.mem.str("/tmp")) == 0
    assert c.err("mkdir", c.mem.str(DIR_TARGET), 0o700) == 0
    err, fd = open_(c, DIR_TARGET, F.O_RDONLY, 0)
    assert err == 0
    return fd


def init_kqueue(c: RawClient, target: int) -> int:
    """init_kqueue(): EVFILT_VNODE, EV_ADD | EV_ONESHOT, all the vnode notes, on 'foo'."""
    kq = c.ok("kqueue")
    assert kevent(c, kq, [(target, EV.EVFILT_VNODE, EV.EV_ADD | EV.EV_ONESHOT, ALL_NOTES, 0, 0)],
                  0) == (0, [])
    return kq


def create_file(c: RawClient, path: str) -> None:
    """create_file(): open(O_WRONLY | O_CREAT, S_IRUSR | S_IWUSR), then close."""
    err, fd = open_(c, path, F.O_WRONLY | F.O_CREAT, 0o600)
    assert err == 0
    assert c.ok("close", fd) == 0


def rename(c: RawClient, frm: str, to: str) -> None:
    assert c.err("rename", c.mem.str(frm), c.mem.str(to)) == 0


def changelist(c: RawClient, kq: int, target: int) -> tuple[int, ...]:
    """kevent(kq, NULL, 0, changelist, 1, &ts) != -1; changelist[0] (the watch on 'foo')."""
    err, evs = kevent(c, kq, [], 1, TS)
    assert err == 0
    assert len(evs) == 1 and evs[0][:2] == (target, EV.EVFILT_VNODE)
    return evs[0]


def _do(c: RawClient, op: tuple[str, ...]) -> None:
    """One step of a case: ("mkdir", path), ("create", path), ("unlink", path),
    ("rmdir", path) or ("rename", from, to)."""
    what, *paths = op
    if what == "create":
        create_file(c, paths[0])
    elif what == "mkdir":
        c.ok("mkdir", c.mem.str(paths[0]), 0o700)
    elif what == "rename":
        rename(c, paths[0], paths[1])
    else:
        c.ok(what, c.mem.str(paths[0]))


LINK, WRITE = EV.NOTE_LINK, EV.NOTE_WRITE
MKDIR_IN, MKDIR_OUT = ("mkdir", DIR_INSIDE1), ("mkdir", DIR_OUTSIDE)
FILE_IN, FILE_OUT = ("create", FILE_INSIDE1), ("create", FILE_OUTSIDE)
#: t_vnode.c's dir_* cases: (ATF case, made before the watch, the operation on 'foo''s
#: entries, the note, whether kevent(2) reports it for 'foo').
DIR_CASES = [
    ("dir_no_note_link_create_file_in", None, FILE_IN, LINK, False),
    ("dir_no_note_link_delete_file_in", FILE_IN, ("unlink", FILE_INSIDE1), LINK, False),
    ("dir_no_note_link_mv_dir_within", MKDIR_IN, ("rename", DIR_INSIDE1, DIR_INSIDE2), LINK,
     False),
    ("dir_no_note_link_mv_file_within", FILE_IN, ("rename", FILE_INSIDE1, FILE_INSIDE2), LINK,
     False),
    ("dir_note_link_create_dir_in", None, MKDIR_IN, LINK, True),
    ("dir_note_link_delete_dir_in", MKDIR_IN, ("rmdir", DIR_INSIDE1), LINK, True),
    ("dir_note_link_mv_dir_in", MKDIR_OUT, ("rename", DIR_OUTSIDE, DIR_INSIDE1), LINK, True),
    ("dir_note_link_mv_dir_out", MKDIR_IN, ("rename", DIR_INSIDE1, DIR_OUTSIDE), LINK, True),
    ("dir_note_write_create_dir_in", None, MKDIR_IN, WRITE, True),
    ("dir_note_write_create_file_in", None, FILE_IN, WRITE, True),
    ("dir_note_write_delete_dir_in", MKDIR_IN, ("rmdir", DIR_INSIDE1), WRITE, True),
    ("dir_note_write_delete_file_in", FILE_IN, ("unlink", FILE_INSIDE1), WRITE, True),
    ("dir_note_write_mv_dir_in", MKDIR_OUT, ("rename", DIR_OUTSIDE, DIR_INSIDE1), WRITE, True),
    ("dir_note_write_mv_dir_out", MKDIR_IN, ("rename", DIR_INSIDE1, DIR_OUTSIDE), WRITE, True),
    ("dir_note_write_mv_dir_within", MKDIR_IN, ("rename", DIR_INSIDE1, DIR_INSIDE2), WRITE,
     True),
    ("dir_note_write_mv_file_in", FILE_OUT, ("rename", FILE_OUTSIDE, FILE_INSIDE1), WRITE,
     True),
    ("dir_note_write_mv_file_out", FILE_IN, ("rename", FILE_INSIDE1, FILE_OUTSIDE), WRITE,
     True),
    ("dir_note_write_mv_file_within", FILE_IN, ("rename", FILE_INSIDE1, FILE_INSIDE2), WRITE,
     True),
]


@pytest.mark.parametrize("case, before, op, note, reported", DIR_CASES,
                         ids=[case[0] for case in DIR_CASES])
def test_dir_cases(client: RawClient, case: str, before: tuple[str, ...] | None,
                   op: tuple[str, ...], note: int, reported: bool) -> None:
    """Ports t_vnode.c's ATF case named by the test id: make 'foo' (and ``before``), watch
    it, do ``op``; kevent(2) returns ``note`` for 'foo', or (dir_no_*) does not."""
    c = client
    target = init_target(c)
    if before is not None:
        _do(c, before)
    kq = init_kqueue(c, target)
    _do(c, op)
    ev = changelist(c, kq, target)
    assert ev[3] & note == (note if reported else 0), case


TESTFILE = "testfile"
TESTFILE_BYTES = b"testfile\0"  # pwrite(fd, testfile, sizeof(testfile), 0)


def pwrite(c: RawClient, fd: int, data: bytes, off: int) -> int:
    return c.ok("pwrite", fd, c.mem.buf(data), len(data), 0, off)


def one(c: RawClient, kq: int) -> tuple[int, ...]:
    """ATF_REQUIRE(kevent(kq, NULL, 0, event, 1, &ts) == 1); event[0]."""
    err, evs = kevent(c, kq, [], 1, TS)
    assert err == 0 and len(evs) == 1
    return evs[0]


def test_open_write_read_close(client: RawClient) -> None:
    """Ports ATF case open_write_read_close: kevent(2) returns NOTE_OPEN, NOTE_READ,
    NOTE_WRITE, NOTE_CLOSE and NOTE_CLOSE_WRITE for a file watched through a descriptor."""
    c = client
    assert c.err("chdir", c.mem.str("/tmp")) == 0
    kq = c.ok("kqueue")
    err, fd = open_(c, TESTFILE, F.O_RDWR | F.O_CREAT | F.O_TRUNC, 0o600)
    assert err == 0
    notes = EV.NOTE_OPEN | EV.NOTE_READ | EV.NOTE_WRITE | EV.NOTE_CLOSE | EV.NOTE_CLOSE_WRITE
    assert kevent(c, kq, [(fd, EV.EVFILT_VNODE, EV.EV_ADD | EV.EV_CLEAR, notes, 0, 0)], 0) == (0, [])

    # open for writing: NOTE_OPEN; write: NOTE_WRITE | NOTE_EXTEND; rewrite: NOTE_WRITE
    # and no NOTE_EXTEND; one more byte: NOTE_WRITE | NOTE_EXTEND; close: NOTE_CLOSE_WRITE
    err, fd = open_(c, TESTFILE, F.O_RDWR)
    assert err == 0
    assert one(c, kq)[3] & EV.NOTE_OPEN

    assert pwrite(c, fd, TESTFILE_BYTES, 0) == len(TESTFILE_BYTES)
    ev = one(c, kq)
    assert ev[3] & EV.NOTE_WRITE
    assert ev[3] & EV.NOTE_EXTEND

    assert pwrite(c, fd, TESTFILE_BYTES, 0) == len(TESTFILE_BYTES)
    ev = one(c, kq)
    assert ev[3] & EV.NOTE_WRITE
    assert ev[3] & EV.NOTE_EXTEND == 0

    assert pwrite(c, fd, TESTFILE_BYTES[:1], len(TESTFILE_BYTES)) == 1
    ev = one(c, kq)
    assert ev[3] & EV.NOTE_WRITE
    assert ev[3] & EV.NOTE_EXTEND

    c.call("close", fd)
    ev = one(c, kq)
    assert ev[3] & EV.NOTE_CLOSE_WRITE
    assert ev[3] & EV.NOTE_CLOSE == 0

    # open for reading: NOTE_OPEN; read: NOTE_READ; close: NOTE_CLOSE
    err, fd = open_(c, TESTFILE, F.O_RDONLY)
    assert err == 0
    assert one(c, kq)[3] & EV.NOTE_OPEN

    buf = c.mem.out(len(TESTFILE_BYTES))
    assert c.ok("read", fd, buf, len(TESTFILE_BYTES)) == len(TESTFILE_BYTES)
    assert one(c, kq)[3] & EV.NOTE_READ

    c.call("close", fd)
    ev = one(c, kq)
    assert ev[3] & EV.NOTE_CLOSE
    assert ev[3] & EV.NOTE_CLOSE_WRITE == 0


def test_interest(client: RawClient) -> None:
    """Ports ATF case interest: three knotes on one vnode through three descriptors
    (NOTE_OPEN, NOTE_WRITE, NOTE_CLOSE | NOTE_CLOSE_WRITE); closing the NOTE_WRITE
    descriptor removes only that one (vn_knote_detach recomputes the interest)."""
    c = client
    assert c.err("chdir", c.mem.str("/tmp")) == 0
    kq = c.ok("kqueue")
    err, open_ev_fd = open_(c, TESTFILE, F.O_RDWR | F.O_CREAT | F.O_TRUNC, 0o600)
    assert err == 0
    write_ev_fd = c.ok("dup", open_ev_fd)
    close_ev_fd = c.ok("dup", open_ev_fd)
    clear = EV.EV_ADD | EV.EV_CLEAR
    assert kevent(c, kq, [(open_ev_fd, EV.EVFILT_VNODE, clear, EV.NOTE_OPEN, 0, 0),
                          (write_ev_fd, EV.EVFILT_VNODE, clear, EV.NOTE_WRITE, 0, 0),
                          (close_ev_fd, EV.EVFILT_VNODE, clear,
                           EV.NOTE_CLOSE | EV.NOTE_CLOSE_WRITE, 0, 0)], 0) == (0, [])

    c.call("close", write_ev_fd)

    err, fd = open_(c, TESTFILE, F.O_RDWR)
    assert err == 0
    assert one(c, kq)[3] & EV.NOTE_OPEN

    assert pwrite(c, fd, TESTFILE_BYTES, 0) == len(TESTFILE_BYTES)
    assert kevent(c, kq, [], 1, TS) == (0, [])

    c.call("close", fd)
    ev = one(c, kq)
    assert ev[3] & EV.NOTE_CLOSE_WRITE
    assert ev[3] & EV.NOTE_CLOSE == 0
