"""Sphinx extension: re-execute the chapters whenever the `gradlab` package changes.

jupyter-cache keys a notebook on its code cells only, so editing `code/gradlab/`
would otherwise leave old outputs in the book. At the start of each build this
extension hashes the package sources (and the lock file); when the hash differs from
the one recorded after the last successful build it empties the execution cache and
marks every page outdated, so each chapter is read and executed again. A prose-only
edit leaves the hash alone, and the cache then serves every chapter's outputs.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

logger = logging.getLogger(__name__)

STAMP_NAME = ".gradlab-sources.sha256"


def sources_digest(root: Path) -> str:
    """SHA-256 over the package's .py files and the lock file, in sorted path order."""
    files = sorted((root / "code" / "gradlab").rglob("*.py"))
    files.append(root / "requirements" / "lock.txt")
    digest = hashlib.sha256()
    for path in files:
        if path.is_file():
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _stamp_path(app: Sphinx) -> Path:
    return Path(app.outdir).parent / STAMP_NAME


def _cache_path(app: Sphinx) -> Path:
    configured = getattr(app.config, "nb_execution_cache_path", "")
    return (
        Path(configured) if configured else Path(app.outdir).parent / ".jupyter_cache"
    )


def _on_builder_inited(app: Sphinx) -> None:
    app.gradlab_digest = sources_digest(Path(app.srcdir))
    stamp = _stamp_path(app)
    previous = stamp.read_text().strip() if stamp.is_file() else None
    app.gradlab_stale = previous != app.gradlab_digest
    if app.gradlab_stale:
        # Also when there is no stamp: a cache of unknown age (restored by CI, say)
        # cannot be trusted.
        logger.info("gradlab changed since the last build: re-executing every chapter")
        shutil.rmtree(_cache_path(app), ignore_errors=True)


def _on_env_get_outdated(
    app: Sphinx, env: BuildEnvironment, added, changed, removed
) -> list[str]:
    return sorted(env.found_docs) if app.gradlab_stale else []


def _on_build_finished(app: Sphinx, exception: Exception | None) -> None:
    if exception is None:
        _stamp_path(app).write_text(app.gradlab_digest + "\n")


def setup(app: Sphinx) -> dict:
    app.connect("builder-inited", _on_builder_inited)
    app.connect("env-get-outdated", _on_env_get_outdated)
    app.connect("build-finished", _on_build_finished)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
