"""Permission checks as non-root users, as the conformance suite makes them."""
from __future__ import annotations

import struct

import pytest

from support.fsclient import FS, O_RDONLY, O_RDWR, O_WRONLY
from support.rawclient import RawClient
from support.server import ServerProcess
from sysproxy.abi import errno as E
from sysproxy.abi import stat as S


@pytest.fixture
def root(client: RawClient) -> FS:
    return FS(client)


def user(server: ServerProcess, uid: int, gid: int, groups: tuple[int, ...] = ()) -> FS:
    fs = FS(RawClient(server.url))
    fs.become(uid, gid, groups)
    return fs


def test_owner_group_other_bits(server: ServerProcess, root: FS) -> None:
    root.call("mkdir", "/w", 0o755)
    root.create("/w/f", 0o640)
    root.call("chown", "/w/f", 1000, 100)
    owner, member, other = user(server, 1000, 5), user(server, 2000, 7, (7, 100)), user(server, 3000, 3)
    assert owner.open("/w/f", O_RDWR)[0] == 0
    assert member.open("/w/f", O_RDONLY)[0] == 0
    assert member.open("/w/f", O_WRONLY)[0] == E.EACCES
    assert other.open("/w/f", O_RDONLY)[0] == E.EACCES
    root.call("chmod", "/w/f", 0o066)  # owner class chosen first: no access for the owner
    assert owner.open("/w/f", O_RDONLY)[0] == E.EACCES
    assert other.open("/w/f", O_RDWR)[0] == 0
    assert other.create("/w/g") == E.EACCES
    root.call("chmod", "/w", 0o754)
    assert other.stat("/w/f")[0] == E.EACCES
    assert other.call("access", "/w", 4) == 0


def test_chmod_chown_as_user(server: ServerProcess, root: FS) -> None:
    root.call("chmod", "/tmp", 0o1777)
    u = user(server, 1000, 100, (100, 200))
    assert u.create("/tmp/f", 0o644) == 0
    st = u.st("/tmp/f")
    assert (st.uid, st.gid) == (1000, 0)  # the directory's group, as BSD does
    assert u.call("chmod", "/tmp/f", 0o1644) == E.EFTYPE
    assert u.call("chmod", "/tmp/f", 0o2644) == E.EPERM  # not in group 0
    assert u.call("chown", "/tmp/f", -1 & 0xFFFFFFFF, 200) == 0
    assert u.call("chmod", "/tmp/f", 0o6755) == 0
    assert u.call("__posix_chown", "/tmp/f", -1 & 0xFFFFFFFF, 100) == 0
    assert u.st("/tmp/f").mode & 0o7777 == 0o755  # cleared for non-root
    assert u.call("chown", "/tmp/f", 1001, -1 & 0xFFFFFFFF) == E.EPERM
    assert u.call("chown", "/tmp/f", -1 & 0xFFFFFFFF, 300) == E.EPERM
    other = user(server, 2000, 2000)
    assert other.call("chmod", "/tmp/f", 0o777) == E.EPERM
    assert other.call("chflags", "/tmp/f", S.UF_NODUMP) == E.EPERM
    assert u.call("chflags", "/tmp/f", S.UF_NODUMP) == 0
    assert u.call("chflags", "/tmp/f", S.SF_APPEND) == E.EPERM


def test_sticky_directory(server: ServerProcess, root: FS) -> None:
    root.call("mkdir", "/s", 0o1777)
    assert root.st("/s").mode & 0o7777 == 0o755  # mkdir keeps only the access bits
    root.call("chmod", "/s", 0o1777)
    a, b = user(server, 1000, 1000), user(server, 2000, 2000)
    assert a.create("/s/fa") == 0
    assert b.call("unlink", "/s/fa") == E.EPERM
    assert b.call("rename", "/s/fa", "/s/x") == E.EPERM
    assert b.create("/s/fb") == 0
    assert a.call("rename", "/s/fa", "/s/fb") == E.EPERM  # may not replace b's file
    assert a.call("unlink", "/s/fa") == 0
    assert root.call("unlink", "/s/fb") == 0


def test_times_permissions(server: ServerProcess, root: FS) -> None:
    root.create("/tmp/t", 0o666)
    root.call("chmod", "/tmp/t", 0o666)
    u = user(server, 1000, 1000)
    assert u.call("__utimes50", "/tmp/t", 0) == 0  # NULL: write access is enough
    tv = u.m.buf(struct.pack("<qi4xqi4x", 1, 0, 2, 0))
    assert u.call("__utimes50", "/tmp/t", tv) == E.EPERM
    root.call("chmod", "/tmp/t", 0o644)
    assert u.call("__utimes50", "/tmp/t", 0) == E.EACCES


def test_credentials_rules(client: RawClient) -> None:
    fs = FS(client)
    c = client
    assert c.ok("issetugid") == 0
    assert c.ok("setegid", 5) == 0 and c.call("getgid") == (0, 0, 5)
    assert c.ok("seteuid", 1000) == 0 and c.call("getuid") == (0, 0, 1000)
    assert c.ok("issetugid") == 1
    assert c.err("setuid", 2000) == E.EPERM
    assert c.ok("seteuid", 0) == 0  # back to the saved/real id
    assert c.ok("setreuid", 1000, 1000) == 0
    assert c.err("seteuid", 0) == E.EPERM
    assert c.err("setgroups", 0, 0) == E.EPERM
    assert fs.call("__setlogin", "bob") == E.EPERM


def test_groups_and_login(client: RawClient) -> None:
    fs = FS(client)
    c = client
    gs = struct.pack("<3I", 1, 2, 3)
    assert c.ok("setgroups", 3, c.mem.buf(gs)) == 0
    assert c.ok("getgroups", 0, 0) == 3
    out = c.mem.out(12)
    assert c.ok("getgroups", 3, out) == 3 and c.mem.get(out, 12) == gs
    assert c.err("getgroups", 2, out) == E.EINVAL
    assert c.err("setgroups", 17, c.mem.buf(bytes(68))) == E.EINVAL
    assert fs.call("__setlogin", "alice") == 0
    name = c.mem.out(16)
    assert c.ok("__getlogin", name, 16) == 0 and c.mem.get(name, 6) == b"alice\0"
    assert fs.call("__setlogin", "x" * 20) == E.EINVAL
