"""The command line: ``python -m gradlab SUBCOMMAND ...`` (``--help`` lists them).

Each subcommand lives in its own module of this package, named after it, which
holds the texts of its help (``HELP``, its line in ``--help``; ``DESCRIPTION``; and
optionally ``EPILOG``) and its functions: ``add_arguments(parser)`` declares its
options; ``run(args) -> int`` does the run; optionally, ``check(args)`` rejects
settings that are bad together (a work or memory limit, two outputs on one file) and
``work(args)`` describes the run for ``--dry-run``. `gradlab.cli._args.add_subcommand`
makes the parser from them. The modules import only what argparse needs and ``run``
imports the rest, so ``--help``, ``--version``, ``--dry-run`` and argument errors
never load torch or matplotlib.

Nothing ends in a traceback: argument errors, and ``ValueError``, ``TypeError`` or
``OSError`` raised for bad values, become one line on stderr and exit status 2;
Ctrl-C prints "interrupted" and exits with 130 (SIGTERM: "terminated", 143), and
leaves no partial file; anything else is one line naming the error and exit status
1 (set GRADLAB_TRACEBACK=1 to see the traceback).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence

from gradlab.cli import chain, descent, figures, mlp
from gradlab.cli._args import add_subcommand

#: Subcommand modules, in the order ``--help`` lists them.
COMMANDS = (descent, figures, mlp, chain)

USAGE_ERROR = 2
INTERNAL_ERROR = 1
INTERRUPTED = 130  # 128 + SIGINT, as shells report it
TERMINATED = 143  # 128 + SIGTERM


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are a single line: 'prog: error: message'."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(USAGE_ERROR, f"{self.prog}: error: {message}\n")


class _Version(argparse.Action):
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
    parser.add_argument("--version", action=_Version, help="print the version and exit")
    sub = parser.add_subparsers(
        dest="command", metavar="SUBCOMMAND", required=True, parser_class=OneLineParser
    )
    for command in COMMANDS:
        add_subcommand(sub, command)
    return parser


def _glue_negative_numbers(argv: Sequence[str]) -> list[str]:
    """Write ``--lr -inf`` as ``--lr=-inf``: argparse takes '-inf' or '-1e5' for an
    option and says "expected one argument"; glued, the value is parsed and then
    rejected with the real reason."""
    glued: list[str] = []
    for token in argv:
        previous = glued[-1] if glued else ""
        if (
            token.startswith("-")
            and _is_number(token)
            and previous.startswith("--")
            and "=" not in previous
        ):
            glued[-1] = f"{previous}={token}"
        else:
            glued.append(token)
    return glued


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _one_line(error: BaseException) -> str:
    """An exception as one line; an OSError as 'cannot write FILE: reason'."""
    if isinstance(error, OSError) and error.strerror:
        reason = error.strerror[:1].lower() + error.strerror[1:]
        if error.filename is None:
            return reason
        return f"cannot write {str(error.filename)!r}: {reason}"
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


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
    parser = build_parser()
    args = parser.parse_args(_glue_negative_numbers(argv))
    import signal  # after parsing, like everything --help does not need
    import threading

    previous = signal.getsignal(signal.SIGTERM)
    if program and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminate)
    try:
        return _run(parser, args)
    finally:
        if signal.getsignal(signal.SIGTERM) is _terminate:
            signal.signal(signal.SIGTERM, previous)


def _run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    prog = f"{parser.prog} {args.command}"
    try:
        check = getattr(args, "check", None)
        if check is not None:
            check(args)
        if getattr(args, "dry_run", False):
            print(args.work(args))
            return 0
        from gradlab.book import pin_float_path

        pin_float_path()  # the book's digits, on any x86-64 processor (before torch)
        import torch  # after parsing, so that --help and argument errors stay instant

        # Tiny tensors: torch's default of a thread per core collapses on shared cores.
        torch.set_num_threads(1)
        return args.run(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return INTERRUPTED
    except Terminated:
        print("terminated", file=sys.stderr)
        return TERMINATED
    except BrokenPipeError:  # the reader went away (`... | head -1`): nothing to say
        _silence_stdout()
        return INTERNAL_ERROR
    except (ValueError, TypeError, OSError) as error:
        print(f"{prog}: error: {_one_line(error)}", file=sys.stderr)
        return USAGE_ERROR
    except Exception as error:
        if os.environ.get("GRADLAB_TRACEBACK"):
            raise
        print(
            f"{prog}: internal error: {type(error).__name__}: {_one_line(error)} "
            "(GRADLAB_TRACEBACK=1 shows where)",
            file=sys.stderr,
        )
        return INTERNAL_ERROR


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that Python's final flush does not complain."""
    if sys.stdout is not sys.__stdout__:  # captured (tests): leave it alone
        return
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
