"""Checks on the HTML that `make book` built (run by `make test` after the build)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests._book import (
    ROOT,
    chapter_files,
    figure_names,
    parse_html,
    sources,
    toc_files,
)

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
def test_every_figure_states_its_size_and_only_the_first_loads_at_once(
    html_dir: Path, chapter: Path
):
    """No layout shift when a figure arrives, and no figure below the first fetched
    beside the page's stylesheets (tools/sphinx_ext/gradlab_pages.py: _pictures)."""
    from PIL import Image

    page = html_dir / chapter.relative_to(ROOT).with_suffix(".html")
    figures = [
        attrs
        for tag, attrs in parse_html(page).tags
        if tag == "img" and "_images/" in attrs.get("src", "")
    ]
    for k, attrs in enumerate(figures):
        path = page.parent / attrs["src"]
        if path.suffix == ".svg":  # Graphviz's width and height, in points
            root = re.search(r"<svg[^>]*>", path.read_text()).group(0)
            width, height = (
                re.search(rf' {key}="([\d.]+)pt"', root)[1]
                for key in ("width", "height")
            )
            size = (round(float(width) * 4 / 3), round(float(height) * 4 / 3))
        else:
            with Image.open(path) as image:
                size = image.size
        stated = (int(attrs.get("width", 0)), int(attrs.get("height", 0)))
        assert stated == size, f"{page.name}: {path.name} states {stated}, is {size}"
        assert (attrs.get("loading") == "lazy") == (k > 0), (
            f"{page.name}: figure {k + 1} loading={attrs.get('loading')}"
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
    """`make bench` holds each chapter to 10 s; only a gross overrun fails here."""
    from jupyter_cache import get_cache

    records = get_cache(sources.CACHE).list_cache_records()
    executed = {Path(r.uri).stem: r.data.get("execution_seconds", 0) for r in records}
    assert set(executed) >= {c.stem for c in CHAPTERS}
    slow = {name: s for name, s in executed.items() if s > 60}
    assert not slow, f"chapters over 60 s: {slow}"


# Math: typeset at build time by KaTeX (sphinxcontrib-katex), no script for it.
MATH_ELEMENT = re.compile(r'<(?:span|div) class="math[^"]*"[^>]*>')
TYPESET = re.compile(
    r'<(?:span|div) class="math[^"]*"[^>]*>\s*'
    r'(?:<span class="eqno">.*?</span>\s*)?(?:<span class="katex-display">)?'
    r'<span class="katex">',
    re.DOTALL,
)
NOT_PROSE = re.compile(r"<(pre|code|script|style|math)\b.*?</\1>|<[^>]*>", re.DOTALL)
TEX = re.compile(r'<annotation encoding="application/x-tex">(.*?)</annotation>', re.S)


@pytest.mark.parametrize("page", toc_files())
def test_math_is_typeset_at_build_time_and_no_page_loads_a_math_script(
    html_dir: Path, page: str
):
    text = (html_dir / f"{page}.html").read_text()
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", text, re.DOTALL)
    assert not [s for s in scripts if "katex" in (s[0] + s[1]).lower()]
    assert "katex-error" not in text
    assert len(TYPESET.findall(text)) == len(MATH_ELEMENT.findall(text))
    prose = NOT_PROSE.sub(" ", text)
    assert not [d for d in ("\\(", "\\[", "$$") if d in prose], "TeX left on the page"
    # KaTeX's stylesheet and fonts come from the site itself, on pages with math only.
    sheets = re.findall(r'<link rel="stylesheet"[^>]*href="([^"]*)"', text)
    katex = [s for s in sheets if "katex" in s]
    assert all(not s.startswith(("http:", "https:", "//")) for s in sheets)
    assert bool(katex) == bool(MATH_ELEMENT.search(text))


def test_katex_fonts_are_served_with_its_stylesheet(html_dir: Path):
    css = (html_dir / "_static" / "katex" / "katex.min.css").read_text()
    fonts = set(re.findall(r"url\((fonts/[^)]+\.woff2)\)", css))
    assert fonts and all((html_dir / "_static" / "katex" / f).is_file() for f in fonts)


def source_formulas(chapter: Path) -> list[str]:
    """The TeX of every formula of a chapter's MyST source."""
    from markdown_it.renderer import RendererHTML
    from myst_parser.config.main import MdParserConfig
    from myst_parser.parsers.mdit import create_md_parser

    config = MdParserConfig(enable_extensions={"amsmath", "dollarmath", "colon_fence"})
    parser = create_md_parser(config, RendererHTML)
    tokens = list(parser.parse(chapter.read_text()))
    formulas = []
    while tokens:
        token = tokens.pop(0)
        tokens[:0] = token.children or []
        if token.type in ("math_inline", "math_block", "math_block_label", "amsmath"):
            formulas.append(token.content)
        elif token.type == "myst_role" and token.meta.get("name") == "math":
            formulas.append(token.content)
    return formulas


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_every_formula_of_the_source_is_typeset_on_its_page(
    html_dir: Path, chapter: Path
):
    from html import unescape

    page = (html_dir / chapter.relative_to(ROOT).with_suffix(".html")).read_text()
    typeset = {" ".join(unescape(t).split()) for t in TEX.findall(page)}
    formulas = [" ".join(f.split()) for f in source_formulas(chapter)]
    missing = [f for f in formulas if f not in typeset]
    assert not missing, (
        f"{len(missing)} of {len(formulas)} not on the page: {missing[:3]}"
    )
