"""A removed directory takes no new names: create, link and rename into it are ENOENT
(NetBSD tmpfs: tmpfs_construct_node refuses a directory with no links)."""
from __future__ import annotations

from support.rawclient import RawClient

ENOENT = 2
O_CREAT, O_RDWR = 0x200, 0x2


def test_names_in_a_removed_directory(client: RawClient) -> None:
    m = client.mem
    client.ok("mkdir", m.str("/tmp/gone"), 0o755)
    fd = client.ok("open", m.str("/tmp/keep"), O_CREAT | O_RDWR, 0o644)
    client.ok("chdir", m.str("/tmp/gone"))
    client.ok("rmdir", m.str("/tmp/gone"))
    assert client.err("open", m.str("new"), O_CREAT | O_RDWR, 0o644) == ENOENT
    assert client.err("mkdir", m.str("sub"), 0o755) == ENOENT
    assert client.err("link", m.str("/tmp/keep"), m.str("hard")) == ENOENT
    assert client.err("rename", m.str("/tmp/keep"), m.str("moved")) == ENOENT
    assert client.err("symlink", m.str("/tmp/keep"), m.str("sl")) == ENOENT
    client.ok("close", fd)
    client.ok("chdir", m.str("/"))
    client.ok("unlink", m.str("/tmp/keep"))  # the failed rename moved nothing
