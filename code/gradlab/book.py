"""Small helpers the chapters use to hand computed numbers and tables to the prose.

They work inside the book build (through myst-nb's ``glue``) and degrade gracefully
where myst-nb is not installed, such as on Colab: the value is then just shown.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import platform
import shutil
import sys
from collections.abc import Mapping, MutableMapping, Sequence
from pathlib import Path

#: The float path the book's numbers are computed on, on x86-64 processors. torch's
#: matrix products go through MKL, which picks its code by processor, and torch's own
#: kernels pick theirs (AVX-512, AVX2, none) the same way; each path rounds a little
#: differently, and a long fit turns that into other digits. Pinned before torch first
#: runs, these make an AVX-512, an AVX2 and an AMD processor compute the same digits:
#: MKL's reproducible AVX2 path (Conditional Numerical Reproducibility) and torch's
#: AVX2 kernels. Almost every Intel and AMD processor of the last ten years has AVX2
#: (some budget Pentium, Celeron and Atom chips do not).
FLOAT_PATH = {"MKL_CBWR": "AVX2", "ATEN_CPU_CAPABILITY": "avx2"}
#: A second path, the most different one on the same machine: MKL's code for any
#: x86-64 and torch's kernels without vector instructions. `make test` executes the
#: chapters on it too and compares what the pages show (tools/chapters.py compare).
SECOND_FLOAT_PATH = {"MKL_CBWR": "COMPATIBLE", "ATEN_CPU_CAPABILITY": "default"}


def _plain(value: object) -> object:
    # torch is looked up, not imported: a tensor exists only if torch is loaded, and
    # the build's tools import this module for `sources_digest` without paying for it.
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(value, torch.Tensor) and value.numel() == 1:
        return value.item()
    return value


#: Glued beside a value that is a measurement (a time), which differs on every run:
#: the reader notebooks then point to the cell that measures it instead of
#: copying the book's number (tools/chapters.py).
MEASURED = "__measured"


def glue(
    name: str, value: object, *, display: bool = False, measured: bool = False
) -> None:
    """Store ``value`` under ``name`` for ``{glue:text}`name:fmt``` in the prose.

    One-element tensors are stored as Python numbers so that format specs apply.
    ``measured=True`` marks a measurement (a time) that changes from run to run;
    outside the book build it is printed, since the prose cannot quote it.
    """
    value = _plain(value)
    try:
        from myst_nb import glue as myst_glue
    except ImportError:  # outside the book build (Colab, plain Jupyter)
        if display:
            from IPython.display import display as show

            show(value)
        elif measured:
            print(f"{name}: {value:.3g}" if isinstance(value, float) else value)
        return
    myst_glue(name, value, display=display)
    if measured:
        myst_glue(name + MEASURED, True, display=False)


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


def beyond_round_off(value: object, floor: float, fmt: str = ".0e") -> str:
    """``value`` formatted with ``fmt``, or ``"< floor"`` where it is smaller than
    ``floor`` in size.

    Round-off's digits differ from one processor to the next (and between float
    paths: `FLOAT_PATH`), so a page shows a value at that level only by a bound that
    every rerun keeps, ``floor``, chosen well above it.

    >>> beyond_round_off(2.9e-3, 1e-8), beyond_round_off(-3.2e-17, 1e-15)
    ('3e-03', '< 1e-15')
    """
    value = float(_plain(value))
    return f"< {floor:.0e}" if abs(value) < floor else format(value, fmt)


def glue_table(
    name: str,
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    measured: bool = False,
    **kw,
) -> None:
    """Glue a `markdown_table` for a ``{glue:md}`` directive with ``:format: myst``.

    Outside the book build the table is displayed instead. ``measured`` as in `glue`.
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
    if measured:
        myst_glue(name + MEASURED, True, display=False)


