"""The reader notebooks: what Colab, Binder and the download button open.

`make book` generates them from the chapters into _build/notebooks (tools/chapters.py),
the tree the deploy publishes; they must read like the web page in Jupyter and Colab,
which know nothing of MyST.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat
import pytest
from markdown_it import MarkdownIt
from mdit_py_plugins.colon_fence import colon_fence_plugin
from mdit_py_plugins.myst_blocks import myst_block_plugin
from mdit_py_plugins.myst_role import myst_role_plugin

from tests._book import ROOT, chapter_files, figure_names

sys.path.insert(0, str(ROOT / "tools"))
import chapters
from gradlab.book import sources_digest
from sources import config

#: Unit tests of the build's tools (tools/): `make tool-tests`.
pytestmark = pytest.mark.tools

CHAPTERS = chapter_files()
MYST_PARSER = (
    MarkdownIt("commonmark")
    .use(colon_fence_plugin)
    .use(myst_block_plugin)
    .use(myst_role_plugin)
)


def reader(chapter: Path) -> Path:
    """The reader notebook `make book` wrote for ``chapter``."""
    path = chapters.NOTEBOOKS / chapter.relative_to(ROOT).with_suffix(".ipynb")
    if not path.is_file():
        pytest.fail(f"no {path.relative_to(ROOT)}: run `make book` first")
    return path


def cells(notebook: Path) -> list[dict]:
    return json.loads(notebook.read_text())["cells"]


def text(cell: dict) -> str:
    return "".join(cell["source"])


def myst_left(markdown: str) -> list[str]:
    """What MyST's own parser still finds of MyST in ``markdown``: roles, directives,
    colon fences, targets, block breaks and comments."""
    tokens = MYST_PARSER.parse(markdown)
    found = [t.content for t in tokens if t.type.startswith(("myst_", "colon_fence"))]
    found += [t.info for t in tokens if t.type == "fence" and "{" in t.info]
    inline = [c for t in tokens if t.children for c in t.children]
    return found + [c.content for c in inline if c.type == "myst_role"]


@pytest.mark.book
@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_markdown_has_no_myst_and_every_figure_its_caption(chapter: Path):
    nb = cells(reader(chapter))
    for cell in nb:
        if cell["cell_type"] == "markdown":
            assert not myst_left(text(cell)), text(cell)[:300]
            assert not re.search(r"\{glue|:pyobject:|^:::", text(cell), re.M)
    captions = [text(c) for c in nb if text(c).startswith("*Figure: ")]
    assert len(captions) == len(figure_names(chapter))


@pytest.mark.book
@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_set_up_cell_installs_this_commit_and_pins_the_float_path(chapter: Path):
    nb = cells(reader(chapter))
    assert nb[0]["cell_type"] == "markdown" and "Run the next cell first" in text(nb[0])
    setup = text(nb[1])
    repo = config()["repository"]
    assert f'"git+{repo["url"]}.git@{chapters.commit()}"' in setup
    assert (
        f'check_setup(sources="{sources_digest(ROOT / "code" / "gradlab")}")' in setup
    )
    # The float path is pinned before anything imports torch.
    assert "pin_float_path()" in setup and "torch" not in setup.split("pin_float")[0]
    assert sum(c["cell_type"] == "code" and "pip" in text(c) for c in nb) == 1


@pytest.mark.book
def test_the_published_tree_has_every_notebook_and_a_binder_environment():
    tree = chapters.NOTEBOOKS
    assert sorted(tree.glob("book/*.ipynb")) == sorted(map(reader, CHAPTERS))
    requirements = (tree / "binder" / "requirements.txt").read_text()
    assert "torch==2.13.0+cpu" in requirements
    assert f"gradlab @ git+{chapters.install_url()}@{chapters.commit()}" in requirements
    assert (tree / "requirements" / "lock.txt").read_bytes() == (
        ROOT / "requirements" / "lock.txt"
    ).read_bytes()
    assert (tree / "binder" / "apt.txt").read_text().split() == ["graphviz"]
    assert chapters.commit() in (tree / "README.md").read_text()


def test_nothing_generated_is_committed():
    tracked = subprocess.run(
        ["git", "ls-files", "*.ipynb"], cwd=ROOT, capture_output=True, text=True
    )
    if tracked.returncode != 0:
        pytest.skip("not a git checkout")
    assert tracked.stdout == ""


@pytest.mark.book
@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_solutions_are_folded_and_nothing_is_executed(chapter: Path):
    source = jupytext.read(chapter)
    hidden = sum("hide-cell" in c.metadata.get("tags", []) for c in source.cells)
    hidden += chapter.read_text().count("```{solution-start}")  # one cell each
    nb = cells(reader(chapter))
    folded = [c for c in nb if c["metadata"].get("jupyter", {}).get("outputs_hidden")]
    assert len(folded) == hidden
    assert all(c["metadata"]["cellView"] == "form" for c in folded)
    assert all(text(c).startswith("#@title Solution") for c in folded)
    assert all(not c.get("outputs") for c in nb if c["cell_type"] == "code")


@pytest.mark.book
def test_a_glued_value_and_an_included_listing_are_inlined():
    nb = cells(reader(ROOT / "book" / "gradients.md"))
    prose = "\n".join(text(c) for c in nb if c["cell_type"] == "markdown")
    assert "```python\ndef sin_radial_grad(" in prose
    assert "> **A common slip" in prose  # the admonition, as a block quote


INCLUDES = [
    (chapter, argument, options["pyobject"])
    for chapter in CHAPTERS
    for _, name, argument, options, _ in chapters.directives(chapter.read_text())
    if name == "literalinclude"
]


@pytest.mark.parametrize(
    ("chapter", "include", "name"), INCLUDES, ids=[i[2] for i in INCLUDES]
)
def test_an_included_listing_is_the_whole_object_down_to_its_last_line(
    chapter: Path, include: str, name: str
):
    # As the web page shows it (Sphinx's literalinclude): from its first line to its
    # last, read here from Python's own parse of the file.
    path = (chapter.parent / include).resolve()
    node = ast.parse(path.read_text())
    for part in name.split("."):
        node = next(n for n in node.body if getattr(n, "name", None) == part)
    lines = path.read_text().splitlines(keepends=True)
    first = min([node.lineno] + [d.lineno for d in node.decorator_list])
    shown = chapters.pyobject_source(include, name, chapter)
    assert shown == "".join(lines[first - 1 : node.end_lineno])


@pytest.mark.book
def test_exercises_are_numbered_and_their_solutions_labelled():
    nb = cells(reader(ROOT / "book" / "chain-lab.md"))
    prose = "\n".join(text(c) for c in nb if c["cell_type"] == "markdown")
    assert "**Exercise 1 (Gradient ascent).** Step *with* the gradient" in prose
    assert "*Solution to Exercise 3 (folded below).*" in prose
    assert "(Exercise 2 asks why a longer chain" in prose  # a {numref} in the text
    after = nb.index(next(c for c in nb if "Solution to Exercise 1" in text(c)))
    assert text(nb[after + 1]).startswith("#@title Solution")
    assert nb[after + 1]["metadata"]["jupyter"]["outputs_hidden"]


def test_exercise_markup_becomes_plain_markdown(tmp_path):
    md = tmp_path / "x.md"
    md.write_text(
        "```{exercise} Title\n:class: x\n:label: ex-a\n\nDo it.\n```\n\n"
        "```{solution-start} ex-a\n:class: dropdown\n```\n"
    )
    page = chapters.Page(md, {}, sections={})
    out = page.markdown(md.read_text())
    assert out == (
        "**Exercise 1 (Title).** Do it.\n\n*Solution to Exercise 1 (folded below).*"
    )
    assert page.solution  # the cells after it are the solution's
    out = page.markdown("```{solution-end}\n```\n\nSee {numref}`ex-a`.")
    assert out == "See Exercise 1." and not page.solution
    assert page.markdown("Prose.") == "Prose." and not page.solution
    with pytest.raises(ValueError, match="no reader-notebook form"):
        page.markdown("```{unknown}\n```")


def test_section_labels_are_dropped_and_references_name_the_section():
    md = ROOT / "book" / "gradients.md"  # any chapter: the reference is to another
    text = "(a-label)=\n## Heading\n\nAs {ref}`early-stopping` shows."
    assert chapters.Page(md, {}).markdown(text) == (
        "## Heading\n\nAs section \u201cEarly stopping\u201d of "
        "[Validation, overfitting and early stopping](generalization.ipynb) shows."
    )
    own = ROOT / "book" / "generalization.md"
    assert chapters.Page(own, {}).markdown("See {ref}`early-stopping`.") == (
        "See section \u201cEarly stopping\u201d."
    )


def test_glued_values_and_tables_are_written_in_and_times_are_not(tmp_path):
    md = tmp_path / "x.md"
    md.write_text("# X\n")
    glued = {
        "v": {"data": {"text/plain": "0.123456"}},
        "t": {"data": {"text/markdown": "| a |\n|---|\n| 1 |"}},
        "s": {"data": {"text/plain": "1.5"}},
        "s__measured": {"data": {"text/plain": "True"}},
    }
    page = chapters.Page(md, glued, sections={})
    text = "Is {glue:text}`v:.2f`, took {glue:text}`s:.1f` s.\n\n"
    text += "```{glue:md} t\n:format: myst\n```"
    assert page.markdown(text) == (
        f"Is 0.12, took {chapters.MEASURED_TEXT} s.\n\n| a |\n|---|\n| 1 |"
    )


def test_check_setup_reports_a_different_gradlab(capsys):
    from gradlab.book import check_setup

    check_setup(sources_digest())
    assert "ready" in capsys.readouterr().out
    check_setup("000000000000")
    assert "WARNING: this notebook was written for" in capsys.readouterr().out


@pytest.mark.book
@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_the_download_is_the_reader_notebook_with_outputs(html_dir, chapter: Path):
    download = html_dir / "_sources" / chapter.relative_to(ROOT).with_suffix(".ipynb")
    nb = cells(download)
    published = cells(reader(chapter))
    assert [text(c) for c in nb] == [text(c) for c in published]
    outputs = [o for c in nb if c["cell_type"] == "code" for o in c.get("outputs", [])]
    kinds = {"image/png", "image/gif", "image/svg+xml"}
    images = [o for o in outputs if kinds & set(o.get("data", {}))]
    assert len(images) >= len(figure_names(chapter)), "the download keeps the figures"
    data = [o.get("data", {}) for o in outputs]
    html = ["".join(d["text/html"]) for d in data if "text/html" in d]
    # 400 kB for the rest; a live widget has its own budget (tests/test_widgets.py).
    widgets = sum(len(h.encode()) for h in html if "data-gradlab-widget" in h)
    assert download.stat().st_size - widgets < 400_000
    # No script but a live widget's (gradlab.widgets): an animation became a GIF.
    assert all("data-gradlab-widget" in h for h in html if "<script" in h)


@pytest.mark.book
@pytest.mark.parametrize(
    "name", ["autograd-beyond", "autograd-from-scratch", "optimizers"]
)
def test_measured_times_are_not_copied_into_the_notebook(name):
    # A time differs on every run: the notebook points to the cell that measures it
    # (and the comparison of float paths compares no time).
    notebook = reader(ROOT / "book" / f"{name}.md").read_text()
    assert "*(measured: see the output of the cell that times it)*" in notebook
    assert (
        "*(A table of measured times: the cell above shows it when run.)*" in notebook
    )


def test_an_exercise_check_cell_reaches_the_reader_empty_and_unfolded(tmp_path):
    # The cell a reader fills in: its build-time output ("not answered yet") is not
    # theirs, and a folded cell would hide what they are asked to write.
    md = tmp_path / "x.md"
    md.write_text("# X\n")
    check = nbformat.v4.new_code_cell("gradlab.exercises.check('ex-a', f)")
    check.metadata["tags"] = ["exercise-check", "remove-output"]
    check.outputs = [nbformat.v4.new_output("stream", text="✗ f: not answered yet\n")]
    check.execution_count = 7
    (cell,) = chapters.Page(md, {}, sections={}).cells(check)
    assert cell["outputs"] == [] and cell["execution_count"] is None
    assert "jupyter" not in cell["metadata"] and text(cell) == check.source


def test_a_solutions_prose_is_folded_and_the_text_around_it_is_not(tmp_path):
    md = tmp_path / "x.md"
    md.write_text(
        "```{exercise}\n:label: ex-a\n\nDerive it.\n```\n\n"
        "```{solution-start} ex-a\n:class: dropdown\n```\n\nIt is $2x$.\n"
    )
    page = chapters.Page(md, {}, sections={})
    out = page.markdown(md.read_text())
    assert out.startswith(
        "**Exercise 1.** Derive it.\n\n*Solution to Exercise 1 (folded below).*\n\n"
    )
    assert out.endswith(chapters.FOLDED_PROSE.format("It is $2x$."))
    # prose after a solution's code, up to its end, is folded; what follows is not
    out = page.markdown("So 2x.\n\n```{solution-end}\n```\n\nNext.")
    assert out == chapters.FOLDED_PROSE.format("So 2x.") + "\n\nNext."
    assert not page.solution
