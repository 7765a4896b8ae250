"""Halting a server, as rump.halt does: connect, then reboot(2) with RB_* flags."""
from __future__ import annotations

from .errors import ConnectionLost
from .os_api import Kernel


def halt(url: str | None = None, howto: int = 0, timeout: float | None = 10.0) -> None:
    """Halt the server at ``url`` (default $RUMP_SERVER); OSError if it cannot be reached.

    The server replies, then closes every connection and exits, so a connection
    that ends once the call is made counts as success when the server is gone.
    """
    k = Kernel(url, "rump.halt", timeout)
    try:
        k.reboot(howto)
    except ConnectionLost:
        if _still_up(k.url, timeout):
            raise
    finally:
        try:
            k.disconnect()
        except OSError:
            pass


def _still_up(url: str, timeout: float | None) -> bool:
    """Whether a server still answers at ``url`` (the reboot reply may have been lost)."""
    try:
        Kernel(url, "rump.halt", timeout).disconnect()
    except OSError:
        return False
    return True
