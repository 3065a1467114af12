"""Reader notebooks: what Colab, Binder and the download button open.

The MyST chapters, book/<name>.md, are the single source, and Jupyter and Colab
understand none of MyST's roles and directives. So for every notebook chapter of
_toc.yml this script makes a plain notebook that reads like the web page:

- glued values inlined as text and tables, taken from the chapter's executed outputs
  in the execution cache (so run `make book`, or `tools/execute_chapters.py`, first);
- each `literalinclude` replaced by the lines Sphinx shows (a fenced code block);
- admonitions as block quotes, `{doc}` links to the other notebooks;
- exercises (sphinx-exercise's `{exercise}`) as bold numbered paragraphs, references
  to them as "Exercise N", and the code cells of their gated solutions
  (`{solution-start}` ... `{solution-end}`) collapsed like this: solutions collapsed
  (Jupyter's `source_hidden`/`outputs_hidden`, Colab's form
  view), hidden-input cells collapsed the same way;
- each figure's caption as a Markdown line under it;
- first, a short set-up cell: it installs gradlab from the repository of _config.yml
  (the one place that names it), at the commit the book was built from, where gradlab
  is missing; pins the book's float path; and checks that the installed sources are
  the ones this notebook was written for.

The notebooks are build products, like the pages (nothing the build computes is
committed): `notebooks`, the last step of `make book`, writes them without outputs
into `_build/notebooks`, a tree that the deploy publishes to the branch the launch
buttons open (``gradlab_notebooks_branch`` in _config.yml), with the Binder
environment beside them; and the same notebooks with their outputs (the animation as
a GIF) where the site's download button links: `write_notebooks`.

`compare` reads the chapters' outputs on the second float path
(`tools/execute_chapters.py --second-float-path`) and exits 1 if a page would show
other digits there: see `float_path_differences`.

Usage: python tools/chapters.py notebooks | compare
"""

from __future__ import annotations

import base64
import io
import re
import shutil
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools" / "sphinx_ext"))  # gradlab_footer's `git`
CACHE = ROOT / "_build" / ".jupyter_cache"
#: Where `notebooks` writes the tree the deploy publishes, and the built site.
NOTEBOOKS, HTML = ROOT / "_build" / "notebooks", ROOT / "_build" / "html"

SETUP_INTRO = (
    "This notebook is the chapter *{title}* of the book *Pull the Chain*. Run the "
    "next cell first: it installs `gradlab`, the book's small package, where it is "
    "missing (Colab keeps its own torch), asks torch for the book's float path (so "
    "that an x86-64 processor computes the book's digits), and checks that `gradlab` "
    "is the version this notebook was written for."
)
SETUP_CELL = """\
import importlib.util, subprocess, sys

if importlib.util.find_spec("gradlab") is None:
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet",
                    "git+{url}@{commit}"], check=True)
import gradlab.book

gradlab.book.pin_float_path()  # before torch is first imported
gradlab.book.check_setup(sources="{sources}")"""

GLUE_TEXT = re.compile(r"\{glue:text\}`([^`]+)`")
GLUE_MD = re.compile(r"```\{glue:md\} (\S+)\n(?::format: myst\n)?```")
INCLUDE = re.compile(r"```\{literalinclude\} (\S+)\n:pyobject: (\S+)\n```")
ADMONITION = re.compile(r":::\{admonition\} (.*?)\n(?::class: \S+\n)?(.*?)\n:::", re.S)
DOC = re.compile(r"\{doc\}`([^`<>]+)`")
EXEC_TABLE = re.compile(r"```\{nb-exec-table\}\n```")
OPTION = r"(?::[\w-]+:[^\n]*\n)*"
EXERCISE = re.compile(
    r"```\{exercise\}(?: ([^\n]+))?\n:label: (\S+)\n" + OPTION + r"\n?(.*?)\n```", re.S
)
SOLUTION_START = re.compile(r"```\{solution-start\} (\S+)\n" + OPTION + "```")
SOLUTION_END = re.compile(r"```\{solution-end\}\n```")
REF = re.compile(r"\{(?:num)?ref\}`([^`<>]+)`")
#: A section label, ``(name)=`` on the line before a heading.
LABEL = re.compile(r"^\(([\w-]+)\)=\n(#+ (.*))?", re.M)
#: What must not survive in a reader notebook's Markdown (tested).
MYST = re.compile(r"\{[a-z][a-z:-]*\}`|```\{|^:::|:pyobject:|\{glue", re.M)


def config() -> dict:
    return yaml.safe_load((ROOT / "_config.yml").read_text())


