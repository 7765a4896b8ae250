#!/usr/bin/env python3
"""Soak: a million hostile frames at a fresh `sysproxy serve`, then proof it is intact.

Not a test (a short run of it is: tests/benchmarks/test_soak.py). It starts its
own server on a unix socket, runs a warm-up, measures the baseline, then keeps
``--conns`` connections busy at once until ``--frames`` frames were sent and
``--killed`` clients were killed while blocked in a call, with a random mix of:

* burst     valid calls pipelined (getpid, getuid, clock_gettime, fstat...);
* junk      random bytes, right after the banner;
* mutated   a recorded conversation of ../shared/vectors (c2s side) with bits
            flipped, header fields replaced, frames dropped, duplicated, swapped,
            cut short; the server's copy requests get random answers;
* lying     frame lengths below 24, beyond the maximum, or longer than what is
            sent before the client goes (truncated frames), and large frames;
* order     handshakes out of order: calls, PREFORK, EXEC before GUEST; GUEST
            twice; FORK with a made-up cookie; replies nobody asked for;
* vanish    a client gone mid-copy (a COPYIN/COPYINSTR unanswered) or mid-fork
            (before the PREFORK reply, between PREFORK and FORK, a child gone
            before its FORK reply or mid-copy, a prefork never claimed);
* killed    GUEST, pipe2, then read() on the empty pipe or nanosleep(1000 s):
            once the call is surely blocked the connection is dropped with no
            goodbye, which is exactly what the server sees when a client process
            is SIGKILLed (its host kernel closes the socket); ``--real-kills``
            more are real client processes (the project's Python client) blocked
            in read() and killed with SIGKILL.

Frames are counted as sent: each frame of a burst or a conversation, each junk
write, each lying header. Afterwards it checks, and prints with frames/s:

* the server still answers (a new client's getpid);
* the process table is back to pid 1 (kern.proc2; the checker's own process is
  the only other one; unclaimed preforks expire after ``--prefork-ttl``);
* the server's open descriptors (/proc/PID/fd) are back to the baseline;
* its RSS (/proc/PID/status VmRSS) is within ``--rss-tolerance`` (10 %) of the
  baseline. Both baselines are taken after the warm-up (the same mix, 10 % of
  the frames and kills: the allocator's high-water mark is reached there, e.g.
  glibc raises its mmap threshold after the first large frames are freed) and
  after removing the files the clients left in /soak: file data is the
  clients' (bounded by the memory limits), a leak is the server's;
* the server's log has no traceback.

Exit status 0 when every figure passes. Run from the repository root:

    python3 benchmarks/soak.py                       # 1,000,000 frames, 128 conns, 10,000 kills
    python3 benchmarks/soak.py --frames 20000 --killed 200 --real-kills 2   # a short run
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sysproxy import wire  # noqa: E402
from sysproxy.abi.syscalls import BY_NAME  # noqa: E402

VECTORS = ROOT.parent / "shared" / "vectors"
HDR = wire.HEADER
N = BY_NAME
# Calls the mutations must not reach: they would end or reshape the whole kernel
# for everyone (halting it is every root client's right; the soak wants it running).
DENY = {N["reboot"], N["unmount"], N["__mount50"], N["__sysctl"]}
# What a COPYINSTR is answered with: paths of a bounded set, so the file system the
# clients can reach stays small (every name under /soak is removed before measuring).
PATHS = [b"/soak/a", b"/soak/b", b"/soak/d", b"/soak/d/x", b"/soak/fifo", b"/soak/s",
         b"/dev/null", b"/nonexistent/x", b"/soak", b"", b"/soak/" + b"n" * 300]
GUEST = wire.handshake_request(1, wire.HANDSHAKE_GUEST, wire.guest_body("soak"))
MAX_COPY = 1 << 20


def args8(*vals: int) -> bytes:
    return b"".join(struct.pack("<Q", v & 0xFFFFFFFFFFFFFFFF) for v in vals)


def call(reqno: int, name: str, *vals: int) -> bytes:
    return wire.syscall_request(reqno, N[name], args8(*vals))


# -- the recorded conversations ----------------------------------------------------
def load_conversations(vectors: Path) -> list[list[bytes]]:
    """The c2s frames of each recorded connection (halt's reboot left out)."""
    convs: list[list[bytes]] = []
    for path in sorted(vectors.glob("*.jsonl")):
        if path.name == "halt.jsonl":
            continue
        by_conn: dict[int, list[bytes]] = {}
        for line in path.read_text().splitlines():
            o = json.loads(line)
            if o.get("dir") == "c2s" and o.get("kind") == "frame":
                by_conn.setdefault(o.get("conn", 0), []).append(bytes.fromhex(o["hex"]))
        convs.extend(c for c in by_conn.values() if c)
    return convs


def defang(frame: bytes) -> bytes:
    """A SYSCALL frame calling a denied number calls getpid instead."""
    if len(frame) >= 24:
        _, _, cls, typ, union = HDR.unpack_from(frame)
        if cls == wire.REQ and typ in (wire.SYSCALL, wire.SYSCALL_INLINE) and union in DENY:
            return frame[:20] + struct.pack("<I", N["getpid"]) + frame[24:]
    return frame


def mutate(rng: random.Random, conv: list[bytes]) -> list[bytes]:
    frames = list(conv)
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(frames))
        f = bytearray(frames[i])
        op = rng.randrange(9)
        if op == 0 and f:                       # flip bits
            for _ in range(rng.randint(1, 8)):
                j = rng.randrange(len(f))
                f[j] ^= 1 << rng.randrange(8)
        elif op == 1 and len(f) >= 24:          # another class/type/union
            struct.pack_into("<HHI", f, 16, rng.randrange(4), rng.randrange(11),
                             rng.choice([0, 1, 2, 3, rng.randrange(1 << 32),
                                         rng.randrange(512)]))
        elif op == 2 and len(f) >= 24:          # another reqno
            struct.pack_into("<Q", f, 8, rng.randrange(1 << 64))
        elif op == 3 and len(f) > 24:           # random argument bytes
            j = rng.randrange(24, len(f))
            f[j:j + 8] = os.urandom(min(8, len(f) - j))
        elif op == 4:                           # drop a frame
            del frames[i]
            if not frames:
                return [bytes(f)]
            continue
        elif op == 5:                           # duplicate
            frames.insert(i, bytes(f))
        elif op == 6 and len(frames) > 1:       # swap two
            j = rng.randrange(len(frames))
            frames[i], frames[j] = frames[j], frames[i]
            continue
        elif op == 7 and len(f) >= 24:          # a length that lies a little
            struct.pack_into("<Q", f, 0, max(0, len(f) + rng.randint(-30, 30)))
        else:                                   # cut the conversation short here
            frames = frames[:i] + [bytes(f[:rng.randrange(len(f) + 1)])]
            break
        frames[i] = bytes(f)
    return [defang(f) for f in frames]


