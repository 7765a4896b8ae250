"""The event loop's busy-poll: its adaptive policy, and a loop that spins or not
still answering every request, honouring timers, and going quiet when idle."""
from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

from sysproxy.kernel.sched import Scheduler
from sysproxy.server.reactor import SPIN_BACKOFF_MAX, Reactor, SpinPolicy, _spin_us


def test_spin_us_parses_the_environment_value() -> None:
    assert _spin_us(None) == 100.0
    assert _spin_us("0") == 0.0
    assert _spin_us("250") == 250.0
    assert _spin_us("-5") == 100.0
    assert _spin_us("lots") == 100.0


def test_policy_backs_off_after_misses_and_recovers_on_a_hit() -> None:
    p = SpinPolicy(0.001)
    assert p.budget() == 0.001
    p.miss()  # one spin that ran out alone (a client that left) changes nothing
    assert p.budget() == 0.001 and p.skip == 0
    p.miss()  # a second in a row: the next wait blocks at once, then spin again
    assert [p.budget() for _ in range(2)] == [0.0, 0.001]
    p.miss()  # a third: two waits block
    assert [p.budget() for _ in range(3)] == [0.0, 0.0, 0.001]
    for _ in range(20):
        p.miss()
    assert p.backoff == SPIN_BACKOFF_MAX
    assert [p.budget() for _ in range(SPIN_BACKOFF_MAX + 1)] == \
        [0.0] * SPIN_BACKOFF_MAX + [0.001]
    p.hit()  # work found in time: back to spinning at every wait, and no backoff
    assert p.backoff == 0 and p.budget() == 0.001
    p.miss()
    assert p.backoff == 0 and p.budget() == 0.001
    p.miss()
    assert p.backoff == 1
    assert (p.hits, p.misses) == (1, 25)


def test_policy_off_never_spins() -> None:
    p = SpinPolicy(0.0)
    assert all(p.budget() == 0.0 for _ in range(5))


class Echo:
    """A handler that answers each byte with the same byte."""

    def __init__(self, reactor: Reactor, sock: socket.socket) -> None:
        self.reactor, self.sock = reactor, sock
        self.seen = 0

    def on_readable(self) -> None:
        data = self.sock.recv(4096)
        if not data:
            self.reactor.unregister(self.sock.fileno())
            return
        self.seen += len(data)
        self.sock.send(data)

    def on_writable(self) -> None:
        pass


Loop = tuple[Reactor, socket.socket, Scheduler]


@pytest.fixture
def loop(request: pytest.FixtureRequest) -> Iterator[Loop]:
    """A reactor with one Echo handler, running in a thread; yields (reactor, client)."""
    sched = Scheduler()
    r = Reactor(sched)
    r.spin = SpinPolicy(request.param)
    a, b = socket.socketpair()
    a.setblocking(False)
    echo = Echo(r, a)
    r.register(a.fileno(), echo)
    t = threading.Thread(target=r.run, daemon=True)
    t.start()
    b.settimeout(30)
    try:
        yield r, b, sched
    finally:
        sched.call_soon(r.stop)
        b.close()  # wakes the loop (EOF), which then sees the stop
        t.join(30)
        assert not t.is_alive()
        r.close()
        a.close()


@pytest.mark.parametrize("loop", [0.0, 60.0], indirect=True, ids=["spin-off", "spin-60s"])
def test_every_request_is_answered_with_or_without_spin(loop: Loop) -> None:
    r, client, _ = loop
    for i in range(200):
        client.send(bytes([i]))
        assert client.recv(1) == bytes([i])
    if r.spin.spin:
        # a 60 s spin catches every next request: no spin ever ran out
        assert r.spin.hits >= 199 and r.spin.misses == 0
    else:
        assert r.spin.hits == r.spin.misses == 0


@pytest.mark.parametrize("loop", [60.0], indirect=True)
def test_spin_never_delays_a_timer(loop: Loop) -> None:
    """A due timer ends the spin: with a 60 s spin it still fires within seconds."""
    r, client, sched = loop
    fired = threading.Event()
    client.send(b"x")
    assert client.recv(1) == b"x"  # the loop is now spinning
    # (call_soon from this thread is picked up at the loop's next turn: the request)
    sched.call_soon(sched.call_later, 0.05, fired.set)
    client.send(b"y")
    assert client.recv(1) == b"y"
    assert fired.wait(20)


@pytest.mark.parametrize("loop", [1e-6], indirect=True)
def test_idle_loop_stops_spinning(loop: Loop) -> None:
    """A spin only follows events: once idle, the loop blocks, whatever the time."""
    r, client, _ = loop
    client.send(b"x")
    assert client.recv(1) == b"x"
    done = threading.Event()
    done.wait(0.2)  # idle for a while
    spins = r.spin.hits + r.spin.misses
    assert spins <= 1  # one spin after the request at most, none while idle
    done.wait(0.2)
    assert r.spin.hits + r.spin.misses == spins
