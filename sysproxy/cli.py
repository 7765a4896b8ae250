"""The command line: `sysproxy serve URL`, `sysproxy halt URL`, and the client tools."""
from __future__ import annotations

import argparse
import logging
import os
import sys

DEFAULT_URL = "unix:///tmp/sysproxy.sock"


def _size(text: str) -> int:
    """A size like 64m, 1g, 4096 (as rump_server -r takes)."""
    t = text.strip().lower()
    mult = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}.get(t[-1:], 1)
    return int(t[:-1] if mult > 1 else t) * mult


def _drivespec(text: str) -> object:
    from .server import drivespec
    try:
        return drivespec.parse(text)
    except drivespec.DriveSpecError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _mode(text: str) -> int:
    """An octal file mode like 0660."""
    try:
        mode = int(text, 8)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an octal mode: {text!r}") from None
    if not 0 <= mode <= 0o777:
        raise argparse.ArgumentTypeError(f"mode out of range: {text!r}")
    return mode


def _ids(text: str) -> tuple[int, int]:
    from .server.security import parse_ids
    try:
        return parse_ids(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


_LIMIT_NAMES = ("procs", "fds", "calls", "mem")


def _limits(text: str) -> dict[str, int]:
    """``procs=N,fds=N,calls=N,mem=SIZE`` (any subset; 0 is no limit)."""
    out: dict[str, int] = {}
    for item in text.split(","):
        name, sep, value = item.strip().partition("=")
        if not sep or name not in _LIMIT_NAMES:
            raise argparse.ArgumentTypeError(
                f"want NAME=VALUE with NAME one of {', '.join(_LIMIT_NAMES)}, not {item!r}")
        try:
            out[name] = _size(value) if name == "mem" else int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"bad value in {item!r}") from None
        if out[name] < 0:
            raise argparse.ArgumentTypeError(f"negative limit in {item!r}")
    return out


def cmd_serve(args: argparse.Namespace) -> int:
    from . import wire
    from .kernel.fairness import TreeLimits
    from .kernel.kernel import Kernel
    from .server.listener import Server
    from .server.security import CredPolicy
    logging.basicConfig(level=logging.DEBUG if args.verbose > 1 else
                        logging.INFO if args.verbose else logging.WARNING,
                        format="sysproxy[%(process)d]: %(levelname)s %(message)s", stream=sys.stderr)
    limits = TreeLimits()
    for given in args.limit:
        for name, value in given.items():
            setattr(limits, name, value)
    kernel = Kernel(hostname=args.hostname, memlimit=args.memlimit, limits=limits)
    from .kernel.inject import SpecError, parse
    from .kernel.observe import observed
    from .server.control import ControlServer, TraceFile, default_url
    obs = observed(kernel)
    try:
        for spec in args.inject:
            obs.add_rule(parse(spec))
    except SpecError as e:
        print(f"sysproxy: --inject: {e}", file=sys.stderr)
        return 2
    if args.stats:
        obs.enable_stats()
    trace_out = None
    if args.trace not in (None, "-"):
        try:
            trace_out = open(args.trace, "w", buffering=1 << 16)
        except OSError as e:
            print(f"sysproxy: --trace {args.trace}: {e.strerror or e}", file=sys.stderr)
            return 1
    keeper = None
    if args.state:
        from .kernel.fs.tmpfs_state import StateError, StateKeeper
        keeper = StateKeeper(kernel, args.state, args.state_interval)
        try:
            keeper.start()
        except StateError as e:
            print(f"sysproxy: refusing --state: {e} (the file is left as it is)", file=sys.stderr)
            return 1
    # after --state: a restored tree replaces the boot tree, drives go into it
    from .server import drivespec
    try:
        for spec in args.drive:
            drivespec.attach(kernel, spec)
    except drivespec.DriveSpecError as e:
        print(f"sysproxy: -d: {e}", file=sys.stderr)
        return 2
    try:
        server = Server(args.url, kernel, max_clients=args.max_clients,
                        prefork_ttl=args.prefork_ttl, sendsig=args.sendsig,
                        max_frame=args.max_frame or wire.DEFAULT_MAX_FRAME,
                        socket_mode=args.socket_mode, allow_remote=args.allow_remote,
                        creds=CredPolicy(args.creds, args.tcp_creds))
    except OSError as e:
        print(f"sysproxy: cannot serve {args.url}: {e.strerror or e}", file=sys.stderr)
        return 1
    control = None
    ctl_url = default_url(args.url) if args.control is None else \
        (None if args.control == "none" else args.control)
    if ctl_url is not None:
        try:
            control = ControlServer(ctl_url, kernel, server.reactor)
        except (OSError, ValueError) as e:
            why = (e.strerror or str(e)) if isinstance(e, OSError) else str(e)
            if args.control is not None:  # asked for: refuse to run without it
                print(f"sysproxy: cannot open the control socket {ctl_url}: {why}",
                      file=sys.stderr)
                return 1
            print(f"sysproxy: no control socket ({ctl_url}: {why}); give --control URL",
                  file=sys.stderr)
    try:
        server.bind()
    except OSError as e:
        if control is not None:
            control.close()
        print(f"sysproxy: cannot serve {args.url}: {e.strerror or e}", file=sys.stderr)
        return 1
    trace = None

    def ready(url: str) -> None:
        nonlocal trace
        print(f"sysproxy: listening on {url}", flush=True)
        if args.trace is not None:  # after the line above: a reader of - sees it first
            trace = TraceFile(trace_out or sys.stdout, obs, kernel.sched, args.trace_json,
                              close=trace_out is not None)
    server.on_listening = ready
    try:
        server.serve_forever()
    finally:
        if trace is not None:
            trace.close()
        if control is not None:
            control.close()
        if keeper is not None:
            keeper.close()  # halt, SIGTERM, SIGINT: the last state goes to disk
    return 0


