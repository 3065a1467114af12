"""No number typed by hand in the chapters' prose.

Every number a chapter states comes from a cell's result through a glue role, so that
changing a setting in the package changes the sentence. This test reads every chapter's
prose (markdown cells outside math, code, glue and other roles, link targets, labels
and directive options) and every figure caption and alt text, and fails on a number
that is not on the short allow-list below, each entry with its reason.
"""

from __future__ import annotations

import re
from pathlib import Path

import jupytext
import pytest

from tests._book import ROOT, toc_files

#: 0, 1 and 2 are words more than numbers here ("one step", "the 2-norm", "x₀ = 0").
SMALL = {"0", "1", "2"}

#: (page, number as written, why it may be typed) — keep this short.
ALLOWED: set[tuple[str, str, str]] = set()

#: Directives whose body is prose (their option lines are not).
PROSE_DIRECTIVES = {
    "admonition", "attention", "caution", "dropdown", "epigraph", "exercise",
    "figure", "hint", "important", "margin", "note", "seealso", "sidebar", "tip",
    "warning",
}  # fmt: skip

NUMBER = re.compile(r"(?<![\w.\\^_])\d[\d,]*(?:\.\d+)?(?:[eE][-+]?\d+)?%?")

INLINE = [
    re.compile(r"^\s*\d+[.)](?=\s)", re.M),  # an ordered list's item markers
    re.compile(r"<!--.*?-->"),  # comments
    re.compile(r"\$\$.*?\$\$"),  # one-line display math
    re.compile(r"\$[^$]*\$"),  # inline math
    re.compile(r"\{[\w:-]+\}`[^`]*`"),  # roles with their bodies: glue, math, ref...
    re.compile(r"`[^`]*`"),  # inline code
    re.compile(r"\]\([^)]*\)"),  # link targets
    re.compile(r"<[^>]+>"),  # HTML tags and autolinks
]


def prose_of(markdown: str) -> list[str]:
    """The prose lines of one markdown cell, math, code and options removed."""
    prose, skip_to, open_prose = [], None, []
    in_math = False
    for line in markdown.splitlines():
        s = line.strip()
        if skip_to is not None:
            if s.startswith(skip_to) and not s.strip(skip_to[0]):
                skip_to = None
            continue
        fence = re.match(r"^(`{3,}|~{3,}|:{3,})\s*(\{[\w:-]+\})?", s)
        if fence:
            marks, name = fence.group(1), (fence.group(2) or "").strip("{}")
            if not name and open_prose and open_prose[-1] == marks:
                open_prose.pop()
            elif name in PROSE_DIRECTIVES:
                open_prose.append(marks)
                prose.append(s[fence.end() :])  # an exercise's or admonition's title
            else:
                skip_to = marks  # code, math, literalinclude, glue:md, table...
            continue
        if s.startswith("$$"):
            if not (s.endswith("$$") and len(s) > 4):
                in_math = not in_math
            continue
        if in_math or s.startswith("+++") or re.fullmatch(r"\(.*\)=", s):
            continue
        option = re.match(r"^:([\w.-]+):\s*(.*)$", s)
        if option:
            if option.group(1) == "alt":
                prose.append(option.group(2))
            continue
        prose.append(line)
    return prose


def numbers_in(text: str) -> list[str]:
    for pattern in INLINE:
        text = pattern.sub(" ", text)
    found = (m.group(0).rstrip(",") for m in NUMBER.finditer(text))
    return [n for n in found if n.rstrip("%").replace(",", "") not in SMALL]


def hand_typed(page: str) -> list[str]:
    """Every number typed in the prose, captions and alt texts of a page."""
    path = ROOT / f"{page}.md"
    notebook = jupytext.read(path)
    allowed = {(name, number) for name, number, _ in ALLOWED}
    hits = []
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            texts = prose_of(cell.source)
        else:
            figure = cell.metadata.get("mystnb", {}).get("figure", {})
            image = cell.metadata.get("mystnb", {}).get("image", {})
            texts = [figure.get("caption", ""), image.get("alt", "")]
        for text in texts:
            hits += [
                f"{n}  ← {text.strip()[:90]}"
                for n in numbers_in(text)
                if (Path(page).name, n) not in allowed
            ]
    return hits


