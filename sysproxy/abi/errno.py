"""NetBSD errno values and their mapping to the host's numbers.

Facts from NetBSD's sys/sys/errno.h (the 7.99 era: ELAST is EPROTO, 96).
The kernel speaks NetBSD numbers on the wire; only the Python client translates
them to host numbers when it raises OSError.
"""
from __future__ import annotations

import errno as _host

EPERM = 1
ENOENT = 2
ESRCH = 3
EINTR = 4
EIO = 5
ENXIO = 6
E2BIG = 7
ENOEXEC = 8
EBADF = 9
ECHILD = 10
EDEADLK = 11
ENOMEM = 12
EACCES = 13
EFAULT = 14
ENOTBLK = 15
EBUSY = 16
EEXIST = 17
EXDEV = 18
ENODEV = 19
ENOTDIR = 20
EISDIR = 21
EINVAL = 22
ENFILE = 23
EMFILE = 24
ENOTTY = 25
ETXTBSY = 26
EFBIG = 27
ENOSPC = 28
ESPIPE = 29
EROFS = 30
EMLINK = 31
EPIPE = 32
EDOM = 33
ERANGE = 34
EAGAIN = 35
EWOULDBLOCK = EAGAIN
EINPROGRESS = 36
EALREADY = 37
ENOTSOCK = 38
EDESTADDRREQ = 39
EMSGSIZE = 40
EPROTOTYPE = 41
ENOPROTOOPT = 42
EPROTONOSUPPORT = 43
ESOCKTNOSUPPORT = 44
EOPNOTSUPP = 45
EPFNOSUPPORT = 46
EAFNOSUPPORT = 47
EADDRINUSE = 48
EADDRNOTAVAIL = 49
ENETDOWN = 50
ENETUNREACH = 51
ENETRESET = 52
ECONNABORTED = 53
ECONNRESET = 54
ENOBUFS = 55
EISCONN = 56
ENOTCONN = 57
ESHUTDOWN = 58
ETOOMANYREFS = 59
ETIMEDOUT = 60
ECONNREFUSED = 61
ELOOP = 62
ENAMETOOLONG = 63
EHOSTDOWN = 64
EHOSTUNREACH = 65
ENOTEMPTY = 66
EPROCLIM = 67
EUSERS = 68
EDQUOT = 69
ESTALE = 70
EREMOTE = 71
EBADRPC = 72
ERPCMISMATCH = 73
EPROGUNAVAIL = 74
EPROGMISMATCH = 75
EPROCUNAVAIL = 76
ENOLCK = 77
ENOSYS = 78
EFTYPE = 79
EAUTH = 80
ENEEDAUTH = 81
EIDRM = 82
ENOMSG = 83
EOVERFLOW = 84
EILSEQ = 85
ENOTSUP = 86
ECANCELED = 87
EBADMSG = 88
ENODATA = 89
ENOSR = 90
ENOSTR = 91
ETIME = 92
ENOATTR = 93
EMULTIHOP = 94
ENOLINK = 95
EPROTO = 96
ELAST = 96

# Kernel-internal pseudo errors (never sent to a client).
EJUSTRETURN = -2
ERESTART = -3
EPASSTHROUGH = -4
EDUPFD = -5
EMOVEFD = -6

#: NetBSD errno number -> name (EWOULDBLOCK is reported as EAGAIN).
errorcode: dict[int, str] = {
    v: k for k, v in sorted(globals().items())
    if k.startswith("E") and isinstance(v, int) and 0 < v <= ELAST
    and k not in ("EWOULDBLOCK", "ELAST")
}
_BY_NAME: dict[str, int] = {v: k for k, v in errorcode.items()}
_BY_NAME["EWOULDBLOCK"] = EAGAIN

# NetBSD names the host lacks -> the closest host name.
_TO_HOST_ALIASES = {"ENOATTR": "ENODATA", "EFTYPE": "EINVAL", "EAUTH": "EPERM",
                    "ENEEDAUTH": "EPERM", "EPROCLIM": "EAGAIN",
                    "EBADRPC": "EIO", "ERPCMISMATCH": "EIO", "EPROGUNAVAIL": "EIO",
                    "EPROGMISMATCH": "EIO", "EPROCUNAVAIL": "EIO"}
# Host (Linux) names NetBSD lacks -> the closest NetBSD name.
_FROM_HOST_ALIASES = {"EDEADLOCK": "EDEADLK", "ENOMEDIUM": "ENXIO", "EBADFD": "EBADF",
                      "ENOTUNIQ": "EINVAL", "ERESTART": "EINTR", "ECHRNG": "ERANGE",
                      "EREMOTEIO": "EIO", "EKEYEXPIRED": "EAUTH", "ENOKEY": "EAUTH",
                      "EOWNERDEAD": "EINVAL", "ENOTRECOVERABLE": "EINVAL"}


def _build_to_host() -> dict[int, int]:
    out: dict[int, int] = {0: 0}
    for num, name in errorcode.items():
        hname = name if hasattr(_host, name) else _TO_HOST_ALIASES.get(name, "EIO")
        out[num] = int(getattr(_host, hname, _host.EIO))
    return out


def _build_from_host() -> dict[int, int]:
    out: dict[int, int] = {0: 0}
    for hname in dir(_host):
        if not hname.startswith("E"):
            continue
        hnum = getattr(_host, hname)
        if not isinstance(hnum, int):
            continue
        nb = _BY_NAME.get(hname)
        if nb is None:
            alias = _FROM_HOST_ALIASES.get(hname)
            nb = _BY_NAME.get(alias) if alias else None
        if nb is None:
            continue
        # Prefer the host's canonical name for a number (errno.errorcode).
        if hnum not in out or _host.errorcode.get(hnum) == hname:
            out[hnum] = nb
    # Linux has one number for ENOTSUP and EOPNOTSUPP; NetBSD's sockets say 45.
    out[_host.EOPNOTSUPP] = EOPNOTSUPP
    return out


_TO_HOST = _build_to_host()
_FROM_HOST = _build_from_host()


def to_host(netbsd_errno: int) -> int:
    """The host errno with the same name as a NetBSD errno (EIO if none)."""
    return _TO_HOST.get(netbsd_errno, _host.EIO)


def from_host(host_errno: int) -> int:
    """The NetBSD errno with the same name as a host errno (EIO if none)."""
    return _FROM_HOST.get(host_errno, EIO)
