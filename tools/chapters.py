"""Reader notebooks: what Colab, Binder and the download button open.

The MyST chapters, book/<name>.md, are the single source, and Jupyter and Colab
understand none of MyST's roles and directives. So for every notebook chapter of
_toc.yml this script writes book/<name>.ipynb, a plain notebook that reads like the web
page:

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
  (the one place that names it) where gradlab is missing, and checks that the
  installed sources are the ones this notebook was written for.

The committed notebooks carry no outputs (Colab and Binder run them). The book's
download button gets the same notebook with its outputs, the animation as a GIF:
`write_downloads`, called by the footer extension when the site is built.

Usage: python tools/chapters.py sync | check
`check` exits 1 and names the notebooks that `sync` would change.
"""

from __future__ import annotations

import base64
import io
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "_build" / ".jupyter_cache"

SETUP_INTRO = (
    "This notebook is the chapter *{title}* of the book *Pull the Chain*. Run the "
    "next cell first: it installs `gradlab`, the book's small package, where it is "
    "missing (Colab keeps its own torch), and checks that it is the version this "
    "notebook was written for."
)
SETUP_CELL = """\
import importlib.util, subprocess, sys

if importlib.util.find_spec("gradlab") is None:
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet",
                    "git+{url}@{branch}"], check=True)
import gradlab.book

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


def setup_source(sources: str, url: str | None = None) -> str:
    repo = config()["repository"]
    url = (url or repo["url"]).removesuffix("/").removesuffix(".git")
    if url.startswith("https://"):
        url += ".git"
    return SETUP_CELL.format(
        url=url, branch=repo.get("branch", "main"), sources=sources
    )


def executed(md: Path):
    """The chapter as myst-nb reads it, with its outputs from the execution cache."""
    from execute_chapters import read_chapter
    from jupyter_cache import get_cache

    notebook = read_chapter(md, config()["parse"]["myst_enable_extensions"])
    try:
        _, merged = get_cache(CACHE).merge_match_into_notebook(notebook)
    except KeyError:
        raise SystemExit(
            f"{md.relative_to(ROOT)} has no executed outputs in {CACHE}: "
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


def reader_notebook(md: Path, *, outputs: bool, url: str | None = None):
    """The reader notebook of chapter ``md`` (see the module docstring)."""
    import nbformat
    from gradlab.book import sources_digest  # given the path: any gradlab will do
    from myst_nb.ext.glue import extract_glue_data_cell

    source = executed(md)
    glued = {}
    for cell in source.cells:
        if cell.cell_type == "code":
            glued.update(extract_glue_data_cell(cell))  # also drops hidden glue outputs
    sources = sources_digest(ROOT / "code" / "gradlab")
    cells = [
        _cell("markdown", SETUP_INTRO.format(title=title_of(md))),
        _cell("code", setup_source(sources, url)),
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


def run(write: bool) -> list[Path]:
    """Bring every reader notebook up to date (or only report); return stale ones."""
    stale = []
    for md in chapters():
        path = md.with_suffix(".ipynb")
        text = notebook_text(reader_notebook(md, outputs=False))
        if not path.exists() or path.read_text() != text:
            stale.append(path)
            if write:
                path.write_text(text)
    return stale


def write_downloads(html_dir: Path, docnames: set[str] | None = None) -> list[Path]:
    """Each chapter's reader notebook with outputs, where the download button links.

    ``docnames`` (``book/gradients``, ...) limits it to those pages.
    """
    written = []
    for md in chapters():
        if (
            docnames is not None
            and md.relative_to(ROOT).with_suffix("").as_posix() not in docnames
        ):
            continue
        target = html_dir / "_sources" / md.relative_to(ROOT).with_suffix(".ipynb")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(notebook_text(reader_notebook(md, outputs=True)))
        written.append(target)
    return written


def main(argv: list[str]) -> int:
    if argv not in (["sync"], ["check"]):
        print("usage: python tools/chapters.py sync | check", file=sys.stderr)
        return 2
    stale = run(write=argv == ["sync"])
    names = ", ".join(str(p.relative_to(ROOT)) for p in stale)
    if argv == ["sync"]:
        print(f"updated: {names}" if stale else "every reader notebook was up to date")
        return 0
    if stale:
        print(f"out of date: {names}; run `make sync`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "tools"))
    sys.exit(main(sys.argv[1:]))
