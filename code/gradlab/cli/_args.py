"""Argument types and limits shared by the subcommands; each rejects bad input in one
line. Nothing here imports torch or matplotlib: every check runs before any work."""

from __future__ import annotations

import argparse
import errno
import math
import os
import stat
from pathlib import Path
from types import ModuleType

# Work and memory limits: every run stays under a few minutes and a few GB on a 2-core
# machine. Measured on one thread: a step of descent or of the chain costs 0.2-0.5 ms
# and keeps ~1.5 kB of history; an MLP epoch costs ~0.4 ms plus 20-35 ns per training
# point and hidden unit, and holds a few float32 arrays of that many numbers.
#: Steps of descent and of the chain: 100,000 take 20-50 s and keep ~150 MB.
MAX_STEPS = 100_000
#: Links of the chain (each step costs ~70 ns more per link).
MAX_LINKS = 10_000
#: Links × (steps + 1) of the chain: the angles of every step are kept (~250 MB);
#: 10,000 links × 2,000 steps take ~6 s.
MAX_CHAIN_CELLS = 20_000_000
#: Epochs of the MLP: 100,000 take ~40 s even for the book's 5-unit net.
MAX_EPOCHS = 100_000
#: Hidden units: the 26,492 test points need 26,492 × hidden scores (~0.2 GB a copy).
MAX_HIDDEN = 2_000
#: Training points of the MLP (and points drawn in its figure: ~8 s per million).
MAX_TRAIN_SIZE = 1_000_000
#: Training points × hidden units: one float32 array of that size is ~80 MB.
MAX_TRAIN_CELLS = 20_000_000
#: Epochs × training points × hidden units: 80-105 s at the limit.
MAX_MLP_WORK = 3_000_000_000
#: Seeds: torch takes seeds below 2**64 but from 2**63 on repeats smaller ones
#: (2**63 acts as 0), so larger seeds would be silently the same run.
MAX_SEED = 2**63 - 1

#: Formats a figure (``--out``) and an animation (``--animation``) can be written in.
FIGURE_FORMATS = ("png", "svg", "pdf", "jpg", "jpeg")
ANIMATION_FORMATS = ("gif",)

_PATH_MAX = 4096  # Linux; longer paths fail with "File name too long"
_NAME_MAX = 255


class HelpFormatter(argparse.HelpFormatter):
    """Help that shows each option's default, taken from argparse (one source)."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        default = action.default
        if (
            default is None
            or default is False
            or default is argparse.SUPPRESS
            or "%(default)" in text
            or not action.option_strings
        ):
            return text
        return f"{text} (default: %(default)s)"

    def _split_lines(self, text: str, width: int) -> list[str]:
        import textwrap

        text = " ".join(text.split())
        return textwrap.wrap(text, width, break_on_hyphens=False)  # keep --train-size

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(indent + line for line in self._split_lines(text, width))


def add_subcommand(sub, command: ModuleType) -> None:
    """The subcommand defined by the module ``command`` (see `gradlab.cli`), named
    after it: its ``HELP``, ``DESCRIPTION`` and ``EPILOG``, the options of its
    ``add_arguments``, then ``--dry-run`` (when it has a ``work``) and ``--quiet``.
    Its help shows every option's default."""
    work = getattr(command, "work", None)
    parser = sub.add_parser(
        command.__name__.rpartition(".")[2],
        help=command.HELP,
        description=command.DESCRIPTION,
        epilog=getattr(command, "EPILOG", None),
        formatter_class=HelpFormatter,
    )
    command.add_arguments(parser)
    if work is not None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check the arguments, print the size of the work against its "
            "limits, and exit without running",
        )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="no progress bar on a terminal"
    )
    parser.set_defaults(
        run=command.run, check=getattr(command, "check", None), work=work
    )


def add_output(
    parser: argparse.ArgumentParser,
    what: str,
    *,
    flag: str = "--out",
    formats: tuple[str, ...] = FIGURE_FORMATS,
) -> None:
    """An optional file to save ``what`` in, checked as `output_file` checks it."""
    allowed = ", ".join(formats)
    parser.add_argument(
        flag,
        type=output_file(formats),
        metavar="FILE",
        help=f"save {what} here ({allowed})",
    )


