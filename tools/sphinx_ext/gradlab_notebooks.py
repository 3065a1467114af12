"""Sphinx extension: the download button's notebooks are the reader notebooks.

myst-nb offers each chapter for download as `_sources/<chapter>.ipynb`: its MyST
twin, which Jupyter and Colab show with roles and directives as raw text. Once the
site is built, this extension writes there instead each chapter's reader notebook with
its outputs (`tools/chapters.py`: values inlined, code shown, solutions folded,
captions under the figures, the animation as a GIF).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx

TOOLS = Path(__file__).resolve().parent.parent


def _on_page(app: Sphinx, pagename: str, *args) -> None:
    # Only the pages written in this build get a new `_sources` copy; the others keep
    # the reader notebook written the last time they were.
    app.gradlab_written = getattr(app, "gradlab_written", set()) | {pagename}


def _on_build_finished(app: Sphinx, exception: Exception | None) -> None:
    read = getattr(app, "gradlab_written", set())
    if exception is not None or app.builder.format != "html" or not read:
        return
    if str(TOOLS) not in sys.path:
        sys.path.insert(0, str(TOOLS))
    from chapters import write_downloads

    write_downloads(Path(app.outdir), docnames=read)


def setup(app: Sphinx) -> dict:
    app.connect("html-page-context", _on_page)
    app.connect("build-finished", _on_build_finished)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
