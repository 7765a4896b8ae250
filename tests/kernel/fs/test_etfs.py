"""`sysproxy serve -d`: host files as block, character and regular files in the kernel.

Real servers over real sockets; the host image is checked from the host side.
The last tests run one call sequence on our server and on NetBSD's rump_server
with the same spec and compare them step by step (skipped without the reference).
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from sysproxy import connect
from sysproxy.abi import errno as E
from sysproxy.abi import stat as S



from support import etfs_calls
from support.rawclient import RawClient
from support.reference import ReferenceServer, skip_reason
from support.server import ROOT, ServerProcess

MiB = 1 << 20


@pytest.fixture
def img(tmp_path: Path) -> Path:
    return tmp_path / "disk.img"


def serve(*specs: str) -> ServerProcess:
    args: list[str] = []
    for s in specs:
        args += ["-d", s]
    return ServerProcess(f"unix:///tmp/etfs-{uuid.uuid4().hex[:10]}.sock", *args)


@pytest.fixture
def servers() -> Iterator[list[ServerProcess]]:
    started: list[ServerProcess] = []
    yield started
    for s in started:
        s.stop()


def start(servers: list[ServerProcess], *specs: str) -> ServerProcess:
    s = serve(*specs)
    servers.append(s)
    return s


def test_64mib_image_written_through_the_kernel_reads_back_on_the_host(
        img: Path, servers: list[ServerProcess]) -> None:
    size = 64 * MiB
    s = start(servers, f"key=/dk,hostpath={img},size={size}")
    assert img.stat().st_size == size  # created at the given size
    h = hashlib.sha256()
    chunk = 64 * 1024
    with connect(s.url, "dd") as k:
        fd = k.open("/dk", os.O_RDWR)
        for i in range(size // chunk):
            block = (i.to_bytes(4, "little") * (chunk // 4))
            h.update(block)
            assert k.write(fd, block) == chunk
        with pytest.raises(OSError) as ei:  # whole blocks past the end (as the reference)
            k.write(fd, b"x" * chunk)
        assert ei.value.errno == E.EINVAL
        assert k.lseek(fd, 0, os.SEEK_CUR) == size + 4096  # two blocks taken (uiomove) before the error
        assert k.pwrite(fd, b"x" * 512, size) == 0  # a partial block at the end: nothing
        k.fsync(fd)
        k.lseek(fd, 0, 0)
        back = hashlib.sha256()
        while data := k.read(fd, chunk * 4):
            back.update(data)
        k.close(fd)
    assert back.hexdigest() == h.hexdigest()
    with open(img, "rb") as f:
        host = hashlib.file_digest(f, "sha256").hexdigest()
    assert host == h.hexdigest()
    assert img.stat().st_size == size


@pytest.mark.parametrize("typ", ["blk", "chr", "reg"])
def test_offset_and_region_limits_never_touch_the_rest_of_the_host_file(
        img: Path, servers: list[ServerProcess], typ: str) -> None:
    img.write_bytes(b"H" * 20000)
    s = start(servers, f"key=/dev/part,hostpath={img},size=8192,offset=4096,type={typ}")
    with connect(s.url, "t") as k:
        st = k.stat("/dev/part")
        assert st.st_size == 8192
        fd = k.open("/dev/part", os.O_RDWR)
        assert k.pwrite(fd, b"a" * 8192, 0) == 8192
        if typ == "reg":  # a regular file that cannot grow: cut short, then EFBIG
            assert k.pwrite(fd, b"b" * 1024, 7680) == 512
            with pytest.raises(OSError) as ei:
                k.pwrite(fd, b"c" * 512, 8192)
            assert ei.value.errno == E.EFBIG
        else:  # a disk: cut short at the end, nothing at the end (as rumpblk)
            assert k.pwrite(fd, b"b" * 1024, 7680) == 512
            assert k.pwrite(fd, b"c" * 512, 8192) == 0
        assert k.pread(fd, 1024, 8192) == b""
        assert k.lseek(fd, 0, os.SEEK_END) == 8192
        k.close(fd)
    data = img.read_bytes()
    assert len(data) == 20000
    assert data[:4096] == b"H" * 4096
    assert data[4096:4096 + 7680] == b"a" * 7680
    assert data[4096 + 7680:4096 + 8192] == b"b" * 512
    assert data[4096 + 8192:] == b"H" * (20000 - 4096 - 8192)


def test_types_stat_as_the_reference_shows(tmp_path: Path, servers: list[ServerProcess]) -> None:
    a, b = tmp_path / "a.img", tmp_path / "b.img"
    s = start(servers, f"key=/blk,hostpath={a},size=1m", f"key=/chr,hostpath={a},size=1m,type=chr",
              f"key=/other,hostpath={b},size=4096", f"key=/reg,hostpath={b},size=4096,type=reg")
    with connect(s.url, "t") as k:
        blk, chr_, other, reg = (k.stat(p) for p in ("/blk", "/chr", "/other", "/reg"))
    assert blk.st_mode == S.S_IFBLK | 0o755 and chr_.st_mode == S.S_IFCHR | 0o755
    assert reg.st_mode == S.S_IFREG | 0o755
    # rumpblk: major 197, one minor per host file (the same file shares it)
    assert blk.st_rdev == chr_.st_rdev == (197 << 8)
    assert other.st_rdev == (197 << 8) | 1
    assert (blk.st_size, blk.st_blocks, blk.st_blksize, blk.st_nlink) == (MiB, 1, 512, 1)
    assert reg.st_size == 4096 and reg.st_uid == 0


def test_chr_needs_whole_sectors(img: Path, servers: list[ServerProcess]) -> None:
    s = start(servers, f"key=/rdk,hostpath={img},size=65536,type=chr")
    with connect(s.url, "t") as k:
        fd = k.open("/rdk", os.O_RDWR)
        for call in (lambda: k.pwrite(fd, b"x" * 100, 0), lambda: k.pwrite(fd, b"x" * 512, 100),
                     lambda: k.pread(fd, 100, 0), lambda: k.pwrite(fd, b"x" * 512, 65536 + 512)):
            with pytest.raises(OSError) as ei:
                call()
            assert ei.value.errno == E.EINVAL
        assert k.pwrite(fd, b"y" * 1024, 512) == 1024
        assert k.pread(fd, 512, 1024) == b"y" * 512
        k.close(fd)


def test_size_host_serves_an_existing_file(img: Path, servers: list[ServerProcess]) -> None:
    content = os.urandom(3 * 4096)
    img.write_bytes(content)
    s = start(servers, f"key=/dk,hostpath={img},size=host")
    with connect(s.url, "t") as k:
        assert k.stat("/dk").st_size == len(content)
        fd = k.open("/dk", os.O_RDONLY)
        assert k.read(fd, 1 << 20) == content
        with pytest.raises(OSError) as ei:
            k.write(fd, b"z" * 512)
        assert ei.value.errno == E.EBADF
        k.close(fd)
    assert img.read_bytes() == content


@pytest.mark.parametrize("spec,message", [
    ("key=/dk,hostpath={img}", "incomplete drivespec"),
    ("key=/dk,size=1m", "incomplete drivespec"),
    ("key=/dk,hostpath={img},size=1m,type=tape", "invalid type tape"),
    ("key=/dk,hostpath={img},size=1m,colour=red", "invalid dtoken"),
    ("key=/dk,key=/dk2,hostpath={img},size=1m", "key already given"),
    ("key=/dk,hostpath={img},size=host,offset=512", "cannot specify offset with size=host"),
    ("key=/dk,hostpath={img},size=lots", "invalid number"),
    ("key=/dk,hostpath={missing},size=host", "No such file or directory"),
    ("key=/dk,hostpath={empty},size=host", "size=host, but cannot query non-zero size"),
    ("key=dk,hostpath={img},size=1m", "EINVAL"),
])
def test_bad_specs_stop_the_server_with_a_message(tmp_path: Path, spec: str, message: str) -> None:
    (tmp_path / "empty").write_bytes(b"")
    text = spec.format(img=tmp_path / "x.img", missing=tmp_path / "nope", empty=tmp_path / "empty")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    r = subprocess.run([sys.executable, "-m", "sysproxy", "serve", "-d", text,
                        f"unix:///tmp/etfs-bad-{uuid.uuid4().hex[:8]}.sock"],
                       capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 2
    assert message in r.stderr
    assert "listening" not in r.stdout


def test_a_taken_key_is_refused(img: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    r = subprocess.run([sys.executable, "-m", "sysproxy", "serve", "-d",
                        f"key=/dk,hostpath={img},size=4096", "-d", f"key=/dk,hostpath={img}2,size=4096",
                        f"unix:///tmp/etfs-bad-{uuid.uuid4().hex[:8]}.sock"],
                       capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 2 and "EEXIST" in r.stderr


# -- the same calls on NetBSD's rump_server -----------------------------------------

ETFS_LIBS = ("-lrumpvfs", "-lrumpdev")  # what `rump_server -d` needs, no more


def _run_reference(spec: str, key: str, size: int) -> list[etfs_calls.Step]:
    with ReferenceServer("-d", spec, libs=ETFS_LIBS) as ref, RawClient(ref.url) as c:
        return etfs_calls.sequence(c, key, size)


def _run_ours(servers: list[ServerProcess], spec: str, key: str, size: int) -> list[etfs_calls.Step]:
    s = start(servers, spec)
    with RawClient(s.url) as c:
        return etfs_calls.sequence(c, key, size)


# Where ours differs on purpose: a reg drive stays inside its region (the reference
# reads and writes the host file past it, and grows it).
def reg_diverges(step: str) -> bool:
    """A step whose range reaches past the region's end."""
    return "@end" in step and not step.endswith("512@end-512")