def chapters() -> list[Path]:
    """Notebook chapters of _toc.yml (MyST markdown files with a kernelspec)."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    names = [toc["root"]]
    stack = list(toc.get("chapters", []))
    while stack:
        entry = stack.pop(0)
        names.append(entry["file"])
        stack[:0] = entry.get("sections", [])
    paths = [ROOT / f"{name}.md" for name in names]
    return [p for p in paths if p.is_file() and "kernelspec:" in p.read_text()[:600]]


def title_of(md: Path) -> str:
    return next(line[2:] for line in md.read_text().splitlines() if line[:2] == "# ")


def commit() -> str:
    """The commit checked out (what the set-up cell installs), or the configured
    branch outside a git checkout."""
    from gradlab_footer import git

    return git(ROOT, "rev-parse", "HEAD") or config()["repository"].get(
        "branch", "main"
    )


def install_url() -> str:
    """The repository as pip's ``git+`` URL takes it."""
    url = config()["repository"]["url"].removesuffix("/").removesuffix(".git")
    return url + ".git" if url.startswith("https://") else url


def setup_source(sources: str, revision: str) -> str:
    return SETUP_CELL.format(url=install_url(), commit=revision, sources=sources)


def executed(md: Path, cache: Path = CACHE):
    """The chapter as myst-nb reads it, with its outputs from the execution cache."""
    from execute_chapters import read_chapter
    from jupyter_cache import get_cache

    notebook = read_chapter(md, config()["parse"]["myst_enable_extensions"])
    try:
        _, merged = get_cache(cache).merge_match_into_notebook(notebook)
    except KeyError:
        raise SystemExit(
            f"{md.relative_to(ROOT)} has no executed outputs in {cache}: "
            "run `make book` first"
        ) from None
    return merged


def pyobject_source(include: str, name: str, md: Path) -> str:
    """The lines Sphinx's literalinclude shows for ``:pyobject: name``."""
    from sphinx.pycode import ModuleAnalyzer

    path = (md.parent / include).resolve()
    _, start, end = ModuleAnalyzer.for_file(str(path), "").find_tags()[name]
    return "".join(path.read_text().splitlines(keepends=True)[start - 1 : end])


def section_labels() -> dict[str, tuple[str, str]]:
    """{label: (chapter stem, section title)} of every ``(label)=`` before a heading
    in the book's chapters."""
    found = {}
    for md in chapters():
        for m in LABEL.finditer(md.read_text()):
            if m.group(3):
                found[m.group(1)] = (md.stem, m.group(3).strip())
    return found


def exercise_numbers(md: Path) -> dict[str, int]:
    """{label: number} of a chapter's exercises, numbered from 1 in order."""
    labels = re.findall(r"```\{exercise\}[^\n]*\n:label: (\S+)", md.read_text())
    return {label: k for k, label in enumerate(labels, 1)}


def in_solution_after(text: str, before: bool) -> bool:
    """Whether the cells after this Markdown ``text`` belong to a gated solution."""
    starts = [m.start() for m in SOLUTION_START.finditer(text)]
    ends = [m.start() for m in SOLUTION_END.finditer(text)]
    if not starts and not ends:
        return before
    return max(starts, default=-1) > max(ends, default=-1)


