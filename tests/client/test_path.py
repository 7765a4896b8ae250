"""KPath's pure parts (no server needed)."""
from __future__ import annotations

from sysproxy.client.path import KPath


def test_pure_parts():
    k = object()
    p = KPath(k, "/a", "b") / "c.txt"
    assert str(p) == "/a/b/c.txt" and p.suffix == ".txt" and p.stem == "c"
    assert p.parent == KPath(k, "/a/b") and p.parts == ("/", "a", "b", "c.txt")
    assert p.with_suffix(".py").name == "c.py" and p.with_name("d").name == "d"
    assert p.is_absolute() and not KPath(k, "rel").is_absolute()
    assert KPath(k, KPath(k, "/x"), "y") == KPath(k, "/x/y")
    assert KPath(k, "/x") != KPath(object(), "/x")
    assert repr(p) == "KPath('/a/b/c.txt')"
