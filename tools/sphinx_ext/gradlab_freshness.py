"""Sphinx extension: re-execute the chapters whenever the `gradlab` package changes.

jupyter-cache keys a chapter on its code only. So a cache not tagged with today's
digest of the package, lock file and float path (`sources.outputs_digest`) is emptied
before anything reads it (`sources.fresh_cache`, as `tools/execute_chapters.py` does),
and every page is read again when the digest differs from the one the last successful
build recorded beside the HTML (`STAMP_NAME`). A prose-only edit changes neither.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tools/
from sources import CACHE, fresh_cache, outputs_digest

STAMP_NAME = ".gradlab-sources.sha256"


def _on_builder_inited(app) -> None:
    from sphinx.util import logging

    logger = logging.getLogger(__name__)
    app.gradlab_digest = outputs_digest(Path(app.srcdir))
    cache = Path(app.config.nb_execution_cache_path or CACHE)
    if fresh_cache(cache, app.gradlab_digest):
        logger.info("gradlab changed since the cache was filled: emptied it")
    stamp = Path(app.outdir).parent / STAMP_NAME
    previous = stamp.read_text().strip() if stamp.is_file() else None
    app.gradlab_stale = previous != app.gradlab_digest
    if app.gradlab_stale:
        logger.info("gradlab changed since the last build: re-reading every chapter")


def _on_env_get_outdated(app, env, added, changed, removed) -> list[str]:
    return sorted(env.found_docs) if app.gradlab_stale else []


def _on_build_finished(app, exception: Exception | None) -> None:
    if exception is None:
        (Path(app.outdir).parent / STAMP_NAME).write_text(app.gradlab_digest + "\n")


def setup(app) -> dict:
    from gradlab.book import pin_float_path

    pin_float_path()  # for the kernels this build starts, if any chapter executes
    app.connect("builder-inited", _on_builder_inited)
    app.connect("env-get-outdated", _on_env_get_outdated)
    app.connect("build-finished", _on_build_finished)
    return {"version": "1.2", "parallel_read_safe": True, "parallel_write_safe": True}