# -- one client connection -----------------------------------------------------------
class Peer:
    """A non-blocking client socket driven by the event loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop, path: str) -> None:
        self.loop = loop
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.setblocking(False)
        self.dec = wire.Decoder(1 << 30)
        self.frames: list[wire.Frame] = []
        self.eof = False
        self.closed = False

    async def connect(self, banner: bool = True) -> None:
        await self.loop.sock_connect(self.sock, self.path)
        if banner:
            got = b""
            while not got.endswith(b"\n"):
                data = await self.recv_raw(96)
                if not data:
                    raise ConnectionError("no banner")
                got += data

    async def recv_raw(self, n: int = 65536) -> bytes:
        try:
            data = await self.loop.sock_recv(self.sock, n)
        except OSError:
            data = b""
        if not data:
            self.eof = True
        return data

    async def send(self, data: bytes) -> bool:
        try:
            await self.loop.sock_sendall(self.sock, data)
            return True
        except OSError:
            self.eof = True
            return False

    async def next_frame(self, timeout: float = 5.0) -> wire.Frame | None:
        """The next frame from the server, None at EOF, on garbage or after ``timeout``."""
        deadline = self.loop.time() + timeout
        while not self.frames:
            if self.eof:
                return None
            left = deadline - self.loop.time()
            if left <= 0:
                return None
            try:
                data = await asyncio.wait_for(self.recv_raw(), left)
            except TimeoutError:
                return None
            if not data:
                return None
            try:
                self.frames.extend(self.dec.feed(data))
            except wire.ProtocolError:
                self.eof = True
                return None
        return self.frames.pop(0)

    async def reply_to(self, reqno: int, timeout: float = 5.0,
                       serve: Callable[[wire.Frame], bytes | None] | None = None
                       ) -> wire.Frame | None:
        """Read until the answer to ``reqno``; server requests on the way go to ``serve``."""
        while True:
            f = await self.next_frame(timeout)
            if f is None:
                return None
            if f.cls == wire.REQ:
                if serve is not None:
                    out = serve(f)
                    if out:
                        await self.send(out)
                continue
            if f.reqno == reqno:
                return f

    def close(self) -> None:
        self.sock.close()


def random_answer(rng: random.Random, f: wire.Frame) -> bytes | None:
    """An answer to a server request that is well formed but arbitrary."""
    if f.type in (wire.COPYIN, wire.COPYINSTR) and len(f.body) >= 16:
        n, _ = wire.parse_copy_request(f.body)
        if rng.random() < 0.1 or n > MAX_COPY:
            return wire.error_frame(f.reqno, wire.ERR_MALFORMED_REQUEST)
        if f.type == wire.COPYINSTR:
            return wire.copy_response(f.reqno, (rng.choice(PATHS) + b"\0")[:n])
        return wire.copy_response(f.reqno, os.urandom(n) if n <= 4096 else bytes(n))
    if f.type == wire.ANONMMAP:
        return wire.anonmmap_response(f.reqno, rng.choice([0, 0x7F0000000000]))
    return None


# -- the scenarios ----------------------------------------------------------------
class Soak:
    def __init__(self, path: str, rng: random.Random, convs: list[list[bytes]]) -> None:
        self.path = path
        self.rng = rng
        self.convs = convs
        self.frames = 0
        self.killed = 0
        self.done: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()
        self.open_now = 0
        self.open_peak = 0

    async def peer(self, banner: bool = True) -> Peer:
        p = Peer(asyncio.get_running_loop(), self.path)
        self.open_now += 1
        self.open_peak = max(self.open_peak, self.open_now)
        try:
            await p.connect(banner)
        except BaseException:
            self.drop(p)
            raise
        return p

    def drop(self, p: Peer) -> None:
        if not p.closed:
            p.close()
            self.open_now -= 1

    async def guest(self) -> Peer | None:
        p = await self.peer()
        self.frames += 1
        if not await p.send(GUEST) or await p.reply_to(1) is None:
            self.drop(p)
            return None
        return p

    async def burst(self) -> None:
        p = await self.guest()
        if p is None:
            return
        rng = self.rng
        k = rng.randint(50, 400)
        reqs = []
        for r in range(2, k + 2):
            x = rng.random()
            if x < 0.7:
                reqs.append(call(r, "getpid"))
            elif x < 0.8:
                reqs.append(call(r, "getuid"))
            elif x < 0.9:
                reqs.append(call(r, "__clock_gettime50", 0, 0x10000))
            else:
                reqs.append(call(r, "__fstat50", rng.randrange(5), 0x20000))
        if await p.send(b"".join(reqs)):
            self.frames += k
            for r in range(2, k + 2):
                if await p.reply_to(r) is None:
                    self.errors["burst reply missing"] += 1
                    break
        self.drop(p)

    async def junk(self) -> None:
        p = await self.peer()
        for _ in range(self.rng.randint(1, 3)):
            if not await p.send(os.urandom(self.rng.randint(1, 4096))):
                break
            self.frames += 1
        await p.next_frame(0.05)
        self.drop(p)

    async def mutated(self) -> None:
        p = await self.peer()
        rng = self.rng
        frames = mutate(rng, rng.choice(self.convs))
        data = b"".join(frames)
        self.frames += len(frames)
        cuts = sorted(rng.sample(range(len(data) + 1), min(len(data) + 1, rng.randint(0, 3))))
        prev = 0
        for c in [*cuts, len(data)]:
            if c > prev and not await p.send(data[prev:c]):
                break
            prev = c
        deadline = p.loop.time() + 0.3
        while not p.eof and p.loop.time() < deadline:
            f = await p.next_frame(0.05)
            if f is None:
                break
            if f.cls == wire.REQ:
                out = random_answer(rng, f)
                if out:
                    await p.send(out)
        self.drop(p)

    async def lying(self, kind: int | None = None, biggest: bool = False) -> None:
        rng = self.rng
        p = await self.guest() if rng.random() < 0.7 else await self.peer()
        if p is None:
            return
        if kind is None:
            kind = rng.randrange(5)
        if kind == 0:    # shorter than a header
            hdr = HDR.pack(rng.randrange(24), 2, 0, 1, 20)
            await p.send(hdr)
        elif kind == 1:  # beyond any maximum
            hdr = HDR.pack(rng.choice([1 << 40, (1 << 64) - 1, wire.DEFAULT_MAX_FRAME + 1]),
                           2, 0, 1, 20)
            await p.send(hdr + os.urandom(rng.randrange(64)))
        elif kind == 2:  # promises more than it sends, then goes
            n = 1 << 20 if biggest else rng.randint(25, 1 << 20)
            sent = n - 25 if biggest else rng.randrange(n - 24)
            await p.send(HDR.pack(n, 2, 0, 1, N["write"]) + os.urandom(sent))
        elif kind == 3:  # a large well-formed call: arguments far longer than declared
            body = bytes(300000 if biggest else rng.choice([4096, 65536, 300000]))
            await p.send(wire.syscall_request(2, N["getpid"], body))
            await p.reply_to(2, 1.0)
        else:            # a frame cut inside its header
            f = call(2, "getpid")
            await p.send(f[:rng.randrange(1, 24)])
        self.frames += 1
        if rng.random() < 0.5:
            await p.next_frame(0.05)
        self.drop(p)

    async def order(self) -> None:
        rng = self.rng
        p = await self.peer()
        seq = []
        for _ in range(rng.randint(1, 4)):
            k = rng.randrange(10)
            r = rng.randrange(1, 100)
            if k == 0:
                seq.append(call(r, "getpid"))
            elif k == 1:
                seq.append(wire.prefork_request(r))
            elif k == 2:
                seq.append(wire.handshake_request(r, wire.HANDSHAKE_EXEC, b"x\0"))
            elif k == 3:
                seq.append(GUEST)
            elif k == 4:
                seq.append(wire.handshake_request(r, wire.HANDSHAKE_FORK,
                                                  wire.fork_body(os.urandom(16),
                                                                 rng.random() < 0.5)))
            elif k == 5:
                seq.append(wire.handshake_request(r, wire.HANDSHAKE_AUTH, os.urandom(8)))
            elif k == 6:
                seq.append(wire.copy_response(r, os.urandom(rng.randrange(64))))
            elif k == 7:
                seq.append(wire.error_frame(r, rng.randrange(10)))
            elif k == 8:
                seq.append(wire.frame(r, wire.REQ, rng.choice([wire.COPYIN, wire.RAISE,
                                                               wire.ANONMMAP, 99]),
                                      rng.randrange(1 << 32), os.urandom(rng.randrange(32))))
            else:
                seq.append(wire.handshake_request(r, rng.randrange(4, 1 << 16), b"y\0"))
        self.frames += len(seq)
        await p.send(b"".join(seq))
        await p.next_frame(0.05)
        self.drop(p)

    async def vanish_copy(self) -> None:
        p = await self.guest()
        if p is None:
            return
        rng = self.rng
        r = 2
        req = rng.choice([call(r, "__stat50", 0x1000, 0x2000), call(r, "open", 0x1000, 0, 0),
                          call(r, "write", 1, 0x1000, rng.choice([1, 4096, 1 << 20])),
                          call(r, "__nanosleep50", 0x1000, 0)])
        self.frames += 1
        await p.send(req)
        if rng.random() < 0.8:
            await p.next_frame(1.0)  # the copy request: then vanish without answering
        self.drop(p)

    async def vanish_fork(self) -> None:
        p = await self.guest()
        if p is None:
            return
        rng = self.rng
        self.frames += 1
        await p.send(wire.prefork_request(2))
        kind = rng.randrange(5)
        if kind == 0:  # gone before the PREFORK reply
            self.drop(p)
            return
        f = await p.reply_to(2)
        if f is None or f.cls != wire.RESP:
            self.drop(p)
            return
        cookie = f.body
        if rng.random() < 0.7:
            self.drop(p)  # daemon(3): the parent goes first
        if kind == 1:  # a prefork never claimed: it expires
            self.drop(p)
            return
        c = await self.peer()
        self.frames += 1
        await c.send(wire.handshake_request(1, wire.HANDSHAKE_FORK,
                                            wire.fork_body(cookie, kind == 2)))
        if kind == 3:  # the child is gone before its FORK reply
            self.drop(c)
        elif kind == 4:  # the child is gone mid-copy
            if await c.reply_to(1) is not None:
                self.frames += 1
                await c.send(call(2, "open", 0x1000, 0, 0))
                await c.next_frame(1.0)
            self.drop(c)
        else:
            await c.next_frame(0.1)
            self.drop(c)
        self.drop(p)

    async def kill_blocked(self) -> None:
        p = await self.guest()
        if p is None:
            return
        if self.rng.random() < 0.7:  # read() on an empty pipe: descriptors 3 and 4
            reqs = call(2, "pipe2", 0x1000, 0) + call(3, "read", 3, 0x2000, 1)
            self.frames += 2
            await p.send(reqs)
            ok = await p.reply_to(2) is not None
        else:  # nanosleep(1000 s): the timespec is copied in, then it sleeps
            self.frames += 3
            await p.send(call(2, "__nanosleep50", 0x1000, 0))
            f = await p.next_frame()
            ok = f is not None and f.type == wire.COPYIN
            if ok:
                assert f is not None
                await p.send(wire.copy_response(f.reqno, struct.pack("<qq", 1000, 0)))
                # a call on the same process after it: once answered, the sleep began
                await p.send(call(3, "getpid"))
                ok = await p.reply_to(3) is not None
        if ok:
            self.killed += 1
        else:
            self.errors["kill setup failed"] += 1
        self.drop(p)  # killed: the socket vanishes with the call blocked

    SCENARIOS: list[tuple[str, float]] = [
        ("burst", 0.22), ("junk", 0.12), ("mutated", 0.22), ("lying", 0.12),
        ("order", 0.12), ("vanish_copy", 0.1), ("vanish_fork", 0.1)]

    async def worker(self, frames: int, killed: int) -> None:
        names = [n for n, _ in self.SCENARIOS]
        weights = [w for _, w in self.SCENARIOS]
        while self.frames < frames or self.killed < killed:
            if self.killed < killed and (self.frames >= frames or self.rng.random() < 0.25):
                name = "kill_blocked"
            else:
                name = self.rng.choices(names, weights)[0]
            fn: Callable[[], Coroutine[Any, Any, None]] = getattr(self, name)
            try:
                await fn()
                self.done[name] += 1
            except (ConnectionError, OSError) as e:
                self.errors[f"{name}: {type(e).__name__}"] += 1
                await asyncio.sleep(0.01)

    async def run(self, conns: int, frames: int, killed: int) -> None:
        await asyncio.gather(*(self.worker(frames, killed) for _ in range(conns)))

    async def prime(self, conns: int) -> None:
        """The warm-up's first part: the largest frames, many at once, so that the
        allocator's high-water mark (glibc raises its mmap threshold once a large
        buffer was freed) is reached before the baseline, not during the run."""
        for _ in range(3):
            await asyncio.gather(*(self.lying(kind, biggest=True)
                                   for kind in (2, 3) for _ in range(conns // 2)))


async def real_kills(url: str, n: int, results: Counter[str]) -> None:
    """``n`` real client processes blocked in read() and SIGKILLed, a few at a time."""
    code = ("import sys, sysproxy\n"
            "k = sysproxy.connect(sys.argv[1])\n"
            "r, w = k.pipe()\n"
            "print('blocking', flush=True)\n"
            "k.read(r, 1)\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT))

    async def one() -> None:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-c", code, url, stdout=asyncio.subprocess.PIPE, env=env)
        assert proc.stdout is not None
        line = await proc.stdout.readline()
        await asyncio.sleep(0.05)  # the read() is sent by now and blocked in the kernel
        proc.send_signal(signal.SIGKILL)
        await proc.wait()
        results["real kills" if line.startswith(b"blocking") else "real kill setup failed"] += 1

    for i in range(0, n, 4):
        await asyncio.gather(*(one() for _ in range(min(4, n - i))))


# -- measuring the server ------------------------------------------------------------
def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def nfds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def kernel_pids(url: str) -> tuple[list[int], int]:
    """Every pid in kern.proc2, and the checker's own pid (a new connection)."""
    import sysproxy
    from sysproxy.abi import kinfo as K
    from sysproxy.abi import sysctl as S
    k = sysproxy.connect(url)
    try:
        me = k.getpid()
        esize = K.KINFO_PROC2_SIZE
        base = [S.CTL_KERN, S.KERN_PROC2, S.KERN_PROC_ALL, 0, esize]
        for _ in range(8):
            count = k.sysctl_size(base + [0]) // esize
            try:
                raw = k.sysctl(base + [count + 8], oldlen=(count + 8) * esize) or b""
            except OSError:
                continue
            pids = [K.unpack_kinfo_proc2(raw[i:i + esize])["p_pid"]
                    for i in range(0, len(raw), esize)]
            return sorted(pids), me
        raise RuntimeError("kern.proc2 kept changing")
    finally:
        k.disconnect()


