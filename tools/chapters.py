"""Reader notebooks: what Colab, Binder and the download button open.

`notebooks`, the last step of `make book`, makes of each chapter a plain notebook that
reads like its page (Jupyter knows no MyST, read here with markdown-it): glued values
and tables from the cached outputs, `literalinclude` as code, admonitions as quotes,
links between notebooks, numbered exercises, folded solutions and hidden cells,
captions under figures; first a set-up cell that installs gradlab at the built commit
and pins the float path. Written without outputs to `_build/notebooks` (published for
the launch buttons), with them (an animation as a GIF) where the download button
links. `compare` exits 1 if a page shows other digits on the second float path.

Usage: python tools/chapters.py notebooks | compare
"""

from __future__ import annotations

import argparse
import base64
import io
import itertools
import re
import shutil
import sys
from pathlib import Path

import nbformat
import sources
from gradlab.book import MEASURED, sources_digest  # torch-free
from markdown_it import MarkdownIt
from mdit_py_plugins.colon_fence import colon_fence_plugin
from mdit_py_plugins.myst_blocks import myst_block_plugin
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from sources import CACHE, NOTEBOOKS, ROOT, chapters, config, executed, git

#: A solution's prose in a reader notebook: folded, as the page's dropdown is.
FOLDED_PROSE = "<details><summary>Show the explanation</summary>\n\n{}\n\n</details>"
PARSER = MarkdownIt("commonmark").use(colon_fence_plugin).use(myst_block_plugin)
ROLE = re.compile(r"\{([a-z][\w:-]*)\}`([^`]*)`")
OPTION = re.compile(r":([\w-]+):\s*(.*)")
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
MEASURED_TEXT = "*(measured: see the output of the cell that times it)*"
MEASURED_TABLE = "*(A table of measured times: the cell above shows it when run.)*"
EXEC_TABLE = (
    "*(On the book's web page, a table here lists when each chapter last ran and how "
    "long it took.)*"
)


def directives(text: str):
    """(token, name, argument, options, body) of each MyST directive and target."""
    for token in PARSER.parse(text):
        if token.type == "myst_target":
            yield token, "target", token.content, {}, ""
        elif token.type in ("fence", "colon_fence") and token.info.startswith("{"):
            name, _, argument = token.info.partition(" ")
            lines, options = token.content.splitlines(), {}
            while lines and (option := OPTION.fullmatch(lines[0])):
                options[option[1]] = option[2]
                lines.pop(0)
            body = "\n".join(lines).strip("\n")
            yield token, name.strip("{}"), argument.strip(), options, body


def title_of(md: Path) -> str:
    return next(line[2:] for line in md.read_text().splitlines() if line[:2] == "# ")


def section_labels() -> dict[str, tuple[str, str]]:
    """{label: (chapter stem, title)} of every ``(label)=`` before a heading."""
    found = {}
    for md in chapters():
        tokens = PARSER.parse(md.read_text())
        for target, heading, title in zip(tokens, tokens[1:], tokens[2:], strict=False):
            if target.type == "myst_target" and heading.type == "heading_open":
                found[target.content] = (md.stem, title.content)
    return found


def pyobject_source(include: str, name: str, md: Path) -> str:
    """The lines Sphinx's literalinclude shows for ``:pyobject: name``."""
    from sphinx.pycode import ModuleAnalyzer

    path = (md.parent / include).resolve()
    _, start, end = ModuleAnalyzer.for_file(str(path), "").find_tags()[name]
    return "".join(path.read_text().splitlines(keepends=True)[start - 1 : end])


