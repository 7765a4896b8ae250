"""Process credentials (struct kauth_cred's user-visible part)."""
from __future__ import annotations

from dataclasses import dataclass, field, replace


@dataclass(slots=True)
class Cred:
    uid: int = 0
    euid: int = 0
    svuid: int = 0
    gid: int = 0
    egid: int = 0
    svgid: int = 0
    groups: tuple[int, ...] = field(default_factory=tuple)

    def copy(self) -> "Cred":
        return replace(self)

    @property
    def is_root(self) -> bool:
        return self.euid == 0

    def in_group(self, gid: int) -> bool:
        return gid == self.egid or gid in self.groups
