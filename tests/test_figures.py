"""The figure registry (`python -m gradlab figures`) draws what the chapters draw.

Every named figure of a chapter is registered under the same name and drawn in its
cell by `gradlab.figures.draw` under that name, and the registry's entry computes the
same numbers the built chapter recorded for it (`draw` records them; read from the
execution cache).
"""

import ast
import json
import math
import re
import sys

import jupytext
import matplotlib.pyplot as plt
import pytest
import torch
from gradlab import figures
from gradlab.book import figure_data
from gradlab.chain import random_angles
from gradlab.figures import draw, entries, registry, write_figures
from gradlab.graphs import autograd_dag

from tests._book import ROOT, chapter_files, figure_names

sys.path.insert(0, str(ROOT / "tools"))
import sources

FIGURE_DATA = "figure-data:"


def test_registry_names_equal_the_chapters_figure_names():
    in_chapters = [
        name for chapter in chapter_files() for name in figure_names(chapter)
    ]
    assert len(in_chapters) == len(set(in_chapters)), "a figure name is used twice"
    assert set(registry()) == set(in_chapters)


def test_each_figure_cell_draws_the_registered_figure_of_its_name():
    for chapter in chapter_files():
        for cell in jupytext.read(chapter).cells:
            name = cell.metadata.get("mystnb", {}).get("figure", {}).get("name")
            if name is not None:
                call = re.search(r'gradlab\.figures\.draw\(\s*"([^"]+)"', cell.source)
                assert call and call[1] == name, (chapter.name, name)


def test_draw_records_the_data_and_draws_it_with_the_registered_plot(monkeypatch):
    recorded = {}
    monkeypatch.setattr(figures, "glue_figure_data", recorded.__setitem__)
    angles = random_angles(3, seed=0)
    ax = draw("chain-start", angles)
    assert ax.lines and recorded == {"chain-start": angles}
    plt.close(ax.figure)
    x = torch.tensor(3.5, requires_grad=True)
    dag = autograd_dag(x**2, {"x": x})
    assert draw("cg-square-dag", dag) is dag  # a graph is its own drawing
    # Several items are the tuple the entry's data function returns, drawn as one.
    monkeypatch.setattr(figures, "entries", lambda: {"pair": (None, list)})
    assert draw("pair", 1.0, 2.0) == [1.0, 2.0] and recorded["pair"] == (1.0, 2.0)


def test_unknown_names_are_rejected(tmp_path):
    with pytest.raises(ValueError, match="unknown figure"):
        write_figures(tmp_path, ["no-such-figure"])
    with pytest.raises(ValueError, match="unknown figure 'no-such-figure'"):
        draw("no-such-figure", 1.0)


def recorded() -> dict[str, list]:
    """figure name -> the figure data each built chapter recorded."""
    from myst_nb.ext.glue import extract_glue_data_cell

    found = {}
    for md in chapter_files():
        for cell in sources.executed(md).cells:
            if cell.cell_type != "code":
                continue
            for key, value in dict(extract_glue_data_cell(cell)).items():
                if key.startswith(FIGURE_DATA):
                    text = ast.literal_eval(value["data"]["text/plain"])
                    found[key.removeprefix(FIGURE_DATA)] = json.loads(text)
    return found


def first_difference(a: list, b: list) -> int | None:
    """Where two lists of figure data first differ (numbers to 1e-9 relative, the
    rest exactly), or None."""
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if isinstance(x, float) and isinstance(y, float):
            both_nan = math.isnan(x) and math.isnan(y)
            if not (both_nan or math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12)):
                return i
        elif x != y:
            return i
    return None if len(a) == len(b) else min(len(a), len(b))


@pytest.fixture(scope="module")
def in_book():
    return recorded()


@pytest.mark.book
@pytest.mark.parametrize("name", sorted(entries()))
def test_the_registry_draws_the_numbers_the_chapter_drew(in_book, name):
    assert name in in_book, f"{name}: the chapter records no figure data"
    data, _ = entries()[name]
    mine, book = figure_data(data()), in_book[name]
    i = first_difference(mine, book)
    assert i is None, (
        f"{name}: item {i}: registry {mine[i : i + 3]}, book {book[i : i + 3]}"
    )
