"""NetBSD's t_sp.sh stress cases, in Python: many forked client processes with
several threads each, killed while calls are in flight; afterwards the kernel
must hold only its own process and the probe's."""
from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from support.rawclient import RawClient
from support.server import ServerProcess

NCLI, NTHR = 8, 4
_QUIT = threading.Event()  # each forked child has its own copy


def _child(url: str) -> None:
    """One stress client: set kern.hostname, then loop sysctl+getpid in threads."""
    from sysproxy.client import connect
    quit_ = _QUIT
    try:
        k = connect(url, "stresscli")
        mypid = k.getpid()
        k.sysctl("kern.hostname", new=f"rumpclient{mypid}".encode() + b"\0", oldlen=None)
        failures: list[str] = []

        def loop() -> None:
            while not quit_.is_set():
                if not k.sysctl_str("kern.hostname").startswith("rumpclient"):
                    failures.append("hostname")
                if k.getpid() != mypid:
                    failures.append("pid")
        threads = [threading.Thread(target=loop) for _ in range(NTHR - 1)]
        for t in threads:
            t.start()
        loop()
        for t in threads:
            t.join()
        os._exit(1 if failures else 0)
    except BaseException:
        os._exit(2)


def _stress(url: str, rounds: int, sig: int) -> None:
    # as h_stresscli: the handler is set before forking, so no child can miss it
    old = signal.signal(signal.SIGUSR1, lambda s, f: _QUIT.set())
    try:
        _stress_rounds(url, rounds, sig)
    finally:
        signal.signal(signal.SIGUSR1, old)


def _stress_rounds(url: str, rounds: int, sig: int) -> None:
    clis: list[int] = []
    for _ in range(rounds):
        while len(clis) < NCLI:
            pid = os.fork()
            if pid == 0:
                _child(url)
            clis.append(pid)
        time.sleep(0.1)
        victim = clis.pop(0)
        os.kill(victim, sig)
        _, status = os.waitpid(victim, 0)
        if sig == signal.SIGUSR1:
            assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, hex(status)
        else:
            assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == sig
    for pid in clis:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


def _kernel_pids(url: str) -> list[int]:
    with RawClient(url, "probe") as c:
        me = c.ok("getpid")
        return [p for p in range(1, me + 50) if p != me and c.err("kill", p, 0) == 0]


@pytest.mark.parametrize("sig", [signal.SIGUSR1, signal.SIGKILL], ids=["graceful", "killer"])
def test_stress_leaves_only_the_kernel(server: ServerProcess, sig: int) -> None:
    _stress(server.url, rounds=12, sig=sig)
    assert server.alive()
    deadline = time.time() + 5
    while (left := _kernel_pids(server.url)) != [1] and time.time() < deadline:
        time.sleep(0.1)
    assert left == [1]