def add_count(
    parser: argparse.ArgumentParser,
    flag: str,
    what: str,
    *,
    default: int,
    most: int,
    why: str,
) -> None:
    """A whole-number option ``flag`` counting ``what``, from 1 to ``most`` (``why``
    says why not more), with its help text built from those."""
    parser.add_argument(
        flag,
        type=integer(1, most, why),
        default=default,
        help=f"{what}, at most {most:,}",
    )


def _number(text: str, kind: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected {kind}, got {_clip(text)}"
        ) from None


def positive_float(text: str) -> float:
    """A finite number > 0 (learning rates, scales)."""
    value = _number(text, "a number > 0")
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(
            f"expected a finite number > 0, got {_clip(text)}"
        )
    return value


def integer(minimum: int, maximum: int, why: str = ""):
    """A type for whole numbers in minimum..maximum; ``why`` explains the maximum."""

    def parse(text: str) -> int:
        expected = f"a whole number >= {minimum}"
        try:
            value = int(text)
        except ValueError:
            digits = text.strip().lstrip("+")
            if digits.isdigit():  # beyond int()'s limit of 4,300 digits
                raise argparse.ArgumentTypeError(
                    f"at most {maximum:,} ({why}), got a number of {len(digits)} digits"
                ) from None
            try:  # '1e5' or '100.0': check its range, or say how to write it
                number = float(text)
            except ValueError:
                number = math.nan
            if not (math.isfinite(number) and number == int(number)):
                raise argparse.ArgumentTypeError(
                    f"expected {expected}, got {_clip(text)}"
                ) from None
            value = int(number)
            if minimum <= value <= maximum:
                raise argparse.ArgumentTypeError(
                    f"expected {expected}, got {_clip(text)} (write it as {value})"
                ) from None
        if value < minimum:
            raise argparse.ArgumentTypeError(
                f"expected {expected}, got {_short(value)}"
            )
        if value > maximum:
            because = f" ({why})" if why else ""
            raise argparse.ArgumentTypeError(
                f"at most {maximum:,}{because}, got {_short(value)}"
            )
        return value

    parse.__name__ = "whole number"  # what argparse calls the type in its messages
    return parse


def _short(value: int) -> str:
    digits = str(value)
    return f"{value:,}" if len(digits) <= 24 else f"a number of {len(digits)} digits"


#: Seeds of the random generators.
seed = integer(0, MAX_SEED, "torch repeats seeds from 2**63 on")
#: Steps of descent and of the chain.
steps = integer(0, MAX_STEPS, "a longer run takes minutes and keeps every step")


def check_product(factors: dict[str, int], limit: int, why: str) -> None:
    """Raise ValueError when the product of ``factors`` is over ``limit``."""
    product = math.prod(factors.values())
    if product > limit:
        names = " × ".join(factors)
        values = " × ".join(f"{v:,}" for v in factors.values())
        raise ValueError(
            f"{names} is at most {limit:,} ({why}), got {values} = {product:,}"
        )


def _kind(mode: int) -> str:
    kinds = {
        stat.S_ISDIR: "a folder",
        stat.S_ISFIFO: "a named pipe (FIFO)",
        stat.S_ISCHR: "a character device",
        stat.S_ISBLK: "a block device",
        stat.S_ISSOCK: "a socket",
    }
    return next((name for test, name in kinds.items() if test(mode)), "a file")


def _reason(error: OSError) -> str:
    return (error.strerror or "not writable").lower()


def _check_length(text: str, folder: str) -> None:
    """Reject names the file system cannot hold, before any work."""
    try:
        name_max = os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError):
        name_max = _NAME_MAX
    for part in Path(text).parts:
        size = len(os.fsencode(part))
        if size > name_max:
            raise argparse.ArgumentTypeError(
                f"cannot write {_clip(text)}: a name in it has {size} bytes, the "
                f"file system allows {name_max}"
            )
    size = len(os.fsencode(os.path.abspath(text)))
    if size > _PATH_MAX - 64:  # room for the temporary names written beside it
        raise argparse.ArgumentTypeError(
            f"cannot write {_clip(text)}: the path has {size} bytes, at most "
            f"{_PATH_MAX - 64} are allowed"
        )


def _clip(text: str) -> str:
    return repr(text) if len(text) <= 60 else repr(text[:28] + "…" + text[-28:])