@pytest.mark.parametrize("page", toc_files(), ids=lambda p: Path(p).name)
def test_no_number_in_the_prose_is_typed_by_hand(page: str):
    hits = hand_typed(page)
    assert not hits, "glue these numbers from a cell's result:\n" + "\n".join(hits)


#: A value glued in a code cell: ``glue("name", ...)``, ``glue_table(f"a_{k}", ...)``.
GLUED = re.compile(
    r"""\bglue(?:_table)?\(\s*f?(?:"((?:\{[^}]*\}|[^"{])*)"|'((?:\{[^}]*\}|[^'{])*)')"""
)
#: A glued value used in the prose: ``{glue:text}`name:fmt``` or ```{glue:md} name``.
QUOTED = re.compile(r"\{glue(?::\w+)?\}`([^`:]+)|\{glue(?::\w+)?\}[ \t]+(\S+)")


def quoted_before_glued(markdown_and_code: list[tuple[str, str]]) -> list[str]:
    """Glue names the prose quotes before a code cell has glued them, in order.

    ``markdown_and_code`` is a page's cells as (cell type, source). An f-string name
    (``f"bowl_{name}_final"``) matches any text in place of each ``{...}``.
    """
    glued, early = [], []
    for kind, source in markdown_and_code:
        if kind == "code":
            glued += [
                ".+".join(map(re.escape, re.split(r"\{[^}]*\}", a or b)))
                for a, b in GLUED.findall(source)
            ]
            continue
        for role, directive in QUOTED.findall(source):
            name = role or directive
            if not any(re.fullmatch(pattern, name) for pattern in glued):
                early.append(name)
    return early


@pytest.mark.parametrize("page", toc_files(), ids=lambda p: Path(p).name)
def test_no_prose_quotes_a_number_glued_in_a_later_cell(page: str):
    notebook = jupytext.read(ROOT / f"{page}.md")
    early = quoted_before_glued([(c.cell_type, c.source) for c in notebook.cells])
    assert not early, "the prose quotes these before a cell glues them: " + ", ".join(
        early
    )


def test_the_order_check_finds_a_number_quoted_too_early():
    cells = [
        ("markdown", "We run {glue:text}`steps:d` steps."),
        ("code", 'glue("steps", 30)\nfor k in "ab":\n    glue(f"loss_{k}", 1.0)'),
        ("code", "glue(f\"fan_{s.replace(' ', '_')}\", 2.0)"),
        ("markdown", "{glue:text}`fan_in_order:.2f`"),
        ("markdown", "{glue:text}`steps` steps, {glue:text}`loss_a:.2f`, {glue}`x`"),
        ("markdown", "```{glue:md} table\n:format: myst\n```"),
    ]
    assert quoted_before_glued(cells) == ["steps", "x", "table"]


def test_the_scanner_finds_typed_numbers_and_skips_glued_ones():
    cell = (
        "A step of 0.15 takes {glue:text}`n` steps; $x^3$ and `f(30)` are no prose.\n"
        "```{code-cell} ipython3\nx = 42\n```\n"
        ":alt: a curve falling to 7\n"
        "$$\ny = 3x\n$$\n"
        "```{exercise} Halve 1000 steps\nTry 25 [here](page-9.md).\n```\n"
    )
    assert numbers_in("\n".join(prose_of(cell))) == ["0.15", "7", "1000", "25"]


def test_the_markers_of_an_ordered_list_are_no_numbers():
    cell = "3. **Measure** the loss\n   after 3.5 steps\n10) Stop at 12.\n"
    assert numbers_in("\n".join(prose_of(cell))) == ["3.5", "12"]


def test_every_allowed_number_is_still_in_its_page():
    for page, number, reason in ALLOWED:
        assert reason
        path = next(ROOT / f"{p}.md" for p in toc_files() if Path(p).name == page)
        prose = "\n".join(prose_of(path.read_text(encoding="utf-8")))
        assert number in numbers_in(prose), (page, number)
