"""``python -m gradlab figures``: regenerate every figure the book embeds."""

from __future__ import annotations

import argparse

from gradlab.cli._args import writable_dir


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "figures",
        help="write every figure of the book to a folder",
        description="Rebuild the book's figures with the same package calls the "
        "chapters make, one file per figure named after it (PNG, SVG or GIF).",
    )
    p.add_argument("--out", type=writable_dir, help="output folder (required)")
    p.add_argument(
        "--only", action="append", metavar="NAME", help="only this figure (repeatable)"
    )
    p.add_argument("--list", action="store_true", help="list the names and exit")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from gradlab.figures import registry, write_figures

    if args.list:
        print("\n".join(sorted(registry())))
        return 0
    if args.out is None:
        raise ValueError("--out FOLDER is required (or --list)")
    for path in write_figures(args.out, args.only):
        print(path)
    return 0
