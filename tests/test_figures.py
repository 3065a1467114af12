"""The figure registry (`python -m gradlab figures`) draws what the chapters draw.

Every named figure of a chapter is registered under the same name, and the registry's
entry computes the same numbers the built chapter recorded for it (the chapter's
hidden `gradlab.book.glue_figure_data` cell, read from the execution cache).
"""

import ast
import json
import math
import sys

import pytest
from gradlab.book import figure_data
from gradlab.figures import entries, registry, write_figures

from tests._book import ROOT, chapter_files, figure_names

sys.path.insert(0, str(ROOT / "tools"))
import chapters

FIGURE_DATA = "figure-data:"


def test_registry_names_equal_the_chapters_figure_names():
    in_chapters = [
        name for chapter in chapter_files() for name in figure_names(chapter)
    ]
    assert len(in_chapters) == len(set(in_chapters)), "a figure name is used twice"
    assert set(registry()) == set(in_chapters)


def test_unknown_names_are_rejected(tmp_path):
    with pytest.raises(ValueError, match="unknown figure"):
        write_figures(tmp_path, ["no-such-figure"])


def recorded() -> dict[str, list]:
    """figure name -> the figure data each built chapter recorded."""
    from myst_nb.ext.glue import extract_glue_data_cell

    found = {}
    for md in chapter_files():
        for cell in chapters.executed(md).cells:
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
