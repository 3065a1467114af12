"""Sphinx extension: what a page was built from, and where a reader runs it.

- The chapters are executed again whenever the `gradlab` package changes: jupyter-cache
  keys a chapter on its code only, so a cache not tagged with today's digest of the
  package, lock file and float path (`sources.outputs_digest`) is emptied before
  anything reads it (`sources.fresh_cache`, as `tools/execute_chapters.py` does), and
  every page is read again when the digest differs from the one the last successful
  build recorded beside the HTML (`STAMP_NAME`). A prose-only edit changes neither.
- Each page's footer names the gradlab version and the commit, so that a reader (or a
  bug report) can tell what the page was built from.
- The theme's Colab and Binder buttons point at the chapter's MyST source, which Colab
  cannot open: they are pointed at the reader notebooks (`tools/chapters.py`), which
  the deploy publishes to a branch of their own, ``gradlab_notebooks_branch``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import tomllib

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tools/
from sources import CACHE, fresh_cache, git, outputs_digest

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


def _footer(app, config) -> None:
    root = Path(app.srcdir)
    version = tomllib.loads((root / "pyproject.toml").read_text())["project"]["version"]
    commit = git("rev-parse", "--short=12", "HEAD", root=root) or "unknown commit"
    if git("status", "--porcelain", "--untracked-files=no", root=root):
        commit += "+local changes"
    footer = (
        f'<p class="gradlab-build">Built with gradlab {version} from commit '
        f"<code>{commit}</code>.</p>"
    )
    options = dict(config.html_theme_options or {})
    options["extra_footer"] = (options.get("extra_footer") or "") + footer
    config.html_theme_options = options


def _launch_on_notebooks_branch(app, pagename, templatename, context, doctree) -> None:
    """Point the theme's buttons at ``<pagename>.ipynb`` (after the theme made them)."""
    options = app.config.html_theme_options
    launch = options.get("launch_buttons", {})
    repo = options.get("repository_url", "").removeprefix("https://github.com/")
    notebook, branch = f"{pagename}.ipynb", app.config.gradlab_notebooks_branch
    urls = {
        "Colab": f"{launch.get('colab_url')}/github/{repo}/blob/{branch}/{notebook}",
        "Binder": f"{launch.get('binderhub_url')}/v2/gh/{repo}/{branch}"
        f"?urlpath=tree/{notebook}",
    }
    for group in context.get("header_buttons", []):
        if group.get("label") == "launch-buttons":
            for button in group["buttons"]:
                button["url"] = urls.get(button.get("text"), button.get("url"))


def setup(app) -> dict:
    from gradlab.book import pin_float_path

    pin_float_path()  # for the kernels this build starts, if any chapter executes
    app.add_config_value("gradlab_notebooks_branch", "notebooks", "html", str)
    app.connect("config-inited", _footer)
    app.connect("builder-inited", _on_builder_inited)
    app.connect("env-get-outdated", _on_env_get_outdated)
    # The theme adds its launch buttons at priority 501.
    app.connect("html-page-context", _launch_on_notebooks_branch, priority=600)
    app.connect("build-finished", _on_build_finished)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
