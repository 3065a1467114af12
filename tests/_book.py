"""Helpers for tests that read the book's sources and its built HTML."""

from __future__ import annotations

import sys
from html.parser import HTMLParser
from pathlib import Path

import jupytext

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import sources  # noqa: E402

#: Every page named in _toc.yml (root first), without extension; and the pages that
#: are notebooks, as paths.
toc_files, chapter_files = sources.pages, sources.chapters


def figure_names(chapter: Path) -> list[str]:
    """The ``mystnb.figure.name`` of every code cell of a chapter, in order."""
    notebook = jupytext.read(chapter)
    names = []
    for cell in notebook.cells:
        figure = cell.metadata.get("mystnb", {}).get("figure", {})
        if "name" in figure:
            names.append(figure["name"])
    return names


class Elements(HTMLParser):
    """Collects every start tag as (tag, attributes dict), in document order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse_html(path: Path) -> Elements:
    parser = Elements()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def glued_numbers(chapter: Path) -> dict[str, object]:
    """The numbers and strings a chapter glued, as its executed outputs in the
    execution cache hold them (run `make book` first); tables are left out."""
    import ast

    from myst_nb.ext.glue import extract_glue_data_cell

    found = {}
    for cell in sources.executed(chapter).cells:
        if cell.cell_type != "code":
            continue
        for key, value in dict(extract_glue_data_cell(cell)).items():
            try:
                found[key] = ast.literal_eval(value["data"]["text/plain"])
            except (ValueError, SyntaxError):
                pass  # a Markdown table or another object
    return found
