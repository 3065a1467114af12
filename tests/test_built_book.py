"""Checks on the HTML that `make book` built (run by `make test` after the build)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests._book import ROOT, chapter_files, figure_names, parse_html, toc_files

pytestmark = pytest.mark.book

CHAPTERS = chapter_files()


@pytest.mark.parametrize("page", toc_files())
def test_every_page_in_the_toc_was_built(html_dir: Path, page: str):
    assert (html_dir / f"{page}.html").is_file()


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_every_named_figure_is_on_the_page_with_its_image_file(
    html_dir: Path, chapter: Path
):
    page = html_dir / chapter.relative_to(ROOT).with_suffix(".html")
    tags = parse_html(page).tags
    ids = {attrs.get("id") for _, attrs in tags}
    names = figure_names(chapter)
    missing = [name for name in names if name not in ids]
    assert not missing, f"figures missing from {page.name}: {missing}"
    images = [attrs for tag, attrs in tags if tag == "img"]
    for attrs in images:
        src = attrs.get("src", "")
        if src.startswith("data:"):
            continue
        assert (page.parent / src).resolve().is_file(), (
            f"{page.name}: no file for {src}"
        )


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_no_cell_output_holds_an_error_or_traceback(html_dir: Path, chapter: Path):
    executed = ROOT / "_build" / "jupyter_execute" / chapter.relative_to(ROOT)
    notebook = json.loads(executed.with_suffix(".ipynb").read_text())
    for cell in notebook["cells"]:
        for output in cell.get("outputs", ()):
            assert output["output_type"] != "error", cell["source"]
            text = "".join(output.get("text", "")) + json.dumps(output.get("data", {}))
            assert "Traceback (most recent call last)" not in text, cell["source"]
            if output.get("name") == "stderr":
                pytest.fail(f"stderr output in {chapter.name}: {text[:300]}")
    page = html_dir / chapter.relative_to(ROOT).with_suffix(".html")
    assert "Traceback (most recent call last)" not in page.read_text()


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_glued_values_were_all_pasted(html_dir: Path, chapter: Path):
    """A glue key that failed to resolve leaves a warning and no pasted text."""
    source = chapter.read_text()
    page = (html_dir / chapter.relative_to(ROOT).with_suffix(".html")).read_text()
    assert page.count('class="pasted-text"') >= source.count("{glue:text}")


def test_no_chapter_takes_grossly_long_to_execute():
    """Budget is 15 s a chapter (see `make bench`); only a gross overrun fails here."""
    from jupyter_cache import get_cache

    cache = ROOT / "_build" / ".jupyter_cache"
    records = get_cache(cache).list_cache_records()
    executed = {Path(r.uri).stem: r.data.get("execution_seconds", 0) for r in records}
    assert set(executed) >= {c.stem for c in CHAPTERS}
    slow = {name: s for name, s in executed.items() if s > 60}
    assert not slow, f"chapters over 60 s: {slow}"
