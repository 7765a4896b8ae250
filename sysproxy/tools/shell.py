"""sysproxy shell: the tools at a prompt, all on one connection (one kernel process).

On a terminal it reads lines with readline: history kept in
~/.sysproxy_history ($SYSPROXY_HISTORY), tab completion of command names, of
kernel paths (by listdir over the connection) and of host paths where a tool
takes a host file (put's first operand, get's second). Otherwise it runs
standard input line by line without a prompt, so scripts can drive it; its exit
status is the last command's, as sh's is. Built-ins: cd, pwd, help, exit.
"""
from __future__ import annotations

import argparse
import glob
import os
import shlex
import stat as _stat
import sys
from typing import TYPE_CHECKING, TextIO

from .common import COMMANDS, Command, Ctx, HelpShown, Parser, UsageError, command, kjoin, reason

if TYPE_CHECKING:
    from sysproxy.client import Kernel

BUILTINS = ("cd", "pwd", "help", "exit", "quit")
HISTORY_LEN = 1000
# Where a tool's operand is a host path: command -> positional index.
HOST_OPERANDS = {"put": 0, "get": 1}


class Shell:
    """Runs tool command lines against one kernel; see the module docstring."""

    def __init__(self, k: "Kernel", out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> None:
        self.k, self.out, self.err = k, out, err
        self.status = 0
        self.done = False
        self._parsers: dict[str, Parser] = {}
        self._matches: list[str] = []

    # ----- running lines ----------------------------------------------------

    def _parser(self, cmd: Command) -> Parser:
        p = self._parsers.get(cmd.name)
        if p is None:
            p = Parser(prog=cmd.name, description=cmd.help)
            cmd.setup(p)
            self._parsers[cmd.name] = p
        return p

    def run_line(self, line: str) -> int:
        """Run one command line; its status (also kept in ``self.status``)."""
        try:
            words = shlex.split(line, comments=True)
        except ValueError as e:
            print(f"sysproxy: {e}", file=self.err)
            self.status = 2
            return 2
        if words:
            self.status = self._run(words)
        return self.status

    def _run(self, words: list[str]) -> int:
        name, argv = words[0], words[1:]
        if name in BUILTINS:
            return self._builtin(name, argv)
        cmd = COMMANDS.get(name)
        if cmd is None or name == "shell":
            print(f"sysproxy: {name}: command not found", file=self.err)
            return 127
        try:
            args = self._parser(cmd).parse_args(argv)
        except UsageError as e:
            print(e, file=self.err)
            return 2
        except HelpShown:
            return 0
        ctx = Ctx(self.k, name, self.out, self.err)
        try:
            rc = cmd.run(ctx, args)
        except KeyboardInterrupt:
            print("^C", file=self.err)
            return 130
        self.out.flush()
        return rc if rc is not None else ctx.status

    def _builtin(self, name: str, argv: list[str]) -> int:
        if name in ("exit", "quit"):
            self.done = True
            try:
                return int(argv[0]) if argv else self.status
            except ValueError:
                print(f"sysproxy: {name}: {argv[0]}: numeric argument required", file=self.err)
                return 2
        if name == "pwd":
            try:
                print(self.k.getcwd(), file=self.out)
            except OSError as e:
                print(f"pwd: {reason(e)}", file=self.err)
                return 1
            return 0
        if name == "cd":
            target = argv[0] if argv else "/"
            try:
                self.k.chdir(target)
            except OSError as e:
                print(f"cd: {target}: {reason(e)}", file=self.err)
                return 1
            return 0
        return self._help(argv)

    def _help(self, argv: list[str]) -> int:
        if argv:
            cmd = COMMANDS.get(argv[0])
            if cmd is None:
                print(f"help: {argv[0]}: no such command", file=self.err)
                return 1
            self._parser(cmd).print_help(self.out)
            return 0
        for cmd in sorted(COMMANDS.values(), key=lambda c: c.name):
            if cmd.name != "shell":
                print(f"  {cmd.name:<8} {cmd.help}", file=self.out)
        print("  cd, pwd, help [COMMAND], exit [STATUS]", file=self.out)
        return 0

    # ----- completion -------------------------------------------------------

    def completions(self, before: str, text: str) -> list[str]:
        """What ``text`` may become, given the line ``before`` it (the testable core)."""
        try:
            words = shlex.split(before)
        except ValueError:
            words = before.split()
        if not words:
            names = [c for c in COMMANDS if c != "shell"] + list(BUILTINS)
            return sorted(n + " " for n in set(names) if n.startswith(text))
        operand = len([w for w in words[1:] if not w.startswith("-")])
        if HOST_OPERANDS.get(words[0]) == operand:
            return self.host_paths(text)
        if text.startswith("-"):
            return []
        return self.kernel_paths(text, dirs_only=words[0] == "cd")

    def kernel_paths(self, text: str, dirs_only: bool = False) -> list[str]:
        """Kernel names completing ``text``; directories end in '/'."""
        head, sep, base = text.rpartition("/")
        where = (head or "/") if sep else "."
        try:
            names = self.k.listdir(where)
        except OSError:
            return []
        out = []
        for n in sorted(names):
            if not n.startswith(base) or (n.startswith(".") and not base.startswith(".")):
                continue
            try:
                is_dir = _stat.S_ISDIR(self.k.stat(kjoin(where, n)).st_mode)
            except OSError:
                is_dir = False
            if is_dir:
                out.append(f"{head}{sep}{n}/")
            elif not dirs_only:
                out.append(f"{head}{sep}{n}")
        return out

    @staticmethod
    def host_paths(text: str) -> list[str]:
        """Host names completing ``text``; directories end in '/'."""
        found = sorted(glob.glob(glob.escape(os.path.expanduser(text)) + "*"))
        return [p + "/" if os.path.isdir(p) else p for p in found]

    def complete(self, text: str, state: int) -> str | None:
        """readline's completer: matches for the word under the cursor, one per state."""
        if state == 0:
            import readline
            line = readline.get_line_buffer()
            self._matches = self.completions(line[:readline.get_begidx()], text)
            if len(self._matches) == 1 and self._matches[0].endswith("/"):
                # A lone directory: offer it twice so readline adds no space after '/'.
                self._matches = self._matches * 2
        return self._matches[state] if state < len(self._matches) else None

    # ----- loops --------------------------------------------------------------

    def run_script(self, stream: TextIO) -> int:
        """Standard input that is not a terminal: every line, no prompt."""
        for line in stream:
            self.run_line(line)
            if self.done:
                break
        return self.status

    def interact(self) -> int:
        """A terminal: readline prompt, history file, completion."""
        import readline
        hist = os.environ.get("SYSPROXY_HISTORY") or os.path.expanduser("~/.sysproxy_history")
        try:
            readline.read_history_file(hist)
        except OSError:
            pass
        readline.set_history_length(HISTORY_LEN)
        readline.set_completer_delims(" \t\n")
        readline.set_completer(self.complete)
        readline.parse_and_bind("tab: complete")
        try:
            while not self.done:
                try:
                    line = input(self._prompt())
                except EOFError:
                    print(file=self.out)
                    break
                except KeyboardInterrupt:
                    print("^C", file=self.err)
                    continue
                self.run_line(line)
        finally:
            try:
                readline.write_history_file(hist)
            except OSError:
                pass
        return self.status

    def _prompt(self) -> str:
        try:
            return f"sysproxy:{self.k.getcwd()}> "
        except OSError:
            return "sysproxy> "


@command("shell", "an interactive prompt running these tools on one connection")
def cmd_shell(ctx: Ctx, args: argparse.Namespace) -> int:
    from sysproxy.client import ConnectionLost
    sh = Shell(ctx.k, ctx.out, ctx.err)
    try:
        if sys.stdin.isatty():
            return sh.interact()
        return sh.run_script(sys.stdin)
    except ConnectionLost as e:
        print(f"{ctx.prog}: connection lost: {reason(e)}", file=ctx.err)
        return 1
