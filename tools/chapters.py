"""Keep every chapter's generated parts in sync: `make sync` writes, `make test` checks.

For each notebook chapter listed in _toc.yml (book/<name>.md):

1. its first cell, the Colab set-up cell, is rewritten from SETUP_CELL with the
   repository URL and branch of _config.yml (the one place that names them);
2. book/<name>.ipynb, its jupytext-paired notebook without outputs, is regenerated.
   Colab and Binder open that .ipynb (Colab cannot open MyST markdown).

Usage: python tools/chapters.py sync | check
`check` exits 1 and names the files that `sync` would change.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent

SETUP_CELL = """\
```{{code-cell}} ipython3
:tags: [remove-cell]

# Set-up for Colab and other fresh environments: installs gradlab where it is missing.
# Generated from _config.yml by `make sync`; do not edit by hand.
import importlib.util
import shutil
import subprocess
import sys

if importlib.util.find_spec("gradlab") is None:
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet",
         "git+{url}@{branch}"],
        check=True,
    )
if shutil.which("dot") is None:
    print("Graphviz's `dot` program is missing, so graph drawings will fail.\\n"
          "Install it with `apt-get install graphviz`\\n"
          "(in Colab, run `!apt-get install graphviz` in a cell).")
```"""

SETUP_PATTERN = re.compile(
    r"```\{code-cell\} ipython3\n:tags: \[remove-cell\]\n\n# Set-up for Colab.*?\n```",
    re.DOTALL,
)


def config() -> dict:
    return yaml.safe_load((ROOT / "_config.yml").read_text())


def setup_cell(url: str | None = None, branch: str | None = None) -> str:
    """The set-up cell's MyST source for the configured (or the given) repository."""
    repo = config()["repository"]
    url = (url or repo["url"]).removesuffix("/").removesuffix(".git")
    if url.startswith("https://"):
        url += ".git"
    return SETUP_CELL.format(url=url, branch=branch or repo.get("branch", "main"))


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


def synced_markdown(text: str, path: Path) -> str:
    if not SETUP_PATTERN.search(text):
        raise SystemExit(f"{path}: no set-up cell (copy it from book/gradients.md)")
    return SETUP_PATTERN.sub(lambda _: setup_cell(), text, count=1)


def paired_notebook(markdown: str) -> str:
    """The .ipynb text jupytext makes from the chapter's markdown (no outputs)."""
    import jupytext
    import nbformat

    notebook = jupytext.reads(markdown, fmt="md:myst")
    notebook.metadata["jupytext"] = {"formats": "ipynb,md:myst"}
    for number, cell in enumerate(notebook.cells):
        cell.id = f"cell-{number}"  # stable ids, so the file only changes with content
    return nbformat.writes(notebook) + "\n"


def run(write: bool) -> list[Path]:
    """Bring every chapter up to date (or only report); return the stale files."""
    stale = []
    for md in chapters():
        text = md.read_text()
        new_text = synced_markdown(text, md)
        ipynb = md.with_suffix(".ipynb")
        new_nb = paired_notebook(new_text)
        for path, old, new in ((md, text, new_text), (ipynb, None, new_nb)):
            old = path.read_text() if old is None and path.exists() else old
            if old != new:
                stale.append(path)
                if write:
                    path.write_text(new)
    return stale


def main(argv: list[str]) -> int:
    if argv not in (["sync"], ["check"]):
        print("usage: python tools/chapters.py sync | check", file=sys.stderr)
        return 2
    stale = run(write=argv == ["sync"])
    names = ", ".join(str(p.relative_to(ROOT)) for p in stale)
    if argv == ["sync"]:
        print(f"updated: {names}" if stale else "all chapters were in sync")
        return 0
    if stale:
        print(f"out of sync: {names}; run `make sync`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
