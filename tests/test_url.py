"""sysproxy.url: every accepted form and every refusal of PROTOCOL.md section 1."""
from __future__ import annotations

import errno
import os
import socket

import pytest

from sysproxy import url as spurl
from sysproxy.url import URLError, parse


def _err(text: str, server: bool = False) -> URLError:
    with pytest.raises(URLError) as ei:
        parse(text, server)
    return ei.value


# ----- unix -------------------------------------------------------------------

def test_unix_absolute():
    a = parse("unix:///tmp/sp.sock", False)
    assert a.family == socket.AF_UNIX
    assert a.sockaddr == "/tmp/sp.sock" and a.path == "/tmp/sp.sock"
    assert a.url == "unix:///tmp/sp.sock" and str(a) == a.url
    assert a.is_unix


def test_unix_relative_made_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    a = parse("unix://sock", True)
    assert a.path == os.path.join(os.getcwd(), "sock")
    assert a.url == "unix://" + a.path


def test_unix_length_limit(monkeypatch):
    ok = "/" + "a" * 106
    assert parse("unix://" + ok, False).path == ok
    e = _err("unix://" + ok + "b")
    assert e.errno == errno.ENAMETOOLONG and "107" in str(e)


def test_unix_relative_length_counts_cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    left = spurl.SUN_PATH_MAX - len(str(tmp_path)) - 1
    assert parse("unix://" + "x" * left, False)
    assert _err("unix://" + "x" * (left + 1)).errno == errno.ENAMETOOLONG


def test_unix_multibyte_counted_in_bytes():
    name = "/" + "\u00e9" * 54  # 108 bytes encoded
    assert _err("unix://" + name).errno == errno.ENAMETOOLONG


@pytest.mark.parametrize("text", ["unix://", "unix://a\0b"])
def test_unix_bad_path(text):
    assert _err(text).errno == errno.EINVAL


def test_make_socket_unix(tmp_path):
    a = parse(f"unix://{tmp_path}/s", True)
    with a.make_socket() as s:
        assert s.family == socket.AF_UNIX and s.type == socket.SOCK_STREAM
        s.bind(a.sockaddr)


# ----- tcp --------------------------------------------------------------------

def test_tcp_client():
    a = parse("tcp://127.0.0.1:12345", False)
    assert a.family == socket.AF_INET
    assert a.sockaddr == ("127.0.0.1", 12345)
    assert (a.host, a.port, a.path) == ("127.0.0.1", 12345, None)
    assert a.url == "tcp://127.0.0.1:12345"


def test_tcp_port_suffix_slash_anything():
    a = parse("tcp://10.0.0.1:80/whatever:here", False)
    assert a.sockaddr == ("10.0.0.1", 80) and a.url == "tcp://10.0.0.1:80"


@pytest.mark.parametrize("port", [0, 1, 65535])
def test_tcp_port_range_ok(port):
    assert parse(f"tcp://127.0.0.1:{port}", False).port == port


def test_tcp_port_leading_zeros():
    assert parse("tcp://127.0.0.1:00080", False).port == 80


def test_tcp_port_out_of_range_is_erange():
    e = _err("tcp://127.0.0.1:65536")
    assert e.errno == errno.ERANGE and "65536" in str(e)


@pytest.mark.parametrize("wild", ["*", "0", "0.0.0.0"])
def test_tcp_wildcard_server_only(wild):
    a = parse(f"tcp://{wild}:4000", True)
    assert a.sockaddr == ("0.0.0.0", 4000) and a.url == "tcp://0.0.0.0:4000"
    e = _err(f"tcp://{wild}:4000", server=False)
    assert e.errno == errno.EINVAL and "INADDR_ANY" in str(e)


@pytest.mark.parametrize("text,word", [
    ("tcp://127.0.0.1", "missing port specifier"),
    ("tcp://127.0.0.1:", "missing port"),
    ("tcp://127.0.0.1:x1", "missing port"),
    ("tcp://127.0.0.1:12a", "junk after port"),
    ("tcp://127.0.0.1:12 ", "junk after port"),
    ("tcp://127.0.0.1:-1", "missing port"),
    ("tcp://localhost:80", "cannot parse"),
    ("tcp://1.2.3:80", "cannot parse"),
    ("tcp://256.1.1.1:80", "cannot parse"),
    ("tcp://:80", "cannot parse"),
    ("tcp://" + "1" * 64 + ":80", "address too long"),
])
def test_tcp_errors(text, word):
    e = _err(text, server=True)
    assert e.errno == errno.EINVAL
    assert word in str(e) and repr(text) in str(e)


def test_make_socket_tcp_nodelay():
    a = parse("tcp://127.0.0.1:0", True)
    with a.make_socket() as s:
        assert s.family == socket.AF_INET
        assert s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


# ----- tcp6 -------------------------------------------------------------------

def test_tcp6_client():
    a = parse("tcp6://[::1]:9000", False)
    assert a.family == socket.AF_INET6
    assert a.sockaddr[:2] == ("::1", 9000)
    assert a.url == "tcp6://[::1]:9000" and a.port == 9000


def test_tcp6_wildcard_server_only():
    assert parse("tcp6://[::]:9000/x", True).sockaddr[:2] == ("::", 9000)
    assert _err("tcp6://[::]:9000").errno == errno.EINVAL


@pytest.mark.parametrize("text", [
    "tcp6://::1:80", "tcp6://[::1:80", "tcp6://[::1]80", "tcp6://[::1]",
    "tcp6://[::1]:", "tcp6://[::1]:8x", "tcp6://[nothost]:80", "tcp6://[1.2.3.4]:80",
])
def test_tcp6_errors(text):
    assert _err(text, server=True).errno == errno.EINVAL


def test_tcp6_port_range():
    assert _err("tcp6://[::1]:70000").errno == errno.ERANGE


# ----- generic ------------------------------------------------------------------

@pytest.mark.parametrize("text,word", [
    ("/tmp/sock", "no '://'"),
    ("unix:/tmp/sock", "no '://'"),
    ("", "no '://'"),
    ("udp://1.2.3.4:5", "unknown scheme"),
    ("UNIX:///tmp/s", "unknown scheme"),
    ("://x", "unknown scheme"),
    ("a" * 16 + "://x", "longer than 15"),
])
def test_generic_errors(text, word):
    e = _err(text, server=True)
    assert e.errno == errno.EINVAL and word in str(e)


def test_long_known_prefix_still_unknown():
    assert "unknown scheme" in str(_err("a" * 15 + "://x"))


def test_error_is_oserror_and_valueerror():
    e = _err("nope")
    assert isinstance(e, OSError) and isinstance(e, ValueError)
    assert e.errno == errno.EINVAL and e.strerror


def test_non_str_rejected():
    with pytest.raises(TypeError):
        parse(b"unix:///x", False)  # type: ignore[arg-type]
