"""Writing outputs atomically, and progress bars on a terminal.

`atomic_path` gives a writer a temporary name in the target's own folder and renames
it onto the target only when the writer has finished: a full disk, an error or Ctrl-C
leaves the old file (or none), never a partial or empty one; `save_figure` writes a
matplotlib figure that way and closes it. `progress` yields a
callback for the library's loops (they never print) that moves a tqdm bar, or does
nothing when stderr is not a terminal or ``--quiet`` was given. `count` spells
"1 step" and "5 steps".
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

#: Seconds before a bar appears: quick runs never show one.
BAR_DELAY = 0.5


def _new_file_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it onto ``target`` on success.

    The temporary name keeps the target's extension (writers choose their format by
    it). Links are followed: the file they point to is replaced. On any exception,
    KeyboardInterrupt included, the temporary file is removed and the target is left
    untouched; an OSError is raised again naming ``target``.
    """
    real = Path(os.path.realpath(target))
    try:
        mode = real.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = _new_file_mode()
    handle, name = tempfile.mkstemp(
        dir=real.parent, prefix=".gradlab-", suffix=real.suffix
    )
    os.close(handle)
    temp = Path(name)
    try:
        yield temp
        with open(temp, "rb+") as written:  # on disk before the rename
            os.fsync(written.fileno())
        os.chmod(temp, mode)
        os.replace(temp, real)
    except BaseException as error:
        with contextlib.suppress(OSError):
            temp.unlink()
        if isinstance(error, OSError) and error.errno:
            raise OSError(error.errno, error.strerror, str(target)) from error
        raise


def show_progress(quiet: bool) -> bool:
    """Bars go to stderr, and only when it is a terminal and not ``quiet``."""
    return not quiet and sys.stderr is not None and sys.stderr.isatty()


@contextlib.contextmanager
def progress(
    total: int, unit: str, *, quiet: bool
) -> Iterator[Callable[[int], None] | None]:
    """Yield ``on_step(done)`` that moves a progress bar to ``done`` of ``total``
    (or None when no bar is shown); the bar is cleared when the block ends."""
    if not show_progress(quiet) or total <= 0:
        yield None
        return
    from tqdm import tqdm

    with tqdm(
        total=total, unit=unit, delay=BAR_DELAY, leave=False, file=sys.stderr
    ) as bar:

        def on_step(done: int) -> None:
            bar.update(done - bar.n)

        yield on_step


def save_figure(fig, target: Path) -> None:
    """Save ``fig`` to ``target`` atomically, in the format its extension names, and
    close it whatever happens."""
    import matplotlib.pyplot as plt

    try:
        with atomic_path(target) as temp:
            fig.savefig(temp, format=target.suffix[1:].lower())
    finally:
        plt.close(fig)


def count(n: int, noun: str) -> str:
    """``n`` with ``noun``, plural unless n is 1: "1 step", "5 steps"."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
