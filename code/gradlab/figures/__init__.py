"""Every figure the book embeds, by a stable name: ``python -m gradlab figures``.

Each chapter has a module here with a ``FIGURES`` dict: a figure's name (the
``mystnb.figure.name`` of the chapter's cell) -> ``(data, plot)``, where ``data()``
computes what the figure draws, with the chapter's settings, and ``plot(data)``
draws it (``plot`` is None when ``data`` already is the drawing, a graph). The
chapter's cell draws the figure from its own numbers with `draw`, which also records
`gradlab.book.figure_data` of them under the figure's name; tests/test_figures.py
checks that the registry computes the same numbers.

A figure is a matplotlib Figure or Axes (saved as PNG), something with graphviz's
``pipe`` (saved as SVG), or a matplotlib Animation (saved as GIF).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.animation import Animation, PillowWriter
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from gradlab.book import glue_figure_data
from gradlab.figures import (
    autograd,
    autograd_beyond,
    autograd_from_scratch,
    chain_lab,
    computation_graphs,
    deep_networks,
    digits,
    generalization,
    gradients,
    mlp_training,
    optimizers,
)

#: Chapter modules, in book order.
CHAPTERS = (
    gradients,
    computation_graphs,
    autograd,
    autograd_beyond,
    autograd_from_scratch,
    chain_lab,
    mlp_training,
    generalization,
    optimizers,
    digits,
    deep_networks,
)


Entry = tuple[Callable[[], object], Callable[[object], object] | None]


def entries() -> dict[str, Entry]:
    """Every figure's ``(data, plot)`` by name (names are unique across chapters)."""
    found: dict[str, Entry] = {}
    for chapter in CHAPTERS:
        for name, entry in chapter.FIGURES.items():
            if name in found:
                raise RuntimeError(f"figure name {name!r} is used twice")
            found[name] = entry
    return found


def _builder(entry: Entry) -> Callable[[], object]:
    data, plot = entry
    return data if plot is None else lambda: plot(data())


def registry() -> dict[str, Callable[[], object]]:
    """Every figure's builder (a function of no arguments) by name."""
    return {name: _builder(entry) for name, entry in entries().items()}


def draw(name: str, *data: object) -> object:
    """Draw figure ``name`` from ``data``, as the registry's plot function does, and
    record `gradlab.book.figure_data` of ``data`` under that name.

    ``data`` is what the entry's data function computes: one object, or the items of
    the tuple it returns. Returns what the plot function returned (an Axes, a Figure,
    an Animation), or the drawing itself for a graph. The chapters call this in the
    figure's cell, with the numbers they computed; outside the book build only the
    drawing remains (`gradlab.book.glue` records nothing there).
    """
    known = entries()
    if name not in known:
        raise ValueError(f"unknown figure {name!r}; known: {', '.join(sorted(known))}")
    _, plot = known[name]
    value = data[0] if len(data) == 1 else data
    glue_figure_data(name, value)
    return value if plot is None else plot(value)


def figure_format(obj: object) -> str:
    """The file format a built figure is saved in: 'png', 'gif' or 'svg'."""
    if isinstance(obj, (Axes, Figure)):
        return "png"
    if isinstance(obj, Animation):
        return "gif"
    if hasattr(obj, "pipe"):
        return "svg"
    raise TypeError(f"a figure builder made a {type(obj).__name__}, not a figure")


def write_figure(obj: object, path: Path) -> None:
    """Write a built figure to ``path`` in its `figure_format` (whatever the name)."""
    fmt = figure_format(obj)
    if isinstance(obj, Axes):
        obj = obj.figure
    if isinstance(obj, Figure):
        try:
            obj.savefig(path, format=fmt)
        finally:
            plt.close(obj)
    elif isinstance(obj, Animation):  # its figure is not pyplot's: nothing to close
        obj.save(path, writer=PillowWriter(fps=20))  # the format: by the extension
    else:
        Path(path).write_bytes(obj.pipe(format=fmt))


def save(obj: object, out_dir: Path, name: str) -> Path:
    """Write a built figure to ``out_dir`` as name.png / name.svg / name.gif."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{name}.{figure_format(obj)}"
    write_figure(obj, path)
    return path


def select(only: list[str] | None = None) -> dict[str, Callable[[], object]]:
    """The builders of the figures named in ``only`` (all when None), in book order."""
    builders = registry()
    unknown = sorted(set(only or ()) - set(builders))
    if unknown:
        raise ValueError(
            f"unknown figure {', '.join(unknown)}; known: {', '.join(sorted(builders))}"
        )
    return {
        name: build for name, build in builders.items() if only is None or name in only
    }


def write_figures(out_dir: Path, only: list[str] | None = None) -> list[Path]:
    """Build and save every figure (or those named in ``only``); return the paths."""
    return [save(build(), out_dir, name) for name, build in select(only).items()]
