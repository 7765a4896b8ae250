"""Round trips and known NetBSD/amd64 values for the abi package."""
from __future__ import annotations

import errno as host_errno
import signal as host_signal

import pytest

from sysproxy.abi import (errno, event, fcntl, ioctl, limits, poll, reboot, signal, socket,
                          stat, statvfs, sysctl, time)


def test_errno_values_and_mapping() -> None:
    assert (errno.EAGAIN, errno.EWOULDBLOCK, errno.EINPROGRESS, errno.ENOTSOCK) == (35, 35, 36, 38)
    assert (errno.EOPNOTSUPP, errno.EADDRINUSE, errno.ECONNREFUSED, errno.ELOOP) == (45, 48, 61, 62)
    assert (errno.ENAMETOOLONG, errno.ENOTEMPTY, errno.ENOSYS, errno.ENOTSUP) == (63, 66, 78, 86)
    assert errno.EPROTO == errno.ELAST == 96 and errno.ENOATTR == 93
    assert errno.errorcode[35] == "EAGAIN" and len(errno.errorcode) == 96
    assert errno.to_host(errno.ENOENT) == host_errno.ENOENT
    assert errno.to_host(errno.EAGAIN) == host_errno.EAGAIN
    assert errno.to_host(errno.ENOSYS) == host_errno.ENOSYS
    assert errno.to_host(0) == 0 and errno.from_host(0) == 0
    assert errno.from_host(host_errno.ECONNREFUSED) == 61
    assert errno.from_host(host_errno.EOPNOTSUPP) == errno.EOPNOTSUPP
    for num in errno.errorcode:
        if hasattr(host_errno, errno.errorcode[num]) and num != errno.ENOTSUP:
            assert errno.from_host(errno.to_host(num)) == num
    assert errno.to_host(9999) == host_errno.EIO


def test_fcntl() -> None:
    assert (fcntl.O_NONBLOCK, fcntl.O_APPEND, fcntl.O_NOFOLLOW, fcntl.O_CREAT) == (4, 8, 0x100, 0x200)
    assert (fcntl.O_TRUNC, fcntl.O_EXCL, fcntl.O_DIRECTORY, fcntl.O_CLOEXEC) == (0x400, 0x800, 0x200000, 0x400000)
    assert fcntl.FFLAGS(fcntl.O_RDONLY) & fcntl.FREAD and not fcntl.FFLAGS(fcntl.O_RDONLY) & fcntl.FWRITE
    assert fcntl.FFLAGS(fcntl.O_RDWR) & (fcntl.FREAD | fcntl.FWRITE) == 3
    assert fcntl.OFLAGS(fcntl.FFLAGS(fcntl.O_WRONLY | fcntl.O_APPEND)) == fcntl.O_WRONLY | fcntl.O_APPEND
    assert fcntl.AT_FDCWD == -100 and fcntl.F_DUPFD_CLOEXEC == 12
    b = fcntl.pack_flock(10, -1, 42, fcntl.F_WRLCK, fcntl.SEEK_END)
    assert len(b) == 24 and fcntl.unpack_flock(b) == (10, -1, 42, 3, 2)


def test_stat_layout() -> None:
    b = stat.pack_stat(0xAB01, 77, 0o40755, 2, 3, 4, 0, 1_500_000_000, 2, 3, 4, 512, 1, 4096, 0, 0)
    assert len(b) == 152
    assert b[8:12] == (0o40755).to_bytes(4, "little")  # st_mode @8
    assert b[16:24] == (77).to_bytes(8, "little")  # st_ino @16
    assert b[48:56] == (1).to_bytes(8, "little") and b[56:64] == (500_000_000).to_bytes(8, "little")
    assert b[112:120] == (512).to_bytes(8, "little")  # st_size @112
    assert b[128:132] == (4096).to_bytes(4, "little")  # st_blksize @128
    st = stat.unpack_stat(b)
    assert st.mode == 0o40755 and st.atime_ns == 1_500_000_000 and stat.S_ISDIR(st.mode)
    assert stat.IFTODT(stat.S_IFLNK | 0o777) == stat.DT_LNK
    assert stat.DTTOIF(stat.DT_REG) == stat.S_IFREG


def test_dirents() -> None:
    assert [stat.dirent_reclen(n) for n in (1, 2, 3, 10, 11)] == [16, 16, 24, 24, 32]
    buf = stat.pack_dirent(5, b"a", stat.DT_REG) + stat.pack_dirent(6, b"longer_name", stat.DT_DIR)
    assert stat.unpack_dirents(buf) == [(5, b"a", 8), (6, b"longer_name", 4)]
    with pytest.raises(ValueError):
        stat.unpack_dirents(buf[:20])


def test_time() -> None:
    assert time.TIMESPEC_SIZE == time.TIMEVAL_SIZE == 16
    assert time.unpack_timespec(time.pack_timespec(-5, 999)) == (-5, 999)
    assert time.unpack_timeval(time.pack_timeval(7, 123456)) == (7, 123456)
    assert time.unpack_itimerval(time.pack_itimerval((1, 2), (3, 4))) == ((1, 2), (3, 4))
    assert time.ns_to_timespec(time.timespec_to_ns(3, 5)) == (3, 5)
    assert time.UTIME_NOW == 0x3FFFFFFF and time.UTIME_OMIT == 0x3FFFFFFE


