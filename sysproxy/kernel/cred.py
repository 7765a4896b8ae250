"""Process credentials (struct kauth_cred's user-visible part)."""
from __future__ import annotations


class Cred:
    """Real, effective and saved ids, and the supplementary groups."""

    __slots__ = ("uid", "euid", "svuid", "gid", "egid", "svgid", "groups")

    def __init__(self, uid: int = 0, euid: int = 0, svuid: int = 0, gid: int = 0,
                 egid: int = 0, svgid: int = 0, groups: tuple[int, ...] = ()) -> None:
        self.uid, self.euid, self.svuid = uid, euid, svuid
        self.gid, self.egid, self.svgid = gid, egid, svgid
        self.groups = tuple(groups)

    def __repr__(self) -> str:
        return (f"Cred(uid={self.uid}, euid={self.euid}, svuid={self.svuid}, gid={self.gid}, "
                f"egid={self.egid}, svgid={self.svgid}, groups={self.groups})")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Cred) and all(
            getattr(self, k) == getattr(other, k) for k in self.__slots__)

    def copy(self) -> "Cred":
        return Cred(self.uid, self.euid, self.svuid, self.gid, self.egid, self.svgid, self.groups)

    @property
    def is_root(self) -> bool:
        return self.euid == 0

    def in_group(self, gid: int) -> bool:
        return gid == self.egid or gid in self.groups