def _probe_folder(folder: str, text: str) -> None:
    """Create and remove a temporary file in ``folder``: the real test of writing
    there (permission bits say nothing for root or read-only file systems)."""
    import tempfile  # only when an output is given: it takes ~5 ms to import

    try:
        handle, name = tempfile.mkstemp(dir=folder, prefix=".gradlab-probe-")
    except OSError as error:
        raise argparse.ArgumentTypeError(
            f"cannot write {_clip(text)}: {_reason(error)}"
        ) from None
    os.close(handle)
    os.unlink(name)


def output_file(formats: tuple[str, ...]):
    """A type for a file to write, in one of ``formats`` (known by its extension).

    The folder must exist and be writable; an existing target must be a regular,
    writable file (never a folder, pipe or device: they are inspected, never opened).
    """

    def parse(text: str) -> Path:
        if not text.strip():
            raise argparse.ArgumentTypeError("expected a file path, got ''")
        parent = os.path.dirname(text) or "."
        _check_length(text, parent if os.path.isdir(parent) else ".")
        mode = _mode(text, f"cannot write {_clip(text)}", parent=parent)
        if mode is not None and not stat.S_ISREG(mode):
            raise argparse.ArgumentTypeError(
                f"cannot write {_clip(text)}: it is {_kind(mode)}, not a regular file"
            )
        allowed = ", ".join(f".{f}" for f in formats)
        suffix = Path(text).suffix.lower().lstrip(".")
        if text.endswith(os.sep):
            raise argparse.ArgumentTypeError(
                f"{_clip(text)} is a folder name, expected a file ({allowed})"
            )
        if not suffix:
            raise argparse.ArgumentTypeError(
                f"{_clip(text)} has no file extension: end it in {allowed}"
            )
        if suffix not in formats:
            raise argparse.ArgumentTypeError(
                f"cannot write .{suffix} files ({_clip(text)}): use {allowed}"
            )
        if mode is not None and not os.access(text, os.W_OK):
            raise argparse.ArgumentTypeError(
                f"cannot write {_clip(text)}: permission denied"
            )
        real = os.path.realpath(text)
        folder = os.path.dirname(real)
        if not os.path.isdir(folder):
            missing = f"no folder {parent!r}"
            if os.path.islink(text):
                missing = f"it links to {real!r}, in no folder {folder!r}"
            raise argparse.ArgumentTypeError(f"cannot write {_clip(text)}: {missing}")
        _probe_folder(folder, text)
        return Path(text)

    parse.__name__ = "file path"
    return parse


def _mode(text: str, failure: str, *, parent: str | None = None) -> int | None:
    """``os.stat(text).st_mode`` (links followed; never blocks, even on FIFOs), or
    None when nothing is there; any other failure is one line starting ``failure``."""
    try:
        return os.stat(text).st_mode
    except FileNotFoundError:
        return None
    except OSError as error:
        if parent is not None and error.errno == errno.ENOTDIR:  # a file, not a folder
            raise argparse.ArgumentTypeError(
                f"{failure}: {parent!r} is not a folder"
            ) from None
        raise argparse.ArgumentTypeError(f"{failure}: {_reason(error)}") from None


def writable_dir(text: str) -> Path:
    """A folder that exists or can be created, and can be written to."""
    if not text.strip():
        raise argparse.ArgumentTypeError("expected a folder, got ''")
    _check_length(text, ".")
    room = os.path.join(os.path.abspath(text), "x" * 40)  # the figures' names
    if len(os.fsencode(room)) > _PATH_MAX - 64:
        raise argparse.ArgumentTypeError(
            f"cannot write to {_clip(text)}: the path is too long to hold files"
        )
    path = Path(text)
    mode = _mode(text, f"cannot write to {_clip(text)}")
    if mode is not None and not stat.S_ISDIR(mode):
        raise argparse.ArgumentTypeError(
            f"{_clip(text)} exists and is {_kind(mode)}, not a folder"
        )
    probe = Path(os.path.abspath(text))
    while not os.path.exists(probe):
        probe = probe.parent
    if not os.path.isdir(probe):
        raise argparse.ArgumentTypeError(
            f"cannot create {_clip(text)}: {str(probe)!r} is not a folder"
        )
    _probe_folder(str(probe), text)
    return path


def same_file(a: Path, b: Path) -> bool:
    """True when two output paths name the same file (after links and '..')."""
    return os.path.realpath(a) == os.path.realpath(b)
