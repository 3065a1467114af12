"""Writing outputs atomically, and watching a run (imported after parsing: torch).

`atomic_path` and `save` write a file in full or not at all, whatever stops them
(a full disk, Ctrl-C). `Watch` is the callback the library's loop calls at every
step: it moves a progress bar and can stop a run that only repeats itself.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import torch
from tqdm import tqdm


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target`` (with its extension), renamed onto
    ``target`` (or the file it links to) on success; on any exception, Ctrl-C too,
    removed, the target untouched, and an OSError raised again naming ``target``."""
    real = Path(os.path.realpath(target))
    try:
        mode = real.stat().st_mode & 0o7777
    except FileNotFoundError:
        mask = os.umask(0)
        os.umask(mask)
        mode = 0o666 & ~mask
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


def save(obj, target: Path) -> None:
    """Save a matplotlib figure (closed after) or animation to ``target`` atomically,
    in the format its extension names, and say so."""
    import matplotlib.pyplot as plt
    from matplotlib.animation import Animation, PillowWriter

    animation = isinstance(obj, Animation)  # its figure is not pyplot's: not closed
    try:
        with atomic_path(target) as temp:
            if animation:
                obj.save(temp, writer=PillowWriter(fps=8))
            else:
                obj.savefig(temp, format=target.suffix[1:].lower())
    finally:
        if not animation:
            plt.close(obj)
    print(f"{'animation' if animation else 'figure'} written to {target}")


class Watch:
    """`gradient_descent`'s ``callback`` for ``total`` steps, as a context manager:
    a tqdm bar on stderr if it is a terminal and not ``quiet``. With ``stop_repeats``
    it stops the run (and sets ``stopped``) at the first point equal to the one
    before (a fixed point) or to the one two steps before (a 2-cycle, which rounding
    often gives near a minimum) with an even number of steps left: the full run
    would only repeat it and end on it."""

    def __init__(self, total: int, unit: str, *, quiet: bool, stop_repeats=False):
        self.total, self.stop_repeats = total, stop_repeats
        self.recent: list[torch.Tensor] = []  # the last two points
        self.stopped = False
        shown = not quiet and sys.stderr is not None and sys.stderr.isatty()
        self.bar = tqdm(  # after half a second: quick runs never show a bar
            total=total, unit=unit, delay=0.5, leave=False, disable=not shown
        )

    def __enter__(self) -> Watch:
        return self

    def __exit__(self, *exc) -> None:
        self.bar.close()

    def __call__(self, step: int, w: torch.Tensor | None = None, loss=None) -> bool:
        self.bar.update(step - self.bar.n)
        if not self.stop_repeats:
            return False
        before, self.recent = self.recent, [*self.recent[-1:], w]
        still = len(before) > 0 and torch.equal(w, before[-1])
        cycle = len(before) == 2 and torch.equal(w, before[0])
        self.stopped = step < self.total and (
            still or (cycle and (self.total - step) % 2 == 0)
        )
        return self.stopped


def count(n: int, noun: str) -> str:
    """``n`` with ``noun``, plural unless n is 1: "1 step", "5 steps"."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
