"""Option types and limits shared by the subcommands.

Each type rejects a bad value with one line (argparse adds the option's name) before
any work starts, and nothing here imports torch or matplotlib: ``--help`` and bad
input answer within the 0.5 s that `make bench` allows ``python -m gradlab --help``.
"""

from __future__ import annotations

import argparse
import math
import os
import stat
from decimal import Decimal, InvalidOperation
from pathlib import Path

Bad = argparse.ArgumentTypeError

#: Steps of descent and of the chain; each step's parameters are kept.
MAX_STEPS = 100_000
#: torch takes seeds below 2**64 but from 2**63 on repeats smaller ones (2**63 acts
#: as 0), so larger seeds would silently be the same run.
MAX_SEED = 2**63 - 1
#: Formats of a figure (``--out``), known by the file's extension.
FIGURE_FORMATS = ("png", "svg", "pdf", "jpg", "jpeg")
#: What a path holds, by `stat.filemode`'s first letter (see `_kind`).
_KINDS = (
    "a file,a folder,a named pipe (FIFO),a character device,a block device,a socket"
)
KINDS = dict(zip("-dpcbs", _KINDS.split(","), strict=True))


def add(parser: argparse.ArgumentParser, flag: str, help: str, **kwargs) -> None:
    """``parser.add_argument(flag, ...)``, its help ending in the type's maximum and
    the default, if any."""
    if hasattr(kwargs.get("type"), "most"):
        help += f", at most {kwargs['type'].most:,}"
    if kwargs.get("default") is not None:
        help += " (default: %(default)s)"
    parser.add_argument(flag, help=help, **kwargs)


def add_output(parser: argparse.ArgumentParser, what: str) -> None:
    """An optional ``--out FILE`` to save a figure of ``what`` in."""
    help = f"save a figure of {what} here ({', '.join(FIGURE_FORMATS)})"
    type = output_file(*FIGURE_FORMATS)
    parser.add_argument("--out", type=type, metavar="FILE", help=help)


def _clip(text: str) -> str:
    return repr(text) if len(text) <= 60 else repr(text[:28] + "…" + text[-28:])


def positive_float(text: str) -> float:
    """A finite number > 0 (learning rates)."""
    try:
        value = float(text)
    except ValueError:
        raise Bad(f"expected a number > 0, got {_clip(text)}") from None
    if not (math.isfinite(value) and value > 0):
        raise Bad(f"expected a finite number > 0, got {_clip(text)}")
    return value


def integer(lo: int, hi: int, why: str):
    """A type for whole numbers from ``lo`` to ``hi`` (``why`` says why not more),
    read as a decimal: '1e9' is refused for its size, '1e3' with how to write it,
    and a number of any length is compared, never converted."""

    def whole_number(text: str) -> int:
        expected = f"expected a whole number >= {lo}"
        try:
            value = Decimal(text)
        except InvalidOperation:
            value = Decimal("nan")
        if not value.is_finite() or value != value.to_integral_value():
            raise Bad(f"{expected}, got {_clip(text)}")
        if value > hi:
            raise Bad(f"at most {hi:,} ({why}), got {_size(value)}")
        if value < lo:
            raise Bad(f"{expected}, got {_size(value)}")
        if not text.strip().lstrip("+").isdigit():
            raise Bad(f"{expected}, got {_clip(text)} (write it as {int(value)})")
        return int(value)

    whole_number.most = hi
    return whole_number


def _size(value: Decimal) -> str:
    digits = value.adjusted() + 1
    return f"{value:,f}" if digits <= 24 else f"a number of {digits} digits"


#: Seeds of the random generators.
seed = integer(0, MAX_SEED, "torch repeats seeds from 2**63 on")
#: Steps of descent and of the chain.
steps = integer(0, MAX_STEPS, "a longer run takes minutes and keeps every step")


def check_product(factors: dict[str, int], limit: int, why: str) -> int:
    """The product of ``factors``; ValueError when it is over ``limit``."""
    product = math.prod(factors.values())
    if product > limit:
        names = " × ".join(factors)
        values = " × ".join(f"{v:,}" for v in factors.values())
        raise ValueError(
            f"{names} is at most {limit:,} ({why}), got {values} = {product:,}"
        )
    return product


def outputs(args: argparse.Namespace) -> str:
    """The files a run writes, as ``--dry-run`` lists them: "; figure to 'x.png'"."""
    files = {"figure": args.out, "animation": getattr(args, "animation", None)}
    return "".join(f"; {what} to {str(f)!r}" for what, f in files.items() if f)


def _kind(text: str) -> str:
    """`stat.filemode`'s letter for what is at ``text`` (links followed, nothing
    opened, so that a FIFO never blocks), or '' when nothing is there. A name too
    long for the file system is refused here, before any work."""
    try:
        letter = stat.filemode(os.stat(text).st_mode)[0]
        return letter if letter in KINDS else "-"  # none else on Linux
    except FileNotFoundError:
        return ""
    except OSError as error:
        raise Bad(f"cannot write {_clip(text)}: {error.strerror.lower()}") from None


def _probe(folder: str, text: str) -> None:
    """Create and remove a file in ``folder``: the real test of writing there
    (permission bits say nothing for root or a read-only file system)."""
    import tempfile

    try:
        handle, name = tempfile.mkstemp(dir=folder, prefix=".gradlab-probe-")
    except OSError as error:
        raise Bad(f"cannot write {_clip(text)}: {error.strerror.lower()}") from None
    os.close(handle)
    os.unlink(name)


def output_file(*formats: str):
    """A type for a file to write in one of ``formats`` (known by its extension).

    Its folder must exist and be writable, and what is there already must be a
    regular, writable file: a folder, pipe or device is refused without opening it.
    """
    allowed = ", ".join(f".{f}" for f in formats)

    def file_path(text: str) -> Path:
        if not text.strip():
            raise Bad("expected a file path, got ''")
        kind, suffix, name = _kind(text), Path(text).suffix.lower()[1:], _clip(text)
        if kind not in ("", "-"):
            raise Bad(f"cannot write {name}: it is {KINDS[kind]}, not a regular file")
        if text.endswith(os.sep):
            raise Bad(f"{name} is a folder name, expected a file ({allowed})")
        if not suffix:
            raise Bad(f"{name} has no file extension: end it in {allowed}")
        if suffix not in formats:
            raise Bad(f"cannot write .{suffix} files ({name}): use {allowed}")
        if kind and not os.access(text, os.W_OK):
            raise Bad(f"cannot write {name}: permission denied")
        folder = os.path.dirname(os.path.realpath(text))
        if not os.path.isdir(folder):
            raise Bad(f"cannot write {name}: no folder {folder!r}")
        _probe(folder, text)
        return Path(text)

    return file_path


def writable_dir(text: str) -> Path:
    """A folder that exists or can be created, and can be written to."""
    if not text.strip():
        raise Bad("expected a folder, got ''")
    kind = _kind(text)
    if kind not in ("", "d"):
        raise Bad(f"{_clip(text)} exists and is {KINDS[kind]}, not a folder")
    existing = Path(os.path.abspath(text))
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise Bad(f"cannot create {_clip(text)}: {str(existing)!r} is not a folder")
    _probe(str(existing), text)
    return Path(text)
