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
    "pipe",
    "vm",
]

for _name in FAMILIES:
    import_module(f"{__name__}.{_name}")
