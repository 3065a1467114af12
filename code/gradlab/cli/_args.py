"""Argument types shared by the subcommands; each rejects bad input in one line."""

from __future__ import annotations

import argparse
import math
import os
from pathlib import Path


def positive_float(text: str) -> float:
    """A finite number > 0 (learning rates, scales)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a number > 0, got {text!r}"
        ) from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"expected a finite number > 0, got {text!r}")
    return value


def _integer(text: str, minimum: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a whole number >= {minimum}, got {text!r}"
        ) from None
    if value < minimum:
        raise argparse.ArgumentTypeError(
            f"expected a whole number >= {minimum}, got {value}"
        )
    return value


def positive_int(text: str) -> int:
    """A whole number >= 1 (links, hidden units, epochs)."""
    return _integer(text, 1)


def nonnegative_int(text: str) -> int:
    """A whole number >= 0 (steps, seeds)."""
    return _integer(text, 0)


def writable_file(text: str) -> Path:
    """A file path in an existing, writable folder (the file itself may not exist)."""
    path = Path(text)
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is a folder, expected a file path")
    if not folder.is_dir():
        raise argparse.ArgumentTypeError(
            f"cannot write {text!r}: no folder {str(folder)!r}"
        )
    existed = path.exists()
    try:  # a real probe: permission bits say nothing for root or read-only file systems
        with open(path, "ab"):
            pass
    except OSError as error:
        reason = (error.strerror or "not writable").lower()
        raise argparse.ArgumentTypeError(f"cannot write {text!r}: {reason}") from None
    if not existed:
        path.unlink()
    return path


def writable_dir(text: str) -> Path:
    """A folder that exists or can be created, and can be written to."""
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} exists and is not a folder")
    probe = path
    while not probe.exists():
        probe = probe.parent
    if not os.access(probe, os.W_OK):
        raise argparse.ArgumentTypeError(f"cannot write to {text!r}: permission denied")
    return path