def sources_digest(package: Path | None = None) -> str:
    """The first 12 hex digits of a SHA-256 over the package's ``.py`` files.

    ``package`` is the folder of a gradlab package (default: the one imported). The
    same sources give the same digest wherever they are installed, so a notebook can
    name the sources it was written for.
    """
    root = Path(package) if package is not None else Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def check_setup(sources: str) -> None:
    """Say whether this gradlab is the one a reader notebook was written for.

    A reader notebook's set-up cell calls this with the digest of the sources its
    text and numbers came from; a different gradlab is reported, as is a missing
    Graphviz ``dot`` program (needed for the graph drawings).
    """
    from gradlab import __version__

    installed = sources_digest()
    if installed == sources:
        print(f"gradlab {__version__} ready (sources {installed}, as this notebook).")
    else:
        print(
            f"WARNING: this notebook was written for gradlab sources {sources}, but "
            f"the installed gradlab {__version__} has sources {installed}: code and "
            "numbers may differ from the text. Reinstall gradlab from the repository "
            "and branch this notebook came from (pip install --force-reinstall ...)."
        )
    if shutil.which("dot") is None:
        print(
            "Graphviz's `dot` program is missing, so graph drawings will fail: "
            "install it (`apt-get install graphviz`; in Colab `!apt-get install "
            "graphviz`)."
        )


def pin_float_path(environ: MutableMapping[str, str] | None = None) -> dict[str, str]:
    """Pin `FLOAT_PATH` in ``environ`` (default: ``os.environ``); return what is in
    force.

    A variable already set is kept, so a caller can choose another path (such as
    `SECOND_FLOAT_PATH`). On processors other than x86-64 (ARM, say: no MKL, other
    kernels) nothing is set and the result is empty. It takes effect only before
    torch first computes, so call it before ``import torch``.
    """
    environ = os.environ if environ is None else environ
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return {}
    for name, value in FLOAT_PATH.items():
        environ.setdefault(name, value)
    return {name: environ[name] for name in FLOAT_PATH}


def figure_data(value: object) -> list[object]:
    """The numbers a figure is drawn from, summarised: one entry per tensor or number.

    A tensor gives its shape, its sum and an index-weighted sum (so that a change of
    any value or of the order shows), a number itself, a string or None itself, a
    graph drawing (anything with a DOT ``source``) a hash of that text, a module its
    state dict; dataclasses, named tuples, tuples, lists and dicts are walked in order
    (their keys included), whatever their type, so a result object and a tuple of
    the same fields give the same list.
    """
    torch = sys.modules.get("torch")
    found: list[object] = []

    def walk(x: object) -> None:
        if isinstance(getattr(x, "source", None), str):
            found.append(hashlib.sha256(x.source.encode()).hexdigest()[:16])
        elif torch is not None and isinstance(x, torch.Tensor):
            t = x.detach().double().flatten()
            weights = torch.arange(1, len(t) + 1, dtype=torch.float64)
            found.extend([list(x.shape), float(t.sum()), float((weights * t).sum())])
        elif torch is not None and isinstance(x, torch.nn.Module):
            walk(dict(x.state_dict()))
        elif dataclasses.is_dataclass(x) and not isinstance(x, type):
            for field in dataclasses.fields(x):
                walk(getattr(x, field.name))
        elif isinstance(x, Mapping):
            for key, item in x.items():
                found.append(str(key))
                walk(item)
        elif isinstance(x, (list, tuple)):
            for item in x:
                walk(item)
        elif isinstance(x, (bool, int, float, str)) or x is None:
            found.append(float(x) if isinstance(x, float) else x)
        else:
            raise TypeError(f"figure_data cannot summarise a {type(x).__name__}")

    walk(value)
    return found


def glue_figure_data(name: str, value: object) -> None:
    """Record `figure_data` of what figure ``name`` draws, for the registry test.

    `gradlab.figures.draw` calls this in the figure's own cell; the test runs the
    figure registry's entry of the same name and compares (tests/test_figures.py).
    """
    glue(f"figure-data:{name}", json.dumps(figure_data(value)))
