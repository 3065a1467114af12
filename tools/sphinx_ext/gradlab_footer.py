"""Sphinx extension: each page's footer names the gradlab version and the commit.

So a reader (or a bug report) can tell exactly what a page was built from. The commit
comes from git; outside a git checkout the footer says so.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import tomllib
from sphinx.application import Sphinx
from sphinx.config import Config


def git(root: Path, *args: str) -> str | None:
    """What ``git ARGS`` prints in ``root``, stripped; None outside a git checkout or
    without git. (The reader notebooks' set-up cell takes its commit from here too.)"""
    try:
        return subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def build_identity(root: Path) -> tuple[str, str]:
    """(package version from pyproject.toml, short commit hash or 'unknown commit')."""
    version = tomllib.loads((root / "pyproject.toml").read_text())["project"]["version"]
    commit = git(root, "rev-parse", "--short=12", "HEAD")
    if commit is None:
        return version, "unknown commit"
    dirty = git(root, "status", "--porcelain", "--untracked-files=no")
    return version, commit + ("+local changes" if dirty else "")


def _on_config_inited(app: Sphinx, config: Config) -> None:
    version, commit = build_identity(Path(app.srcdir))
    footer = (
        f'<p class="gradlab-build">Built with gradlab {version} from commit '
        f"<code>{commit}</code>.</p>"
    )
    options = dict(config.html_theme_options or {})
    options["extra_footer"] = (options.get("extra_footer") or "") + footer
    config.html_theme_options = options


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", _on_config_inited)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
