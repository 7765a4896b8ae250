"""What a posted signal does to a process's sleeping LWPs.

The signal itself is raised in the client (RAISE). If the client catches it
or dies of it, a call it has blocked in the kernel must not stay blocked:
NetBSD's interruptible sleeps (cv_wait_sig, tsleep with PCATCH) return EINTR
when a signal is pending. We do the same for every signal whose default
action is to act (terminate, core): signals ignored by default (SIGCHLD,
SIGURG, SIGIO, SIGWINCH, SIGINFO, SIGPWR, SIGCONT) and the stop signals
(a stopped process resumes its sleep) leave sleepers alone, because we
cannot know the client installed a handler for them.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..abi import errno as E
from ..abi import signal as SIG
from .errors import KernelError
from .sleepq import Sleep

if TYPE_CHECKING:
    from .kernel import Kernel
    from .proc import Proc

NO_INTERRUPT = frozenset({SIG.SIGCHLD, SIG.SIGURG, SIG.SIGIO, SIG.SIGWINCH, SIG.SIGINFO,
                          SIG.SIGPWR, SIG.SIGCONT, SIG.SIGSTOP, SIG.SIGTSTP, SIG.SIGTTIN,
                          SIG.SIGTTOU})


def interrupts(signo: int) -> bool:
    return 0 < signo < SIG.NSIG and signo not in NO_INTERRUPT


def interrupt_sleepers(p: "Proc", signo: int) -> None:
    """Cut the interruptible sleeps of ``p``'s LWPs short with EINTR."""
    if not interrupts(signo):
        return
    for lwp in list(p.lwps):
        w = lwp.waiting
        if isinstance(w, Sleep) and w.intr:
            lwp.interrupt(KernelError(E.EINTR))
        elif not isinstance(w, Sleep):
            # busy (running, or waiting for a copy from the client): as NetBSD keeps the
            # signal pending, the call's next interruptible sleep fails with EINTR
            lwp.sigpending = True


def attach(kernel: "Kernel") -> None:
    kernel.signal_hooks.append(interrupt_sleepers)