@pytest.mark.parametrize("typ,size,offset", [("blk", 65536, 0), ("chr", 65536, 0),
                                              ("blk", 1 << 20, 8192), ("reg", 1 << 20, 4096)])
def test_same_results_as_the_reference(tmp_path: Path, servers: list[ServerProcess],
                                       typ: str, size: int, offset: int) -> None:
    why = skip_reason()
    if why:
        pytest.skip(why)
    results = []
    images = []
    for who in ("ref", "ours"):
        img = tmp_path / f"{who}.img"
        spec = f"key=/dk,hostpath={img},size={size},offset={offset},type={typ}"
        run = _run_reference if who == "ref" else lambda *a: _run_ours(servers, *a)
        results.append(run(spec, "/dk", size))
        images.append(img.read_bytes()[:offset + size])
    ref, ours = results
    assert [r[0] for r in ref] == [o[0] for o in ours]
    for r, o in zip(ref, ours, strict=True):
        if not (typ == "reg" and reg_diverges(r[0])):
            assert r == o, f"{typ} {r[0]}: reference {r[1:]} ours {o[1:]}"
    if typ != "reg":
        assert images[0] == images[1]  # the same bytes reached the host file


def test_blk_opens_once_and_keys_cannot_be_unlinked(img: Path, servers: list[ServerProcess]) -> None:
    s = start(servers, f"key=/dk,hostpath={img},size=65536",
              f"key=/rdk,hostpath={img},size=65536,type=chr")
    with connect(s.url, "t") as k:
        fd = k.open("/dk", os.O_RDWR)
        with pytest.raises(OSError) as ei:
            k.open("/dk", os.O_RDONLY)  # spec_open: one open of a block device
        assert ei.value.errno == E.EBUSY
        raw = k.open("/rdk", os.O_RDONLY)  # the raw device of the same disk: any number
        k.close(raw)
        k.close(fd)
        k.close(k.open("/dk", os.O_RDONLY))  # free again after the last close
        with pytest.raises(OSError) as ei:
            k.unlink("/dk")
        assert ei.value.errno == E.ENOENT
        assert k.stat("/dk").st_size == 65536


