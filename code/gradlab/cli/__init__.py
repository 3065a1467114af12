"""The command line: ``python -m gradlab SUBCOMMAND ...`` (``--help`` lists them).

Each subcommand lives in its own module of this package with two functions:
``add_parser(subparsers)`` declares its arguments and ``run(args) -> int`` does the
work. The modules import only what argparse needs and ``run`` imports the rest, so
``--help`` and argument errors never load torch or matplotlib. Bad input never ends
in a traceback: argument errors, and ``ValueError``, ``TypeError`` or ``OSError``
raised by the library for bad values, become one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from gradlab.cli import chain, descent, figures, mlp

#: Subcommand modules, in the order ``--help`` lists them.
COMMANDS = (descent, figures, mlp, chain)

USAGE_ERROR = 2


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are a single line: 'prog: error: message'."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(USAGE_ERROR, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="python -m gradlab",
        description="Run the experiments of the book 'Pull the Chain' from the shell.",
    )
    sub = parser.add_subparsers(dest="command", metavar="SUBCOMMAND", required=True)
    for command in COMMANDS:
        command.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` (default: sys.argv[1:]), run the subcommand, return its status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    import torch  # after parsing, so that --help and argument errors stay instant

    # Tiny tensors: torch's default of a thread per core collapses on shared cores.
    torch.set_num_threads(1)
    try:
        return args.run(args)
    except (ValueError, TypeError, OSError) as error:
        print(f"{parser.prog} {args.command}: error: {error}", file=sys.stderr)
        return USAGE_ERROR
