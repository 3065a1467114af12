"""Small helpers the chapters use to hand computed numbers and tables to the prose.

They work inside the book build (through myst-nb's ``glue``) and degrade gracefully
where myst-nb is not installed, such as on Colab: the value is then just shown.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch


def _plain(value: object) -> object:
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        return value.item()
    return value


def glue(name: str, value: object, *, display: bool = False) -> None:
    """Store ``value`` under ``name`` for ``{glue:text}`name:fmt``` in the prose.

    One-element tensors are stored as Python numbers so that format specs apply.
    """
    value = _plain(value)
    try:
        from myst_nb import glue as myst_glue
    except ImportError:  # outside the book build (Colab, plain Jupyter)
        if display:
            from IPython.display import display as show

            show(value)
        return
    myst_glue(name, value, display=display)


def markdown_table(
    header: Sequence[str], rows: Sequence[Sequence[object]], *, floatfmt: str = ".4g"
) -> str:
    """A Markdown pipe table; floats and one-element tensors use ``floatfmt``.

    >>> print(markdown_table(["x", "x²"], [[1.5, 2.25]]))
    | x | x² |
    |---|---|
    | 1.5 | 2.25 |
    """
    if any(len(row) != len(header) for row in rows):
        raise ValueError("every row needs exactly one cell per header column")

    def cell(value: object) -> str:
        value = _plain(value)
        return format(value, floatfmt) if isinstance(value, float) else str(value)

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def glue_table(
    name: str, header: Sequence[str], rows: Sequence[Sequence[object]], **kw
) -> None:
    """Glue a `markdown_table` for a ``{glue:md}`` directive with ``:format: myst``.

    Outside the book build the table is displayed instead.
    """
    from IPython.display import Markdown

    table = markdown_table(header, rows, **kw)
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        from IPython.display import display

        display(Markdown(table))
        return
    myst_glue(name, Markdown(table), display=False)
