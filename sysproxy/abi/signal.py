"""NetBSD signal numbers and their mapping to the host's (Python `signal`) numbers.

Facts from NetBSD's sys/sys/signal.h (NSIG 64: signals 1..63, real-time
signals SIGRTMIN 33 .. SIGRTMAX 63), sys/sys/sigtypes.h (sigset_t is 4 x u32).
"""
from __future__ import annotations

import signal as _host

SIGHUP = 1
SIGINT = 2
SIGQUIT = 3
SIGILL = 4
SIGTRAP = 5
SIGABRT = 6
SIGIOT = SIGABRT
SIGEMT = 7
SIGFPE = 8
SIGKILL = 9
SIGBUS = 10
SIGSEGV = 11
SIGSYS = 12
SIGPIPE = 13
SIGALRM = 14
SIGTERM = 15
SIGURG = 16
SIGSTOP = 17
SIGTSTP = 18
SIGCONT = 19
SIGCHLD = 20
SIGTTIN = 21
SIGTTOU = 22
SIGIO = 23
SIGXCPU = 24
SIGXFSZ = 25
SIGVTALRM = 26
SIGPROF = 27
SIGWINCH = 28
SIGINFO = 29
SIGUSR1 = 30
SIGUSR2 = 31
SIGPWR = 32
SIGRTMIN = 33
SIGRTMAX = 63
NSIG = 64
_NSIG = NSIG

SIG_BLOCK = 1
SIG_UNBLOCK = 2
SIG_SETMASK = 3

SIG_DFL = 0
SIG_IGN = 1
SIG_ERR = -1

SA_ONSTACK = 0x0001
SA_RESTART = 0x0002
SA_RESETHAND = 0x0004
SA_NOCLDSTOP = 0x0008
SA_NODEFER = 0x0010
SA_NOCLDWAIT = 0x0020
SA_SIGINFO = 0x0040

SIGSET_SIZE = 16  # sigset_t: uint32_t __bits[4]

#: NetBSD signal number -> name (SIGIOT reported as SIGABRT)
names: dict[int, str] = {
    v: k for k, v in sorted(globals().items())
    if k.startswith("SIG") and k not in ("SIGIOT", "SIGRTMIN", "SIGRTMAX")
    and not k.startswith("SIG_") and isinstance(v, int) and 0 < v < NSIG
}
_BY_NAME: dict[str, int] = {v: k for k, v in names.items()}


def sigmask(signo: int) -> int:
    """Bit for signo in a 32-bit sigset word (as in the 4-word sigset_t)."""
    return 1 << ((signo - 1) & 31)


def _build() -> tuple[dict[int, int], dict[int, int]]:
    to: dict[int, int] = {}
    frm: dict[int, int] = {}
    for num, name in names.items():
        h = getattr(_host, name, None)
        if h is not None:
            to[num] = int(h)
            frm.setdefault(int(h), num)
    for h in (getattr(_host, "SIGIOT", None),):
        if h is not None:
            frm.setdefault(int(h), SIGABRT)
    hmin = getattr(_host, "SIGRTMIN", None)
    hmax = getattr(_host, "SIGRTMAX", None)
    if hmin is not None and hmax is not None:
        for i in range(SIGRTMAX - SIGRTMIN + 1):
            if int(hmin) + i <= int(hmax):
                to[SIGRTMIN + i] = int(hmin) + i
                frm.setdefault(int(hmin) + i, SIGRTMIN + i)
    return to, frm


_TO_HOST, _FROM_HOST = _build()


def to_host(signo: int) -> int | None:
    """The host signal with the same name as a NetBSD signal, or None."""
    return _TO_HOST.get(signo)


def from_host(host_signo: int) -> int | None:
    """The NetBSD signal with the same name as a host signal, or None."""
    return _FROM_HOST.get(int(host_signo))
