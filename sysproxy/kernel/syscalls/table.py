"""The one system call table, keyed by NetBSD number.

Handlers are registered with ``@syscall("name")`` in the family modules of
this package; the name is looked up in syscalls.tsv for the number and the
argument count, so a handler always receives exactly its declared slots.
"""
from __future__ import annotations

import struct
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from ...abi.syscalls import BY_NAME, SYSCALLS

if TYPE_CHECKING:
    from ..lwp import Lwp

Args = tuple[int, ...]
Handler = Callable[["Lwp", Args], Coroutine[Any, Any, Any]]

# number -> (handler, unpack the argument block, bytes the block must have)
TABLE: dict[int, tuple[Handler, Callable[[bytes], Args], int]] = {}


def syscall(name: str) -> Callable[[Handler], Handler]:
    """Register ``handler`` as the implementation of the NetBSD call ``name``."""
    num = BY_NAME[name]
    nargs = SYSCALLS[num].nargs
    st = struct.Struct(f"<{nargs}Q")

    def register(handler: Handler) -> Handler:
        if num in TABLE:
            raise RuntimeError(f"system call {name} registered twice")
        TABLE[num] = (handler, st.unpack_from, st.size)
        return handler
    return register