class Page:
    """Turns one chapter's cells into a reader notebook's (see the module docstring)."""

    def __init__(self, md: Path, glued: dict, sections: dict | None = None) -> None:
        self.md, self.glued, self.solution = md, glued, False
        self.sections = section_labels() if sections is None else sections
        found = [o for _, n, _, o, _ in directives(md.read_text()) if n == "exercise"]
        self.exercises = {o["label"]: k for k, o in enumerate(found, 1)}

    def markdown(self, text: str) -> str:
        """A Markdown cell without MyST (which also tells whether the cells after it
        are a gated solution's). A solution's prose is folded in a ``<details>`` block,
        which Jupyter and Colab render closed, as the page's dropdown is."""
        lines, out, done = ROLE.sub(self.role, text).splitlines(), [], 0
        for token, name, *directive in directives("\n".join(lines)):
            out += [
                self.prose(lines[done : token.map[0]]),
                self.block(name, *directive),
            ]
            if name.startswith("solution-"):
                self.solution = name == "solution-start"
            done = token.map[1]
        out.append(self.prose(lines[done:]))
        return "\n\n".join(t for t in out if t.strip()).strip("\n")

    def prose(self, lines: list[str]) -> str:
        """Lines of prose, folded when they are a solution's."""
        text = "\n".join(lines).strip("\n")
        return FOLDED_PROSE.format(text) if self.solution and text.strip() else text

    def role(self, match: re.Match) -> str:
        name, target = match.groups()
        if name == "glue:text":
            from myst_nb.core.variables import format_plain_text

            key, _, fmt = target.partition(":")
            if key + MEASURED in self.glued:  # a time: the reader's run measures it
                return MEASURED_TEXT
            return format_plain_text(self.glued[key]["data"]["text/plain"], fmt)
        if name == "doc":
            return f"[{title_of(self.md.parent / f'{target}.md')}]({target}.ipynb)"
        if name in ("ref", "numref") and target in self.exercises:
            return f"Exercise {self.exercises[target]}"
        if name in ("ref", "numref"):
            stem, title = self.sections[target]
            if stem == self.md.stem:
                return f"section \u201c{title}\u201d"
            chapter = title_of(self.md.parent / f"{stem}.md")
            return f"section \u201c{title}\u201d of [{chapter}]({stem}.ipynb)"
        raise ValueError(f"{self.md.name}: no reader-notebook form for {match[0]}")

    def block(self, name: str, argument: str, options: dict, body: str) -> str:
        if name == "exercise":
            title = f" ({argument})" if argument else ""
            return f"**Exercise {self.exercises[options['label']]}{title}.** {body}"
        if name == "solution-start":
            return f"*Solution to Exercise {self.exercises[argument]} (folded below).*"
        if name == "admonition":
            lines = [f"**{argument}**", "", *body.splitlines()]
            return "\n".join("> " + line if line else ">" for line in lines)
        if name == "glue:md":
            if argument + MEASURED in self.glued:
                return MEASURED_TABLE
            return self.glued[argument]["data"]["text/markdown"]
        if name == "literalinclude":
            code = pyobject_source(argument, options["pyobject"], self.md)
            return f"```python\n{code}```"
        if name == "nb-exec-table":
            return EXEC_TABLE
        if name in ("target", "solution-end"):
            return ""
        raise ValueError(f"{self.md.name}: no reader-notebook form for {{{name}}}")

    def cells(self, cell) -> list[dict]:
        """The reader notebook's cells for one cell of the chapter."""
        if cell.cell_type == "markdown":
            text = self.markdown(cell.source)
            return [new_markdown_cell(text)] if text.strip() else []
        tags = cell.metadata.get("tags", [])
        if "remove-cell" in tags:
            return []
        kept = "exercise-check" not in tags  # the reader's cell: no reference output
        outputs = [_small(o) for o in cell.outputs] if kept else []
        count = cell.get("execution_count") if kept else None
        code = new_code_cell(cell.source, outputs=outputs, execution_count=count)
        hidden = "hide-cell" in tags or self.solution
        if hidden or "remove-input" in tags:
            title = "Solution" if hidden else "Code"
            code["source"] = f"#@title {title} (double-click to show the code)\n"
            code["source"] += cell.source
            folded = {"source_hidden": True, "outputs_hidden": hidden}
            code["metadata"] = {"jupyter": folded, "cellView": "form"}  # Colab's form
        caption = cell.metadata.get("mystnb", {}).get("figure", {}).get("caption")
        return [code, *([new_markdown_cell(f"*Figure: {caption}*")] if caption else [])]


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


def commit() -> str:
    """The commit checked out (the set-up cell installs it), or the configured branch
    outside a git checkout."""
    return git("rev-parse", "HEAD") or config()["repository"].get("branch", "main")


