"""Sphinx extension: the launch buttons open the reader notebooks.

The theme's Colab and Binder buttons point at the chapter's MyST source, which Colab
cannot open. The reader notebooks (`tools/chapters.py`) are published by the deploy to
a branch of their own, ``gradlab_notebooks_branch``: the buttons are pointed there.
"""

from __future__ import annotations


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
    app.add_config_value("gradlab_notebooks_branch", "notebooks", "html", str)
    # The theme adds its launch buttons at priority 501.
    app.connect("html-page-context", _launch_on_notebooks_branch, priority=600)
    return {"version": "2.0", "parallel_read_safe": True, "parallel_write_safe": True}
