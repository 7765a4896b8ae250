"""System call handlers, one module per family, all registered in table.TABLE.

Importing this package registers every family; add a family by adding its
module name here.
"""
from importlib import import_module

FAMILIES = [
    "process",
    "signal",
    "sysctl",
    "descriptor",
    "rw",
    "vfs_open", "vfs_path", "vfs_rename", "vfs_stat", "vfs_attr", "vfs_dir",
    "vfs_mount", "vfs_lock", "vfs_xattr", "vfs_fh", "vfs_revoke", "cred",
    "pipe",
    "socket",
    "sockopt",
    "msg",
    "poll",
    "time",
    "pgrp",
    "kqueue",
    "vm",
    "resource",
    "ptimer",
    "ksem",
    "settime",
    "misc",
    "ktrace",
]

for _name in FAMILIES:
    import_module(f"{__name__}.{_name}")