def markdown(
    text: str,
    glued: dict,
    md: Path,
    exercises: dict | None = None,
    sections: dict | None = None,
) -> str:
    """A chapter's Markdown cell without MyST: values, code and links inlined.
    ``exercises`` and ``sections`` default to reading the chapters; a caller that
    converts many cells reads them once and passes them."""
    exercises = exercises if exercises is not None else exercise_numbers(md)
    from gradlab.book import MEASURED  # torch-free: cheap to import
    from myst_nb.core.variables import format_plain_text

    def glue_text(match: re.Match) -> str:
        key, _, fmt = match.group(1).partition(":")
        if key + MEASURED in glued:  # a time: the notebook's own run measures it
            return "*(measured: see the output of the cell that times it)*"
        return format_plain_text(glued[key]["data"]["text/plain"], fmt)

    def glue_md(match: re.Match) -> str:
        if match.group(1) + MEASURED in glued:
            return "*(A table of measured times: the cell above shows it when run.)*"
        return glued[match.group(1)]["data"]["text/markdown"]

    def admonition(match: re.Match) -> str:
        lines = [f"**{match.group(1)}**", "", *match.group(2).splitlines()]
        return "\n".join("> " + line if line else ">" for line in lines)

    def doc_link(match: re.Match) -> str:
        target = md.parent / f"{match.group(1)}.md"
        return f"[{title_of(target)}]({match.group(1)}.ipynb)"

    def exercise(match: re.Match) -> str:
        title = f" ({match.group(1)})" if match.group(1) else ""
        return f"**Exercise {exercises[match.group(2)]}{title}.** {match.group(3)}"

    text = EXERCISE.sub(exercise, text)
    text = SOLUTION_START.sub(
        lambda m: f"*Solution to Exercise {exercises[m.group(1)]} (folded below).*",
        text,
    )
    text = SOLUTION_END.sub("", text).strip("\n")
    if sections is None and REF.search(text):
        sections = section_labels()

    def ref(m: re.Match) -> str:
        label = m.group(1)
        if label in exercises:
            return f"Exercise {exercises[label]}"
        if label in sections:
            stem, title = sections[label]
            if stem == md.stem:
                return f"section \u201c{title}\u201d"
            chapter = title_of(md.parent / f"{stem}.md")
            return f"section \u201c{title}\u201d of [{chapter}]({stem}.ipynb)"
        return m.group(0)

    text = REF.sub(ref, text)
    text = LABEL.sub(lambda m: m.group(2) or "", text)
    text = GLUE_TEXT.sub(glue_text, text)
    text = GLUE_MD.sub(glue_md, text)
    text = INCLUDE.sub(
        lambda m: f"```python\n{pyobject_source(m.group(1), m.group(2), md)}```", text
    )
    text = ADMONITION.sub(admonition, text)
    text = DOC.sub(doc_link, text)
    return EXEC_TABLE.sub(
        "*(On the book's web page, a table here lists when each chapter last ran and "
        "how long it took.)*",
        text,
    )


def reader_notebook(md: Path, *, outputs: bool, revision: str, cache: Path = CACHE):
    """The reader notebook of chapter ``md`` (see the module docstring), its set-up
    cell installing gradlab at ``revision`` (a commit); outputs read from ``cache``."""
    import nbformat
    from gradlab.book import sources_digest  # given the path: any gradlab will do
    from myst_nb.ext.glue import extract_glue_data_cell

    source = executed(md, cache)
    glued = {}
    for cell in source.cells:
        if cell.cell_type == "code":
            glued.update(extract_glue_data_cell(cell))  # also drops hidden glue outputs
    sources = sources_digest(ROOT / "code" / "gradlab")
    cells = [
        _cell("markdown", SETUP_INTRO.format(title=title_of(md))),
        _cell("code", setup_source(sources, revision)),
    ]
    exercises = exercise_numbers(md)
    sections = section_labels()
    solution = False  # inside a gated {solution-start} ... {solution-end}
    for cell in source.cells:
        if cell.cell_type == "markdown":
            solution = in_solution_after(cell.source, solution)
            text = markdown(cell.source, glued, md, exercises, sections)
            if text.strip():
                cells.append(_cell("markdown", text))
            continue
        tags = cell.metadata.get("tags", [])
        if "remove-cell" in tags:
            continue
        code = _cell("code", cell.source)
        hidden = "hide-cell" in tags or solution
        if hidden or "remove-input" in tags:
            title = "Solution" if hidden else "Code"
            code.source = f"#@title {title} (double-click to show the code)\n" + (
                cell.source
            )
            code.metadata["jupyter"] = {"source_hidden": True}
            code.metadata["cellView"] = "form"  # Colab's way of folding code
            if hidden:
                code.metadata["jupyter"]["outputs_hidden"] = True
        if outputs:
            code.outputs = [_small(o) for o in cell.get("outputs", [])]
            code.execution_count = cell.get("execution_count")
        cells.append(code)
        caption = cell.metadata.get("mystnb", {}).get("figure", {}).get("caption")
        if caption:
            cells.append(_cell("markdown", f"*Figure: {caption}*"))
    for number, cell in enumerate(cells):
        cell.id = f"cell-{number}"  # stable ids: the file changes only with content
    # nbformat's constructor validates the whole notebook (its cell constructors would
    # validate each cell again: a second or two per book).
    notebook = nbformat.v4.new_notebook(
        cells=cells, metadata={"kernelspec": _kernelspec()}
    )
    notebook.metadata["language_info"] = {"name": "python"}
    return notebook


def _cell(kind: str, source: str):
    """A cell as nbformat.v4's ``new_markdown_cell``/``new_code_cell`` make it, less
    the per-cell validation (`reader_notebook` validates the notebook once)."""
    from nbformat import from_dict

    cell = {"cell_type": kind, "metadata": {}, "source": source}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return from_dict(cell)


def _kernelspec() -> dict:
    return {"display_name": "Python 3", "language": "python", "name": "python3"}