def cmd_halt(args: argparse.Namespace) -> int:
    from .client.halt import halt
    try:
        halt(args.url)
    except OSError as e:
        print(f"sysproxy halt: {args.url}: {e.strerror or e}", file=sys.stderr)
        return 1
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from .run import run
    argv = args.argv[1:] if args.argv[:1] == ["--"] else args.argv
    if not argv:
        print("sysproxy run: no program given", file=sys.stderr)
        return 2
    return run(argv, args.server, args.prefix, args.net)


def build_parser(with_tools: bool = True) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="sysproxy", description="NetBSD rump kernel sysproxy in Python")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="run a kernel and serve it on URL (like rump_server)")
    s.add_argument("url", nargs="?", default=os.environ.get("RUMP_SERVER", DEFAULT_URL),
                   help=f"unix://PATH, tcp://ADDR:PORT or tcp6://[ADDR]:PORT (default {DEFAULT_URL})")
    s.add_argument("--max-clients", type=int, default=1024, help="most connections at once")
    s.add_argument("--hostname", help="kern.hostname at boot")
    s.add_argument("--memlimit", "-r", type=_size, help="tmpfs memory limit, e.g. 64m")
    s.add_argument("--prefork-ttl", type=float, default=60.0,
                   help="seconds an unclaimed prefork is kept")
    s.add_argument("--sendsig", type=int, metavar="SIGNO",
                   help="raise SIGNO in the first client process (NetBSD h_simpleserver sendsig)")
    s.add_argument("--max-frame", type=_size, default=None,
                   help="longest frame accepted (default: enough for a 64 MiB copy)")
    s.add_argument("-d", "--drive", action="append", default=[], type=_drivespec,
                   metavar="SPEC",
                   help="key=KPATH,hostpath=FILE,size=host|BYTES[,offset=N][,type=blk|chr|reg]: "
                        "host FILE as a block device (or chr, reg) at KPATH, as rump_server -d "
                        "(repeatable), e.g. -d key=/dk,hostpath=disk.img,size=64m")
    g = s.add_argument_group("security (README: Security)")
    g.add_argument("--socket-mode", type=_mode, default=0o600, metavar="MODE",
                   help="mode of the unix socket, octal (default 0600: only this user "
                        "and root can connect)")
    g.add_argument("--creds", choices=("owner", "peer", "root"), default="owner",
                   help="who a client is in the kernel: peer = its host uid/gid/groups "
                        "(unix sockets); owner = root for host root and this user, peer "
                        "for others (default); root = everyone root, as rump_server")
    g.add_argument("--tcp-creds", type=_ids, default=(0, 0), metavar="UID:GID",
                   help="kernel uid:gid of TCP clients under owner/peer (default 0:0)")
    g.add_argument("--allow-remote", action="store_true",
                   help="allow a TCP listener on an address other than loopback")
    g.add_argument("--limit", type=_limits, action="append", default=[],
                   metavar="NAME=N[,...]",
                   help="per client process tree (a guest and what it forks): procs=N "
                        "(EAGAIN), fds=N (ENFILE), calls=N in flight (EAGAIN), mem=SIZE of "
                        "tmpfs data (ENOSPC); 0 = none; default procs=1024,fds=16384,"
                        "calls=4096,mem=1g")
    s.add_argument("--state", metavar="FILE",
                   help="keep the root file system in FILE: restored at start, saved "
                        "atomically on halt, on sync(2) and every --state-interval seconds "
                        "(docs/STATE-FORMAT.md)")
    s.add_argument("--state-interval", type=float, default=30.0, metavar="SECONDS",
                   help="seconds between periodic saves with --state (default 30; 0: only "
                        "on halt and sync)")
    o = s.add_argument_group("observing (docs/CONTROL.md)")
    o.add_argument("--control", metavar="URL",
                   help="the control socket for trace/stats/inject (unix:// only; default "
                        "PATH.ctl beside a unix socket, none for TCP; 'none' turns it off)")
    o.add_argument("--trace", metavar="FILE",
                   help="write every call to FILE ('-': standard output) from the start")
    o.add_argument("--trace-json", action="store_true", help="--trace as JSON lines")
    o.add_argument("--inject", action="append", default=[], metavar="SPEC",
                   help="fault injection, strace syntax (README: Fault injection); repeatable")
    o.add_argument("--stats", action="store_true",
                   help="count calls from the start (else from the first `sysproxy stats`)")
    s.add_argument("-v", "--verbose", action="count", default=0)
    s.set_defaults(func=cmd_serve)
    h = sub.add_parser("halt", help="halt a server (like rump.halt)")
    h.add_argument("url", nargs="?", default=os.environ.get("RUMP_SERVER", DEFAULT_URL))
    h.set_defaults(func=cmd_halt)
    r = sub.add_parser("run", help="run a host program with PREFIX served by the kernel")
    r.add_argument("--server", default=os.environ.get("RUMP_SERVER", DEFAULT_URL),
                   help="server URL")
    r.add_argument("--prefix", default="/rump",
                   help="paths under it are the kernel's (default /rump)")
    r.add_argument("--net", action="store_true", help="AF_INET/AF_INET6 sockets are the kernel's")
    r.add_argument("argv", nargs=argparse.REMAINDER, metavar="PROGRAM [ARGS...]")
    r.set_defaults(func=cmd_run)
    if with_tools:
        from .tools import observe  # trace, stats, inject: clients of the control socket
        observe.register(sub, DEFAULT_URL)
        from . import tools  # ls, cat, put, get, ... and shell: clients of the server
        tools.register(sub, DEFAULT_URL)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # `serve` and `halt` skip importing the client tools: it keeps startup short.
    quick = bool(argv) and argv[0] in ("serve", "halt", "run")
    args = build_parser(with_tools=not quick).parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
