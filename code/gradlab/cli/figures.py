"""``python -m gradlab figures``: regenerate every figure the book embeds."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path

from gradlab.cli.options import writable_dir

HELP = "write every figure of the book to a folder"
DESCRIPTION = (
    "Rebuild the book's figures with the same package calls the chapters make, one "
    "file per figure named after it (PNG, SVG or GIF). Each file is complete or "
    "absent: a failure removes the file it was writing and keeps (and lists) the "
    "ones already written."
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--out", type=writable_dir, metavar="DIR", help="output folder")
    where.add_argument("--list", action="store_true", help="list the names and exit")
    p.add_argument(
        "--only", action="append", metavar="NAME", help="only NAME (repeatable)"
    )


def run(args: argparse.Namespace) -> int:
    from gradlab.figures import registry, select

    if args.list:
        print("\n".join(sorted(registry())))
        return 0
    builders = select(args.only)
    out = Path(os.path.abspath(args.out))
    made = [folder for folder in (out, *out.parents) if not folder.exists()]
    args.out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    try:
        _write(args, builders, written)
    except BaseException as error:
        if not written:  # remove the folders made for nothing, deepest first
            for folder in made:
                with contextlib.suppress(OSError):
                    folder.rmdir()
        elif isinstance(error, OSError) and error.errno:
            kept = (
                f"{error.strerror}; the {len(written)} of {len(builders)} figures "
                "listed above are complete, the unfinished one was removed"
            )
            raise OSError(error.errno, kept, error.filename) from error
        raise
    return 0


def _write(args: argparse.Namespace, builders: dict, written: list[Path]) -> None:
    from gradlab.cli._output import Watch, atomic_path
    from gradlab.figures import figure_format, write_figure

    with Watch(len(builders), "figure", quiet=args.quiet) as watch:
        for name, build in builders.items():
            figure = build()
            path = args.out / f"{name}.{figure_format(figure)}"
            with atomic_path(path) as temp:
                write_figure(figure, temp)
            written.append(path)
            watch.bar.write(str(path), file=sys.stdout)  # above the bar, if shown
            sys.stdout.flush()
            watch(len(written))