def _small(output):
    """An output as the download keeps it: a JavaScript animation becomes a GIF."""
    html = output.get("data", {}).get("text/html", "")
    frames = re.findall(r'frames\[\d+\] = "data:image/png;base64,([^"]*)"', html)
    if not frames:
        return output
    from PIL import Image

    images = []
    for frame in frames:
        png = base64.b64decode(frame.replace("\\\n", ""))
        rgba = Image.open(io.BytesIO(png)).convert("RGBA")
        white = Image.new("RGBA", rgba.size, "white")
        images.append(Image.alpha_composite(white, rgba).convert("P"))
    gif = io.BytesIO()
    images[0].save(
        gif, format="GIF", save_all=True, append_images=images[1:], duration=150, loop=0
    )
    output["data"] = {
        "image/gif": base64.b64encode(gif.getvalue()).decode(),
        "text/plain": ["<animation: a GIF of the frames the web page plays>"],
    }
    return output


def notebook_text(notebook) -> str:
    import nbformat

    return nbformat.writes(notebook) + "\n"


def write_notebooks(
    out: Path = NOTEBOOKS, html: Path = HTML, revision: str | None = None
) -> list[Path]:
    """Every chapter's reader notebook, twice: with its outputs where the site's
    download button links (``html/_sources/book/<name>.ipynb``, if the site is built),
    and without, in the tree the deploy publishes, ``out``: ``book/<name>.ipynb``, the
    Binder environment (``binder/``, with gradlab at ``revision``, and the lock file it
    is constrained by) and a README. Replaces ``out`` whole; returns its notebooks."""
    revision = revision or commit()
    shutil.rmtree(out, ignore_errors=True)
    (out / "book").mkdir(parents=True)
    written = []
    for md in chapters():
        name = md.relative_to(ROOT).with_suffix(".ipynb")
        notebook = reader_notebook(md, outputs=True, revision=revision)
        if html.is_dir():
            (html / "_sources" / name).parent.mkdir(parents=True, exist_ok=True)
            (html / "_sources" / name).write_text(notebook_text(notebook))
        for cell in notebook.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        (out / name).write_text(notebook_text(notebook))
        written.append(out / name)
    shutil.copytree(ROOT / "binder", out / "binder")
    (out / "requirements").mkdir()
    shutil.copy(ROOT / "requirements" / "lock.txt", out / "requirements")
    with (out / "binder" / "requirements.txt").open("a") as requirements:
        requirements.write(f"gradlab @ git+{install_url()}@{revision}\n")
    (out / "README.md").write_text(
        f"# Pull the Chain: the reader notebooks\n\n"
        f"Built from commit `{revision}` of {config()['repository']['url']} "
        "by `make book`, and published here by its deploy workflow: Colab and Binder "
        "open these notebooks. Do not edit them here; change the chapters "
        "(`book/*.md`) there.\n"
    )
    return written


def float_path_differences(second: Path) -> list[str]:
    """What the pages show differently when the chapters run on the second float path:
    one line per line of prose or table that differs, both versions side by side.

    The reader notebooks carry every glued value as the page formats it, so comparing
    theirs from the two caches (the book's, and ``second``) compares the digits the
    pages show; measured times are placeholders there, and figures are not compared.
    """
    found, revision = [], commit()
    for md in chapters():
        first = reader_notebook(md, outputs=False, revision=revision).cells
        other = reader_notebook(
            md, outputs=False, revision=revision, cache=second
        ).cells
        for a, b in zip(first, other, strict=True):
            if a.cell_type != "markdown" or a.source == b.source:
                continue
            for line_a, line_b in zip(
                a.source.splitlines(), b.source.splitlines(), strict=True
            ):
                if line_a != line_b:
                    found.append(
                        f"{md.name}: {line_a.strip()}\n  second path: {line_b.strip()}"
                    )
    return found


def main(argv: list[str]) -> int:
    if argv == ["notebooks"]:
        written = write_notebooks()
        where = NOTEBOOKS.relative_to(ROOT)
        print(f"notebooks: {len(written)} reader notebooks in {where}")
        return 0
    if argv == ["compare"]:
        from execute_chapters import SECOND_CACHE

        differences = float_path_differences(SECOND_CACHE)
        for line in differences:
            print(line)
        if differences:
            print(
                f"compare: {len(differences)} line(s) of the pages show other digits "
                "on the second float path",
                file=sys.stderr,
            )
            return 1
        print("compare: the pages show the same digits on both float paths")
        return 0
    print("usage: python tools/chapters.py notebooks | compare", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "tools"))
    sys.exit(main(sys.argv[1:]))