def settle(url: str, wait: float) -> tuple[list[int], int]:
    """Wait (up to ``wait`` s) for the process table to hold only pid 1 and the checker."""
    deadline = time.monotonic() + wait
    while True:
        pids, me = kernel_pids(url)
        if pids == sorted({1, me}) or time.monotonic() > deadline:
            return pids, me
        time.sleep(0.5)


def clean_soak_dir(url: str) -> None:
    """Remove what the clients made under /soak (and make it again, empty)."""
    import sysproxy
    k = sysproxy.connect(url)
    try:
        def rm(path: str) -> None:
            try:
                st = k.lstat(path)
            except OSError:
                return
            import stat as S
            if S.S_ISDIR(st.st_mode):
                for name in k.listdir(path):
                    rm(f"{path}/{name}")
                if path != "/soak":
                    k.rmdir(path)
            else:
                k.unlink(path)
        k.chmod("/soak", 0o777) if _exists(k, "/soak") else k.mkdir("/soak", 0o777)
        rm("/soak")
    finally:
        k.disconnect()


def _exists(k: Any, path: str) -> bool:
    try:
        k.lstat(path)
        return True
    except OSError:
        return False


def server_answers(url: str) -> bool:
    import sysproxy
    try:
        k = sysproxy.connect(url)
        try:
            return k.getpid() > 1
        finally:
            k.disconnect()
    except OSError:
        return False


