"""Every figure the book embeds, by a stable name: ``python -m gradlab figures``.

Each chapter has a module here with a ``FIGURES`` dict mapping a figure's name to a
function of no arguments that makes it with the same package calls the chapter
makes. The name is also the ``name`` of that figure in the chapter (its
``mystnb.figure.name``), and a test checks the two sets agree. A builder returns a
matplotlib Figure or Axes (saved as PNG), something with graphviz's ``pipe`` (saved
as SVG), or a matplotlib Animation (saved as GIF).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.animation import Animation, PillowWriter
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from gradlab.figures import (
    autograd,
    chain_lab,
    computation_graphs,
    gradients,
    mlp_training,
)

#: Chapter modules, in book order.
CHAPTERS = (gradients, computation_graphs, autograd, chain_lab, mlp_training)


def registry() -> dict[str, Callable[[], object]]:
    """All figure builders by name (names are unique across chapters)."""
    found: dict[str, Callable[[], object]] = {}
    for chapter in CHAPTERS:
        for name, build in chapter.FIGURES.items():
            if name in found:
                raise RuntimeError(f"figure name {name!r} is used twice")
            found[name] = build
    return found


def save(obj: object, out_dir: Path, name: str) -> Path:
    """Write a built figure to ``out_dir`` as name.png / name.svg / name.gif."""
    out_dir.mkdir(parents=True, exist_ok=True)
    if isinstance(obj, Axes):
        obj = obj.figure
    if isinstance(obj, Figure):
        path = out_dir / f"{name}.png"
        obj.savefig(path)
        plt.close(obj)
    elif isinstance(obj, Animation):
        path = out_dir / f"{name}.gif"
        obj.save(path, writer=PillowWriter(fps=20))
        plt.close(obj._fig)
    elif hasattr(obj, "pipe"):
        path = out_dir / f"{name}.svg"
        path.write_bytes(obj.pipe(format="svg"))
    else:
        raise TypeError(f"figure {name!r} built a {type(obj).__name__}, not a figure")
    return path


def write_figures(out_dir: Path, only: list[str] | None = None) -> list[Path]:
    """Build and save every figure (or those named in ``only``); return the paths."""
    builders = registry()
    unknown = sorted(set(only or ()) - set(builders))
    if unknown:
        raise ValueError(
            f"unknown figure {', '.join(unknown)}; known: {', '.join(sorted(builders))}"
        )
    return [save(builders[name](), out_dir, name) for name in only or builders]
