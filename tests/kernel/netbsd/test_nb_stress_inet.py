"""NetBSD tests/rump/rumpkern/t_sp.sh stress_killer (h_stresscli.c, 1.8: inet binds).

Many client processes, each a GUEST plus a forked kernel process, bind
AF_INET TCP and UDP sockets to fixed and ephemeral ports on 127.0.0.1 and
INADDR_ANY in a loop while the test SIGKILLs one every 100 ms (often inside
a blocked accept or recvfrom) and starts a replacement that reuses the
victim's ports. Afterwards every port is bindable again without
SO_REUSEADDR, and the kernel holds no process but pid 1 (and the checker).
"""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from sysproxy.abi import errno as E
from sysproxy.abi import socket as S

from support.nb import bind, gone, socket, wait_until
from support.rawclient import RawClient
from support.server import ROOT, ServerProcess

NCLI = 12
KILLS = 30
BASE = 20000
PORTS_PER_SLOT = 4
WORKER = Path(__file__).with_name("stress_worker.py")


def _spawn(url: str, slot: int) -> subprocess.Popen:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "tests"), env.get("PYTHONPATH", "")])
    return subprocess.Popen([sys.executable, str(WORKER), url, str(slot), str(BASE)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)


def _pids(p: subprocess.Popen) -> list[int]:
    line = p.stdout.readline() if p.stdout else ""
    assert line, p.stderr.read() if p.stderr else "worker died"
    return [int(x) for x in line.split()]


def test_stress_inet_binds_with_killed_clients(server: ServerProcess) -> None:
    rnd = random.Random(5)
    procs: dict[int, subprocess.Popen] = {}
    kernel_pids: list[int] = []
    t0 = time.monotonic()
    try:
        for slot in range(NCLI):
            procs[slot] = _spawn(server.url, slot)
        for p in procs.values():
            kernel_pids += _pids(p)
        for _ in range(KILLS):
            time.sleep(0.1)
            slot = rnd.randrange(NCLI)
            victim = procs[slot]
            assert victim.poll() is None, victim.stderr.read() if victim.stderr else ""
            victim.send_signal(signal.SIGKILL)
            assert victim.wait(5) == -signal.SIGKILL
            procs[slot] = _spawn(server.url, slot)  # the same ports again
            kernel_pids += _pids(procs[slot])
        for p in procs.values():
            assert p.poll() is None, p.stderr.read() if p.stderr else ""
    finally:
        for p in procs.values():
            if p.poll() is None:
                p.send_signal(signal.SIGKILL)
            p.wait(5)
    assert server.alive()
    probe = RawClient(server.url, "checker")
    # no process left but pid 1 and the checker: kill(-1, 0) finds nobody
    assert wait_until(lambda: probe.err("kill", -1, 0) == E.ESRCH, 10)
    assert all(gone(probe, pid) for pid in kernel_pids)
    for port in range(BASE, BASE + NCLI * PORTS_PER_SLOT):
        for typ in (S.SOCK_STREAM, S.SOCK_DGRAM):
            for host in ("0.0.0.0", "127.0.0.1"):
                err, s = socket(probe, S.AF_INET, typ)
                assert err == 0
                assert bind(probe, s, S.pack_sockaddr_in(host, port)) == 0, (port, typ, host)
                probe.ok("close", s)
    err, s = socket(probe, S.AF_INET, S.SOCK_DGRAM)
    assert bind(probe, s, S.pack_sockaddr_in("0.0.0.0", 0)) == 0
    assert time.monotonic() - t0 < 30
