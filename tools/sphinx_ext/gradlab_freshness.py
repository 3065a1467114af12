"""Sphinx extension: re-execute the chapters whenever the `gradlab` package changes.

jupyter-cache keys a notebook on its code cells only, so editing `code/gradlab/`
would otherwise leave old outputs in the book, and so would building on another
float path (`gradlab.book.FLOAT_PATH`). Two records keep the book honest:

- the execution cache is tagged with the digest of what its outputs were computed
  with: the package sources, the lock file and the float path in force
  (`outputs_digest`; `TAG_NAME` inside the cache folder). A cache
  whose tag differs from today's digest, or that has no tag, is emptied before anything
  reads it: by this extension, and by `tools/execute_chapters.py`, which fills the
  cache in parallel before the Sphinx build;
- the build records the digest it rendered (`STAMP_NAME` beside the HTML) after a
  successful build; when it differs, every page is read again, so each chapter takes
  its outputs from the (fresh) cache or executes.

A prose-only edit changes neither digest, and the cache then serves every chapter.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Sphinx is imported by Sphinx; `execute_chapters` needs none of it
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

STAMP_NAME = ".gradlab-sources.sha256"
TAG_NAME = "gradlab-sources.sha256"


def outputs_digest(root: Path) -> str:
    """SHA-256 over the package's .py files and the lock file, in sorted path order,
    and the float path in force (the variables of `gradlab.book.FLOAT_PATH`)."""
    from gradlab.book import FLOAT_PATH

    files = sorted((root / "code" / "gradlab").rglob("*.py"))
    files.append(root / "requirements" / "lock.txt")
    digest = hashlib.sha256()
    for name in FLOAT_PATH:
        digest.update(f"{name}={os.environ.get(name, '')}\0".encode())
    for path in files:
        if path.is_file():
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def fresh_cache(cache: Path, digest: str) -> bool:
    """Empty ``cache`` unless it is tagged with ``digest``; tag it. True if emptied.

    A cache without a tag (restored by CI, say, or left by an older build) is of
    unknown age and is emptied too.
    """
    tag = cache / TAG_NAME
    if tag.is_file() and tag.read_text().strip() == digest:
        return False
    shutil.rmtree(cache, ignore_errors=True)
    cache.mkdir(parents=True)
    tag.write_text(digest + "\n")
    return True


def _stamp_path(app: Sphinx) -> Path:
    return Path(app.outdir).parent / STAMP_NAME


def _cache_path(app: Sphinx) -> Path:
    configured = getattr(app.config, "nb_execution_cache_path", "")
    return (
        Path(configured) if configured else Path(app.outdir).parent / ".jupyter_cache"
    )


def _on_builder_inited(app: Sphinx) -> None:
    from sphinx.util import logging

    logger = logging.getLogger(__name__)
    app.gradlab_digest = outputs_digest(Path(app.srcdir))
    if fresh_cache(_cache_path(app), app.gradlab_digest):
        logger.info("gradlab changed since the cache was filled: emptied it")
    stamp = _stamp_path(app)
    previous = stamp.read_text().strip() if stamp.is_file() else None
    app.gradlab_stale = previous != app.gradlab_digest
    if app.gradlab_stale:
        logger.info("gradlab changed since the last build: re-reading every chapter")


def _on_env_get_outdated(
    app: Sphinx, env: BuildEnvironment, added, changed, removed
) -> list[str]:
    return sorted(env.found_docs) if app.gradlab_stale else []


def _on_build_finished(app: Sphinx, exception: Exception | None) -> None:
    if exception is None:
        _stamp_path(app).write_text(app.gradlab_digest + "\n")


def setup(app: Sphinx) -> dict:
    from gradlab.book import pin_float_path

    pin_float_path()  # for the kernels this build starts, if any chapter executes
    app.connect("builder-inited", _on_builder_inited)
    app.connect("env-get-outdated", _on_env_get_outdated)
    app.connect("build-finished", _on_build_finished)
    return {"version": "1.1", "parallel_read_safe": True, "parallel_write_safe": True}