def _dd(url: str, size: int) -> list[object]:
    """dd-like: 64 KiB writes over the whole device and one past it, fsync, read back."""
    chunk = 64 * 1024
    seen: list[object] = []
    with connect(url, "dd") as k:
        fd = k.open("/dk", os.O_RDWR)
        seen.append(sum(k.write(fd, i.to_bytes(4, "little") * (chunk // 4))
                        for i in range(size // chunk)))
        for n in (chunk, 512):
            try:
                seen.append(k.write(fd, b"x" * n))
            except OSError as e:
                seen.append(e.errno)
            seen.append(k.lseek(fd, 0, os.SEEK_CUR))
        k.fsync(fd)
        seen.append(k.lseek(fd, 0, os.SEEK_SET))
        h = hashlib.sha256()
        while data := k.read(fd, chunk):
            h.update(data)
        seen.append(h.hexdigest())
        k.close(fd)
    return seen


def test_64mib_dd_gives_the_same_results_and_image_on_the_reference(
        tmp_path: Path, servers: list[ServerProcess]) -> None:
    why = skip_reason()
    if why:
        pytest.skip(why)
    size = 64 * MiB
    ours_img, ref_img = tmp_path / "ours.img", tmp_path / "ref.img"
    s = start(servers, f"key=/dk,hostpath={ours_img},size={size}")
    ours = _dd(s.url, size)
    with ReferenceServer("-d", f"key=/dk,hostpath={ref_img},size={size}", libs=ETFS_LIBS) as r:
        ref = _dd(r.url, size)
    assert ours == ref
    assert ours_img.stat().st_size == ref_img.stat().st_size == size
    with open(ours_img, "rb") as a, open(ref_img, "rb") as b:
        assert hashlib.file_digest(a, "sha256").digest() == hashlib.file_digest(b, "sha256").digest()


def test_drives_and_state_together(tmp_path: Path, img: Path) -> None:
    """With --state the drive is attached after the saved tree is restored, and the
    state keeps no copy of it: its data is the host file's, and the key is free again
    when the next server attaches the same spec."""
    state = str(tmp_path / "kernel.state")
    spec = f"key=/dk,hostpath={img},size={MiB},type=reg"
    for round_ in range(2):
        s = ServerProcess(f"unix:///tmp/etfs-{uuid.uuid4().hex[:10]}.sock",
                          "--state", state, "-d", spec)
        try:
            with connect(s.url, "t") as k:
                if round_ == 0:
                    k.mkdir("/kept", 0o755)
                    fd = k.open("/dk", os.O_WRONLY)
                    k.write(fd, b"on the host")
                    k.close(fd)
                else:
                    assert k.stat("/kept").st_mode & 0o777 == 0o755
                    fd = k.open("/dk", os.O_RDONLY)
                    assert k.read(fd, 11) == b"on the host"
                    k.close(fd)
                assert k.stat("/dk").st_size == MiB
        finally:
            assert s.stop() == 0
    assert img.read_bytes()[:11] == b"on the host"