# -- main ---------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--frames", type=int, default=1_000_000)
    ap.add_argument("--conns", type=int, default=128, help="concurrent connections (workers)")
    ap.add_argument("--killed", type=int, default=10_000,
                    help="clients killed while blocked in a call")
    ap.add_argument("--real-kills", type=int, default=100,
                    help="of those, real client processes killed with SIGKILL")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--prefork-ttl", type=float, default=2.0,
                    help="the server's --prefork-ttl (unclaimed preforks expire)")
    ap.add_argument("--rss-tolerance", type=float, default=0.10)
    ap.add_argument("--warmup", type=float, default=0.10,
                    help="share of the frames and kills run first, before the baseline")
    ap.add_argument("--vectors", type=Path, default=VECTORS)
    ap.add_argument("--keep-log", action="store_true", help="print where the log is kept")
    a = ap.parse_args(argv)
    seed = a.seed if a.seed is not None else random.randrange(1 << 32)
    rng = random.Random(seed)
    convs = load_conversations(a.vectors)
    if not convs:
        print(f"soak: no transcripts in {a.vectors}", file=sys.stderr)
        return 2

    tmp = tempfile.mkdtemp(prefix="soak-", dir="/tmp")
    sock = os.path.join(tmp, "s.sock")
    url = "unix://" + sock
    log_path = os.path.join(tmp, "server.log")
    log = open(log_path, "w")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    server = subprocess.Popen([sys.executable, "-m", "sysproxy", "serve", "--prefork-ttl",
                               str(a.prefork_ttl), url], stdout=subprocess.PIPE, stderr=log,
                              env=env, text=True)
    ok = True
    try:
        assert server.stdout is not None
        if "listening on" not in server.stdout.readline():
            print("soak: the server did not start; log:", open(log_path).read(), file=sys.stderr)
            return 2
        clean_soak_dir(url)
        print(f"soak: seed {seed}, server pid {server.pid}, {len(convs)} recorded "
              f"conversations, log {log_path}", flush=True)

        # warm-up: the same mix, a.warmup of the frames and kills, then the baseline
        warm = Soak(sock, rng, convs)
        asyncio.run(warm.prime(a.conns))
        asyncio.run(warm.run(a.conns, max(2000, int(a.frames * a.warmup)),
                             max(20, int(a.killed * a.warmup))))
        clean_soak_dir(url)
        settle(url, a.prefork_ttl + 10)
        base_rss, base_fds = rss_kib(server.pid), nfds(server.pid)

        soak = Soak(sock, rng, convs)
        real: Counter[str] = Counter()

        async def everything() -> None:
            await asyncio.gather(soak.run(a.conns, a.frames, a.killed - a.real_kills),
                                 real_kills(url, a.real_kills, real))
        t0 = time.monotonic()
        asyncio.run(everything())
        elapsed = time.monotonic() - t0
        peak_rss = rss_kib(server.pid)

        answers = server_answers(url)
        clean_soak_dir(url)
        pids, me = settle(url, a.prefork_ttl + 30)
        rss, fds = rss_kib(server.pid), nfds(server.pid)
        alive = server.poll() is None
        log.flush()
        text = open(log_path, errors="replace").read()
        tracebacks = text.count("Traceback")

        killed = soak.killed + real["real kills"]
        print(f"frames sent         {soak.frames:,} in {elapsed:.1f} s: "
              f"{soak.frames / elapsed:,.0f} frames/s")
        print(f"connections         {sum(soak.done.values()):,} scenarios, peak "
              f"{soak.open_peak} open at once ({a.conns} workers)")
        print("scenarios           "
              + ", ".join(f"{k} {v:,}" for k, v in sorted(soak.done.items())))
        if soak.errors or real["real kill setup failed"]:
            print("client-side misses  " + ", ".join(
                f"{k} {v}" for k, v in sorted((soak.errors + Counter(
                    {"real kill setup failed": real["real kill setup failed"]})).items())))
        figures = [
            ("killed while blocked", killed >= a.killed,
             f"{killed:,} ({soak.killed:,} dropped sockets, {real['real kills']} SIGKILLed "
             f"processes)"),
            ("frames", soak.frames >= a.frames, f"{soak.frames:,} >= {a.frames:,}"),
            ("server answers", answers and alive, "yes" if answers and alive else "NO"),
            ("process table", pids == sorted({1, me}),
             f"pids {pids[:10]}{'...' if len(pids) > 10 else ''} (checker is {me})"),
            ("open descriptors", fds <= base_fds, f"{fds} (baseline {base_fds})"),
            ("RSS", rss <= base_rss * (1 + a.rss_tolerance),
             f"{rss} KiB vs baseline {base_rss} KiB ({(rss - base_rss) * 100 / base_rss:+.1f} %,"
             f" limit +{a.rss_tolerance * 100:.0f} %; peak during the run {peak_rss} KiB)"),
            ("log tracebacks", tracebacks == 0,
             f"{tracebacks} ({len(text.splitlines()):,} log lines)"),
        ]
        for name, passed, detail in figures:
            print(f"{name:<20}{'PASS' if passed else 'FAIL'}  {detail}")
            ok = ok and passed
    finally:
        if server.poll() is None:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        log.close()
        if ok and not a.keep_log:
            import shutil
            shutil.rmtree(tmp, ignore_errors=True)
    print("soak: PASS" if ok else f"soak: FAIL (log kept in {log_path})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
