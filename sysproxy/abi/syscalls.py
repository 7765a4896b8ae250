"""The system calls a rump kernel offers clients (from syscalls.tsv beside this file).

Numbers and argument lists are NetBSD's (sys/kern/syscalls.master); every
argument takes one 8-byte slot in the request body.
"""
from __future__ import annotations

import os
from typing import NamedTuple


class SyscallInfo(NamedTuple):
    number: int
    name: str
    cls: str           # STD or NOERR
    returns: str
    args: tuple[str, ...]

    @property
    def nargs(self) -> int:
        return len(self.args)


def _load() -> dict[int, SyscallInfo]:
    text = open(os.path.join(os.path.dirname(__file__), "syscalls.tsv")).read()
    table: dict[int, SyscallInfo] = {}
    for line in text.splitlines()[1:]:
        if not line.strip():
            continue
        cols = line.split("\t")
        cols += [""] * (5 - len(cols))
        args = tuple(a.strip() for a in cols[4].split(",") if a.strip())
        table[int(cols[0])] = SyscallInfo(int(cols[0]), cols[1], cols[2], cols[3], args)
    return table


SYSCALLS: dict[int, SyscallInfo] = _load()

# Calls NetBSD's rump kernels do not offer clients, but ours does.
EXTRA: dict[int, SyscallInfo] = {
    37: SyscallInfo(37, "kill", "STD", "int", ("pid_t pid", "int signum")),
    197: SyscallInfo(197, "mmap", "STD", "void *", ("void *addr", "size_t len", "int prot",
                                                    "int flags", "int fd", "long PAD", "off_t pos")),
}
SYSCALLS.update(EXTRA)
BY_NAME: dict[str, int] = {info.name: num for num, info in SYSCALLS.items()}
