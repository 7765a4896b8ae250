"""One client process of test_nb_stress_inet: binds inet sockets in a loop until killed.

Run as ``python stress_worker.py URL SLOT BASEPORT``. It is a GUEST plus a
forked (PREFORK/FORK) kernel process sharing its descriptors, and prints
both pids. Each round makes a TCP or UDP socket (SO_REUSEADDR, as NetBSD's
h_stresscli does), binds 127.0.0.1 or INADDR_ANY to one of the slot's fixed
ports or an ephemeral one, then blocks briefly (accept or recvfrom with a
20 ms SO_RCVTIMEO) so that a kill often lands inside a call, and closes.
Exit status 2 means a result NetBSD would not give.
"""
from __future__ import annotations

import os
import random
import struct
import sys

from sysproxy.abi import errno as E
from sysproxy.abi import socket as S

from support.nb import fork
from support.rawclient import RawClient

PORTS_PER_SLOT = 4


def main() -> int:
    url, slot, base = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rnd = random.Random(os.getpid())
    parent = RawClient(url, "stresscli", timeout=None)
    child = fork(parent, url)
    child.sock.settimeout(None)
    print(parent.ok("getpid"), child.ok("getpid"), flush=True)
    tv = struct.pack("<qi4x", 0, 20_000)
    one = struct.pack("<i", 1)
    while True:
        c = rnd.choice((parent, child))
        typ = rnd.choice((S.SOCK_STREAM, S.SOCK_DGRAM))
        s = c.ok("__socket30", S.AF_INET, typ, 0)
        c.ok("setsockopt", s, S.SOL_SOCKET, S.SO_REUSEADDR, c.mem.buf(one), 4)
        port = base + slot * PORTS_PER_SLOT + rnd.randrange(PORTS_PER_SLOT) if rnd.random() < 0.75 else 0
        sa = S.pack_sockaddr_in(rnd.choice(("127.0.0.1", "0.0.0.0")), port)
        err = c.err("bind", s, c.mem.buf(sa), len(sa))
        if err not in (0, E.EADDRINUSE) or (err and not port):
            print("bind", err, file=sys.stderr)
            return 2
        if not err:
            c.ok("setsockopt", s, S.SOL_SOCKET, S.SO_RCVTIMEO, c.mem.buf(tv), len(tv))
            if typ == S.SOCK_STREAM:
                c.ok("listen", s, 5)
                err = c.err("accept", s, 0, 0)
            else:
                err = c.err("recvfrom", s, c.mem.out(16), 16, 0, 0, 0)
            if err != E.EAGAIN:  # nobody connects or sends: the timeout ends the wait
                print("wait", err, file=sys.stderr)
                return 2
        c.ok("close", s)


if __name__ == "__main__":
    sys.exit(main())
