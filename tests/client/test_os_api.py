"""The os-like API, file objects and KPath against an in-memory fake file system."""
from __future__ import annotations

import errno
import io
import os
import stat

import pytest

from sysproxy.client import KernelError, connect

from .fakefs import FakeFS


@pytest.fixture
def k(fake):
    fs = fake.handler = FakeFS()
    kk = connect(fake.url, "os-api")
    yield kk
    kk.disconnect()
    assert not fs.fds, f"descriptors left open: {fs.fds}"


def test_open_write_read_seek(k):
    fd = k.open("/f", os.O_CREAT | os.O_RDWR, 0o644)
    assert fd == 3
    assert k.write(fd, b"hello world") == 11
    assert k.lseek(fd, -5, os.SEEK_END) == 6
    assert k.read(fd, 100) == b"world"
    assert k.pwrite(fd, b"J", 0) == 1 and k.pread(fd, 5, 0) == b"Jello"
    assert k.lseek(fd, 0, os.SEEK_CUR) == 11
    k.ftruncate(fd, 4)
    st = k.fstat(fd)
    assert stat.S_ISREG(st.st_mode) and st.st_size == 4 and st.st_blksize == 4096
    assert st.st_mtime == 1234567890 and st.st_atime_ns == 1_500_000_000
    k.close(fd)
    with pytest.raises(OSError) as ei:
        k.close(fd)
    assert ei.value.errno == errno.EBADF


def test_paths_and_errors(k):
    k.mkdir("/d")
    with pytest.raises(FileExistsError) as ei:
        k.mkdir("/d")
    assert ei.value.filename == "/d" and isinstance(ei.value, KernelError)
    with pytest.raises(FileNotFoundError):
        k.stat("/nope")
    assert not k.exists("/nope") and k.isdir("/d") and not k.isfile("/d")
    k.close(k.open("/d/x", os.O_CREAT | os.O_WRONLY, 0o600))
    with pytest.raises(OSError) as ei:
        k.rmdir("/d")
    assert ei.value.errno == errno.ENOTEMPTY and ei.value.netbsd_errno == 66
    k.rename("/d/x", "/d/y")
    assert k.listdir("/d") == ["y"]
    k.unlink("/d/y")
    k.rmdir("/d")
    assert k.listdir("/") == []
    with pytest.raises(ValueError):
        k.stat("/a\0b")


def test_listdir_scandir_walk(k):
    k.makedirs("/a/b/c")
    k.makedirs("/a/b", exist_ok=True)
    for p in ("/a/f1", "/a/b/f2", "/a/b/c/f3"):
        k.close(k.open(p, os.O_CREAT | os.O_WRONLY, 0o644))
    assert k.listdir("/a") == ["b", "f1"]
    assert k.listdir(b"/a") == [b"b", b"f1"]
    with k.scandir("/a") as it:
        ents = list(it)
    assert [(e.name, e.is_dir(), e.is_file(), e.is_symlink()) for e in ents] == \
        [("b", True, False, False), ("f1", False, True, False)]
    assert ents[1].path == "/a/f1" and ents[1].stat().st_size == 0
    assert list(k.walk("/a")) == [("/a", ["b"], ["f1"]), ("/a/b", ["c"], ["f2"]),
                                  ("/a/b/c", [], ["f3"])]
    assert [d for d, _, _ in k.walk("/a", topdown=False)] == ["/a/b/c", "/a/b", "/a"]
    errs = []
    assert list(k.walk("/missing", onerror=errs.append)) == [] and len(errs) == 1
    for i in range(200):  # more entries than one getdents buffer holds
        k.close(k.open(f"/a/many{i:03d}", os.O_CREAT | os.O_WRONLY, 0o644))
    assert len(k.listdir("/a")) == 202


def test_file_objects(k):
    with k.open_file("/t.txt", "w", encoding="utf-8") as f:
        assert isinstance(f, io.TextIOWrapper)
        f.write("ünï\nline 2\n")
    with k.open_file("/t.txt", encoding="utf-8") as f:
        assert f.readline() == "ünï\n" and f.read() == "line 2\n"
    with k.open_file("/t.txt", "ab") as f:
        f.write(b"tail")
    with k.open_file("/t.txt", "rb") as f:
        assert isinstance(f, io.BufferedReader)
        assert f.read().endswith(b"line 2\ntail")
        f.seek(0)
        assert f.read(3) == "ünï".encode()[:3]
    with k.open_file("/t.txt", "r+b") as f:
        assert isinstance(f, io.BufferedRandom)
        f.write(b"AB")
        f.seek(0)
        assert f.read(2) == b"AB"
        f.truncate(2)
    assert k.stat("/t.txt").st_size == 2
    with k.open_file("/t.txt", "rb", buffering=0) as raw:
        assert raw.readall() == b"AB" and raw.kernel_fd >= 3
        with pytest.raises(io.UnsupportedOperation):
            raw.fileno()
        with pytest.raises(io.UnsupportedOperation):
            raw.write(b"x")
    with pytest.raises(FileExistsError):
        k.open_file("/t.txt", "x")
    with pytest.raises(ValueError):
        k.open_file("/t.txt", "rw")
    with pytest.raises(ValueError):
        k.open_file("/t.txt", "r", buffering=0)
    big = os.urandom(200_000)
    with k.open_file("/big", "wb") as f:
        f.write(big)
    with k.open_file("/big", "rb") as f:
        assert f.read() == big


def test_kpath(k):
    root = k.path("/")
    d = root / "dir"
    d.mkdir()
    d.mkdir(exist_ok=True)
    f = d / "x.txt"
    f.write_text("content")
    assert f.read_text() == "content" and f.exists() and f.is_file()
    assert [p.name for p in d.iterdir()] == ["x.txt"]
    (d / "e" / "f").mkdir(parents=True)
    g = f.rename("/dir/y.txt")
    assert g.read_bytes() == b"content" and not f.exists()
    g.unlink()
    g.unlink(missing_ok=True)
    (d / "t").touch()
    with pytest.raises(FileExistsError):
        (d / "t").touch(exist_ok=False)


def test_flag_translation(k, fake):
    k.close(k.open("/g", os.O_CREAT | os.O_WRONLY | os.O_TRUNC | os.O_APPEND, 0o640))
    call = [f for f in fake.conns[0].received if f.type == 1 and f.union == 5][-1]
    path, flags, mode = (int.from_bytes(call.body[i:i + 8], "little") for i in (0, 8, 16))
    assert flags == 0x1 | 0x200 | 0x400 | 0x8 and mode == 0o640
    with pytest.raises(ValueError):
        k.open("/g", 1 << 30)
