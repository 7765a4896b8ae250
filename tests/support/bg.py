"""Run a blocking client call in a thread, so one test can drive several clients at once.

A RawClient serves the server's copy requests only while it waits for a
reply; a call that blocks in the kernel (a write into a full pipe) needs its
client to keep serving while the test uses another client. Use one thread
per client at a time.
"""
from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable

_POOL = ThreadPoolExecutor(max_workers=16, thread_name_prefix="bgcall")


def bg(fn: Callable[..., Any], *args: Any) -> "Future[Any]":
    """Start fn(*args) in a worker thread; .result(timeout) collects it."""
    return _POOL.submit(fn, *args)