def install_url() -> str:
    """The repository as pip's ``git+`` URL takes it."""
    url = config()["repository"]["url"].removesuffix("/").removesuffix(".git")
    return url + ".git" if url.startswith("https://") else url


def reader_notebook(md: Path, revision: str, cache: Path = CACHE, sections=None):
    """The reader notebook of chapter ``md``, with its outputs from ``cache``; its
    set-up cell installs gradlab at ``revision``."""
    from myst_nb.ext.glue import extract_glue_data_cell

    source, glued = executed(md, cache), {}
    for cell in source.cells:
        if cell.cell_type == "code":
            glued.update(extract_glue_data_cell(cell))  # also drops hidden glue outputs
    digest = sources_digest(ROOT / "code" / "gradlab")
    setup = SETUP_CELL.format(url=install_url(), commit=revision, sources=digest)
    intro = new_markdown_cell(SETUP_INTRO.format(title=title_of(md)))
    cells = [intro, new_code_cell(setup)]
    page = Page(md, glued, sections)
    for cell in source.cells:
        cells += page.cells(cell)
    for number, cell in enumerate(cells):
        cell["id"] = f"cell-{number}"  # stable ids: the file changes only with content
    kernelspec = {"display_name": "Python 3", "language": "python", "name": "python3"}
    metadata = {"kernelspec": kernelspec, "language_info": {"name": "python"}}
    return new_notebook(cells=cells, metadata=metadata)


def write_notebooks(out: Path = NOTEBOOKS, html: Path = sources.HTML) -> list[Path]:
    """Every chapter's reader notebook: with its outputs where the site's download
    button links (``html/_sources/book/<name>.ipynb``, if the site is built), without
    in ``out`` (replaced whole), beside the Binder environment (``binder/``, with
    gradlab at this commit, and the lock file) and a README. Returns ``out``'s."""
    revision, sections, written = commit(), section_labels(), []
    shutil.rmtree(out, ignore_errors=True)
    (out / "book").mkdir(parents=True)
    for md in chapters():
        name = md.relative_to(ROOT).with_suffix(".ipynb")
        notebook = reader_notebook(md, revision, sections=sections)
        if html.is_dir():
            (html / "_sources" / name).parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(notebook, html / "_sources" / name)
        for cell in notebook.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        nbformat.write(notebook, out / name)
        written.append(out / name)
    shutil.copytree(ROOT / "binder", out / "binder")
    (out / "requirements").mkdir()
    shutil.copy(ROOT / "requirements" / "lock.txt", out / "requirements")
    with (out / "binder" / "requirements.txt").open("a") as requirements:
        requirements.write(f"gradlab @ git+{install_url()}@{revision}\n")
    (out / "README.md").write_text(
        f"# Pull the Chain: the reader notebooks\n\nBuilt from commit `{revision}` of "
        f"{config()['repository']['url']} by `make book`, and published here by its "
        "deploy workflow: Colab and Binder open these notebooks. Do not edit them "
        "here; change the chapters (`book/*.md`) there.\n"
    )
    return written


def float_path_differences(second: Path) -> list[str]:
    """Each line of prose a page shows otherwise with the outputs of ``second``:
    the reader notebooks carry the glued values as the pages format them (times as
    placeholders; figures are not compared)."""
    found, revision, sections = [], commit(), section_labels()
    for md in chapters():
        notebooks = [
            reader_notebook(md, revision, c, sections) for c in (CACHE, second)
        ]
        for a, b in zip(*(n.cells for n in notebooks), strict=True):
            lines = a.source.splitlines(), b.source.splitlines()
            for x, y in itertools.zip_longest(*lines, fillvalue="(no line)"):
                if a.cell_type == "markdown" and x != y:
                    found.append(f"{md.name}: {x.strip()}\n  second path: {y.strip()}")
    return found


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["notebooks", "compare"])
    if parser.parse_args(argv).what == "notebooks":
        print(f"notebooks: {len(write_notebooks())} in {NOTEBOOKS.relative_to(ROOT)}")
        return 0
    differences = float_path_differences(sources.SECOND_CACHE)
    print("\n".join(differences or ["compare: the same digits on both float paths"]))
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
