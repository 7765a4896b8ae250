"""Command-line tools on a sysproxy kernel, in the spirit of NetBSD's rump.* and fs-utils.

``sysproxy ls|cat|put|get|mkdir|rm|mv|ln|stat|tree|sysctl|ps|kdump|shell``: each
connects to the server named by ``--server URL`` or $RUMP_SERVER (else the
CLI's default URL), becomes one kernel process for the run, and exits 1 after
printing ``sysproxy TOOL: OPERAND: reason`` for what failed, as BSD tools do.
They use only the client library: the kernel is reached over the wire.
"""
from __future__ import annotations

import argparse
import os
import sys
from functools import partial

from . import files, info, kdump, shell, transfer  # noqa: F401  (each registers its commands)
from .common import COMMANDS, Command, Ctx

__all__ = ["register", "COMMANDS"]


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]",
             default_url: str) -> None:
    """Add every tool as a subcommand of the ``sysproxy`` parser."""
    for cmd in COMMANDS.values():
        p = sub.add_parser(cmd.name, help=cmd.help, description=cmd.help)
        p.add_argument("--server", metavar="URL",
                       help=f"the server (default: $RUMP_SERVER, else {default_url})")
        cmd.setup(p)
        p.set_defaults(func=partial(run_tool, cmd, default_url=default_url))


def server_url(args: argparse.Namespace, default_url: str) -> str:
    return args.server or os.environ.get("RUMP_SERVER") or default_url


def run_tool(cmd: Command, args: argparse.Namespace, default_url: str) -> int:
    """One tool run on its own connection: the exit status (0, 1; 130 on ^C)."""
    from sysproxy.client import ConnectionLost, Kernel
    prog = f"sysproxy {cmd.name}"
    if getattr(args, "host", False) and cmd.name == "kdump":  # a host file: no server needed
        return kdump.dump(None, args)
    url = server_url(args, default_url)
    try:
        k = Kernel(url, cmd.name)
    except (OSError, ValueError) as e:
        print(f"{prog}: {url}: {getattr(e, 'strerror', None) or e}", file=sys.stderr)
        return 1
    ctx = Ctx(k, prog, sys.stdout, sys.stderr)
    try:
        rc = cmd.run(ctx, args)
        sys.stdout.flush()
        return rc if rc is not None else ctx.status
    except BrokenPipeError:
        # The reader went away (sysproxy cat f | head): stop quietly, as cat(1) does.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except ConnectionLost as e:
        print(f"{prog}: {url}: {e.strerror or 'connection lost'}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        try:
            k.disconnect()
        except OSError:
            pass
