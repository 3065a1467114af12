"""Sphinx extension: each page's footer names the gradlab version and the commit, so
that a reader (or a bug report) can tell what the page was built from."""

from __future__ import annotations

import sys
from pathlib import Path

import tomllib

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tools/
from sources import git


def _on_config_inited(app, config) -> None:
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


def setup(app) -> dict:
    app.connect("config-inited", _on_config_inited)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
