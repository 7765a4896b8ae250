"""Kernel subsystems attached at boot, in order (the rump "components").

Each entry is a module with ``attach(kernel)`` that sets up its state on the
kernel object (the sysctl tree, the root file system, devices, sockets...).
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .kernel import Kernel

SUBSYSTEMS = [
    "sysproxy.kernel.sysctl",
    "sysproxy.kernel.fs.boot",
    "sysproxy.kernel.pipe",
    "sysproxy.kernel.socket",
    "sysproxy.kernel.signals",
    "sysproxy.kernel.clock",
    "sysproxy.kernel.kqueue",
    "sysproxy.kernel.resource",
    "sysproxy.kernel.ptimer",
    "sysproxy.kernel.ksem",
    "sysproxy.kernel.ktrace",
]


def attach(kernel: "Kernel") -> None:
    for name in SUBSYSTEMS:
        importlib.import_module(name).attach(kernel)
