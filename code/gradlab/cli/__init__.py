"""The command line: ``python -m gradlab SUBCOMMAND ...`` (``--help`` lists them).

A subcommand is a module named after it: its help (``HELP``, ``DESCRIPTION``,
optionally ``EPILOG``), ``add_arguments(parser)``, ``run(args)`` that calls the
chapter's experiment and plot functions, and optionally ``work(args)``: the run's
size for ``--dry-run``, or a ValueError when settings together are over a limit. Only
``run`` imports torch and matplotlib, so ``--help`` and bad input answer at once.

Nothing ends in a traceback: bad input is one line on stderr and exit status 2;
Ctrl-C prints "interrupted" (status 130; SIGTERM: "terminated", 143) and leaves no
partial file; any other error is one line and status 1 (GRADLAB_TRACEBACK=1 shows
the traceback).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence

from gradlab.cli import chain, descent, figures, mlp

#: Subcommand modules, in the order ``--help`` lists them.
COMMANDS = (descent, figures, mlp, chain)


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are a single line: 'prog: error: message'."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


class Version(argparse.Action):
    """``--version``: the installed package's version, looked up only when asked."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs) -> None:
        super().__init__(option_strings, dest, nargs=0, help=kwargs.get("help"))

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        import gradlab

        print(f"gradlab {gradlab.__version__}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="python -m gradlab",
        description="Run the experiments of the book 'Pull the Chain' from the shell.",
    )
    parser.add_argument("--version", action=Version, help="print the version and exit")
    sub = parser.add_subparsers(
        dest="command", metavar="SUBCOMMAND", required=True, parser_class=OneLineParser
    )
    for command in COMMANDS:
        name = command.__name__.rpartition(".")[2]
        epilog = getattr(command, "EPILOG", None)
        p = sub.add_parser(
            name, help=command.HELP, description=command.DESCRIPTION, epilog=epilog
        )
        command.add_arguments(p)
        if hasattr(command, "work"):
            what = "print the size of the run against its limits, and exit"
            p.add_argument("--dry-run", action="store_true", help=what)
        p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
        p.set_defaults(subcommand=command)
    return parser


def _glue_negative_numbers(argv: Sequence[str]) -> list[str]:
    """Write ``--lr -inf`` as ``--lr=-inf``: argparse takes '-inf' or '-1e5' for an
    option and says "expected one argument"; glued, the value is parsed and then
    rejected with the real reason."""
    glued: list[str] = []
    for token in argv:
        last = glued[-1] if glued else ""
        if last.startswith("--") and "=" not in last and token.startswith("-"):
            with contextlib.suppress(ValueError):
                float(token)
                glued[-1] = f"{last}={token}"
                continue
        glued.append(token)
    return glued


class Terminated(BaseException):
    """Raised by SIGTERM in the command-line process, so that cleanup runs."""


def _terminate(signum, frame) -> None:
    raise Terminated


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` (default: sys.argv[1:]), run the subcommand, return its status.

    As the program itself (no ``argv``), it also makes SIGTERM clean up like Ctrl-C
    and writes characters its terminal cannot show as escapes, not a traceback.
    """
    program = argv is None
    if program:
        argv = sys.argv[1:]
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(AttributeError, ValueError):
                stream.reconfigure(errors="backslashreplace")
    args = build_parser().parse_args(_glue_negative_numbers(argv))
    if program:
        import signal  # after parsing, like everything --help does not need

        signal.signal(signal.SIGTERM, _terminate)
    try:
        return _run(args)
    except (Exception, KeyboardInterrupt, Terminated) as error:
        return _failure(f"python -m gradlab {args.command}", error)


def _failure(prog: str, error: BaseException) -> int:
    """Say on stderr, in one line, what stopped the run; return the exit status."""
    if isinstance(error, BrokenPipeError):  # the reader left (`... | head -1`)
        if sys.stdout is sys.__stdout__:  # so that Python's last flush is quiet too
            with contextlib.suppress(OSError, ValueError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    if isinstance(error, KeyboardInterrupt):
        line, status = "interrupted", 130  # 128 + SIGINT, as shells report it
    elif isinstance(error, Terminated):
        line, status = "terminated", 143  # 128 + SIGTERM
    elif isinstance(error, (ValueError, TypeError, OSError)):
        line, status = f"{prog}: error: {_one_line(error)}", 2  # as argparse's
    elif os.environ.get("GRADLAB_TRACEBACK"):
        raise error
    else:
        name, hint = type(error).__name__, "(GRADLAB_TRACEBACK=1 shows where)"
        line, status = f"{prog}: internal error: {name}: {_one_line(error)} {hint}", 1
    print(line, file=sys.stderr)
    return status


def _run(args: argparse.Namespace) -> int:
    command = args.subcommand
    size = command.work(args) if hasattr(command, "work") else ""  # or ValueError
    if getattr(args, "dry_run", False):
        print(size)
        return 0
    from gradlab.book import pin_float_path

    pin_float_path()  # the book's digits, on any x86-64 processor (before torch)
    import torch  # after parsing, so that --help and argument errors stay instant

    torch.set_num_threads(1)  # tiny tensors: a thread per core only adds waiting
    return command.run(args)


def _one_line(error: BaseException) -> str:
    """An exception as one line; an OSError as 'cannot write FILE: reason'."""
    if isinstance(error, OSError) and error.strerror:
        reason = error.strerror[:1].lower() + error.strerror[1:]
        if error.filename is None:
            return reason
        return f"cannot write {str(error.filename)!r}: {reason}"
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__
