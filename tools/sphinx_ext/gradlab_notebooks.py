"""Sphinx extension: the launch buttons open the reader notebooks.

The theme's Colab and Binder buttons point at the chapter's MyST source on the branch
the edit button uses, which Colab cannot open. The reader notebooks are build
products (`tools/chapters.py`, the last step of `make book`, which also puts them
where the download button links), published by the deploy to a branch of their own,
``gradlab_notebooks_branch``: the buttons are pointed there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx


def _launch_on_notebooks_branch(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree
) -> None:
    """Point the theme's Colab and Binder buttons at ``<pagename>.ipynb`` on the
    notebooks branch (runs after the theme has made them)."""
    options = app.config.html_theme_options
    launch = options.get("launch_buttons", {})
    org_repo = options.get("repository_url", "").removeprefix("https://github.com/")
    notebook, branch = f"{pagename}.ipynb", app.config.gradlab_notebooks_branch
    urls = {
        "Colab": f"{launch.get('colab_url', '')}/github/{org_repo}/blob/{branch}/"
        f"{notebook}",
        "Binder": f"{launch.get('binderhub_url', '')}/v2/gh/{org_repo}/{branch}"
        f"?urlpath=tree/{notebook}",
    }
    for group in context.get("header_buttons", []):
        if group.get("label") == "launch-buttons":
            for button in group["buttons"]:
                if button.get("text") in urls:
                    button["url"] = urls[button["text"]]


def setup(app: Sphinx) -> dict:
    app.add_config_value("gradlab_notebooks_branch", "notebooks", "html", str)
    # The theme adds its launch buttons at priority 501.
    app.connect("html-page-context", _launch_on_notebooks_branch, priority=600)
    return {"version": "2.0", "parallel_read_safe": True, "parallel_write_safe": True}
