"""``sysproxy run``: host programs whose files under a prefix live in the kernel.

The program runs under a seccomp filter whose listener is this process
(:mod:`.supervisor`); calls that name a path under the prefix or use a kernel
descriptor are served by the kernel through the client, translated between the
Linux ABI and NetBSD's (:mod:`.linux`, :mod:`.handlers`). A redirector, not a
sandbox: everything else the program does reaches the host.
"""
from __future__ import annotations

import os

__all__ = ["run"]


def run(argv: list[str], url: str, prefix: str = "/rump", net: bool = False) -> int:
    """Run ``argv`` with ``prefix`` served by the kernel at ``url``; its exit status."""
    from sysproxy.client import connect

    from .supervisor import Supervisor
    kernel = connect(url, name=os.path.basename(argv[0])[:16] or "run")
    sup = Supervisor(kernel, prefix, net)
    try:
        if sup.start(argv) <= 0:
            return 127
        return sup.serve()
    finally:
        try:
            kernel.disconnect()
        except OSError:
            pass