def test_signal() -> None:
    assert (signal.SIGCHLD, signal.SIGSTOP, signal.SIGUSR1, signal.SIGUSR2) == (20, 17, 30, 31)
    assert signal.SIGPWR == 32 and signal.NSIG == 64 and signal.names[27] == "SIGPROF"
    assert signal.to_host(signal.SIGUSR1) == host_signal.SIGUSR1
    assert signal.from_host(host_signal.SIGCHLD) == signal.SIGCHLD
    assert signal.from_host(host_signal.SIGTERM) == 15
    assert signal.to_host(signal.SIGINFO) == getattr(host_signal, "SIGINFO", None)


def test_sockaddrs() -> None:
    b = socket.pack_sockaddr_un(b"/tmp/sock")
    assert b[0] == len(b) == 11 and b[1] == socket.AF_LOCAL
    assert socket.unpack_sockaddr(b) == (socket.AF_LOCAL, b"/tmp/sock")
    assert socket.unpack_sockaddr(b + b"\0" * 10) == (1, b"/tmp/sock")
    b = socket.pack_sockaddr_in("10.1.2.3", 8080)
    assert b.hex() == "10021f900a010203" + "00" * 8
    assert socket.unpack_sockaddr(b) == (socket.AF_INET, ("10.1.2.3", 8080))
    b = socket.pack_sockaddr_in6("fe80::1", 22, 7, 3)
    assert len(b) == 28 and b[:2] == bytes([28, 24])
    assert socket.unpack_sockaddr(b) == (24, ("fe80::1", 22, 7, 3))


def test_socket_structs() -> None:
    assert socket.SOL_SOCKET == 0xFFFF and socket.SOCK_CLOEXEC == 0x10000000
    assert socket.MSGHDR_SIZE == 48 and socket.MMSGHDR_SIZE == 56 and socket.IOVEC_SIZE == 16
    assert socket.CMSG_LEN(4) == 20 and socket.CMSG_SPACE(4) == 24 and socket.CMSG_SPACE(8) == 24
    fds = (3).to_bytes(4, "little") + (4).to_bytes(4, "little")
    cm = socket.pack_cmsg(socket.SOL_SOCKET, socket.SCM_RIGHTS, fds)
    assert len(cm) == 24 and socket.unpack_cmsgs(cm) == [(0xFFFF, 1, fds)]
    assert socket.unpack_iovecs(socket.pack_iovecs([(1, 2), (3, 4)]), 2) == [(1, 2), (3, 4)]
    m = socket.pack_msghdr(0x1000, 16, 0x2000, 2, 0, 0, 0)
    assert socket.unpack_msghdr(m) == (0x1000, 16, 0x2000, 2, 0, 0, 0)
    assert socket.unpack_unpcbid(socket.pack_unpcbid(5, 0, 0)) == (5, 0, 0)
    assert socket.unpack_sockcred(socket.pack_sockcred(1, 2, 3, 4, [5, 6])) == (1, 2, 3, 4, [5, 6])


def test_poll_event() -> None:
    fds = [(3, poll.POLLIN, poll.POLLIN | poll.POLLHUP), (77, poll.POLLIN, poll.POLLNVAL)]
    assert poll.unpack_pollfds(poll.pack_pollfds(fds), 2) == fds
    kev = [(3, event.EVFILT_READ, event.EV_ADD, 0, -1, 0xDEADBEEF)]
    b = event.pack_kevents(kev)
    assert len(b) == 40 and event.unpack_kevents(b, 1) == kev
    assert b[24:32] == (-1).to_bytes(8, "little", signed=True)


def test_statvfs() -> None:
    b = statvfs.pack_statvfs(f_flag=statvfs.ST_LOCAL, f_bsize=4096, f_fsidx=(0xAB01, 0x26),
                             f_namemax=511, f_owner=1000, f_fstypename="tmpfs",
                             f_mntonname=b"/t", f_mntfromname=b"tmpfs")
    assert len(b) == 2256
    v = statvfs.unpack_statvfs(b)
    assert (v.f_flag, v.f_bsize, v.f_fsidx, v.f_namemax, v.f_owner) == (0x1000, 4096, (0xAB01, 0x26), 511, 1000)
    assert (v.f_fstypename, v.f_mntonname, v.f_mntfromname) == (b"tmpfs", b"/t", b"tmpfs")
    assert b[172:177] == b"tmpfs" and b[204:206] == b"/t" and b[1228:1233] == b"tmpfs"
    with pytest.raises(TypeError):
        statvfs.pack_statvfs(bogus=1)


def test_misc_values() -> None:
    assert (sysctl.KERN_OSTYPE, sysctl.KERN_OSRELEASE, sysctl.KERN_HOSTNAME) == (1, 2, 10)
    assert (sysctl.HW_MACHINE, sysctl.HW_NCPU, sysctl.HW_PAGESIZE, sysctl.HW_MACHINE_ARCH) == (1, 3, 7, 10)
    assert sysctl.CTL_QUERY == -2 and sysctl.CTL_MAXNAME == 12
    assert reboot.RB_AUTOBOOT == 0 and reboot.RB_POWERDOWN == 0x808
    assert ioctl.FIONREAD == 0x4004667F and ioctl.FIONBIO == 0x8004667E
    assert ioctl.FIOCLEX == 0x20006601 and ioctl.IOCPARM_LEN(ioctl.FIONSPACE) == 4
    assert limits.PIPE_BUF == 512 and limits.NAME_MAX == 511 and limits.PATH_MAX == 1024
    assert limits.W_EXITCODE(3, 0) == 0x300
