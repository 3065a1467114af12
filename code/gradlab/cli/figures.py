"""``python -m gradlab figures``: regenerate every figure the book embeds."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path

from gradlab.cli._args import writable_dir

HELP = "write every figure of the book to a folder"
DESCRIPTION = (
    "Rebuild the book's figures with the same package calls the chapters make, one "
    "file per figure named after it (PNG, SVG or GIF). Each file is complete or "
    "absent: a failure removes the file it was writing and keeps (and lists) the "
    "ones already written."
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--out", type=writable_dir, metavar="FOLDER", help="output folder (required)"
    )
    p.add_argument(
        "--only", action="append", metavar="NAME", help="only this figure (repeatable)"
    )
    p.add_argument("--list", action="store_true", help="list the names and exit")


def check(args: argparse.Namespace) -> None:
    if args.out is None and not args.list:
        raise ValueError("--out FOLDER is required (or --list)")


def run(args: argparse.Namespace) -> int:
    from gradlab.figures import registry, select

    if args.list:
        print("\n".join(sorted(registry())))
        return 0
    builders = select(args.only)
    created = _make_folder(args.out)
    written: list[Path] = []
    try:
        _write(args, builders, written)
    except BaseException as error:
        if not written:
            _remove_empty(created)
        elif isinstance(error, OSError) and error.errno:
            kept = (
                f"{error.strerror}; the {len(written)} of {len(builders)} figures "
                "listed above are complete, the unfinished one was removed"
            )
            raise OSError(error.errno, kept, error.filename) from error
        raise
    return 0


def _write(args: argparse.Namespace, builders: dict, written: list[Path]) -> None:
    from gradlab.cli._output import atomic_path, progress
    from gradlab.figures import figure_format, write_figure

    with progress(len(builders), "figure", quiet=args.quiet) as on_step:
        for name, build in builders.items():
            figure = build()
            path = args.out / f"{name}.{figure_format(figure)}"
            with atomic_path(path) as temp:
                write_figure(figure, temp)
            written.append(path)
            _say(str(path), bar=on_step is not None)
            if on_step is not None:
                on_step(len(written))


def _say(line: str, *, bar: bool) -> None:
    if bar:  # print above the bar, not through it
        from tqdm import tqdm

        tqdm.write(line, file=sys.stdout)
    else:
        print(line, flush=True)


def _make_folder(out: Path) -> list[Path]:
    """Create ``out`` and its missing parents; return those created, deepest first."""
    missing = []
    folder = Path(os.path.abspath(out))
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    out.mkdir(parents=True, exist_ok=True)
    return missing


def _remove_empty(folders: list[Path]) -> None:
    for folder in folders:
        with contextlib.suppress(OSError):
            folder.rmdir()
