"""Every chapter opens in Colab and Binder, downloads, and loads nothing third-party."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from gradlab import __version__

from tests._book import ROOT, chapter_files, parse_html, sources, toc_files

pytestmark = pytest.mark.book

CONFIG = sources.config()
ORG_REPO = CONFIG["repository"]["url"].removeprefix("https://github.com/")
BRANCH = CONFIG["repository"]["branch"]
NOTEBOOKS_BRANCH = CONFIG["sphinx"]["config"]["gradlab_notebooks_branch"]
CHAPTERS = chapter_files()


def links(page: Path) -> set[str]:
    return {a.get("href", "") for tag, a in parse_html(page).tags if tag == "a"}


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_launch_buttons_open_this_chapters_notebook(html_dir: Path, chapter: Path):
    # On the branch the deploy publishes the reader notebooks to (as the build wrote
    # them into _build/notebooks); the edit button stays on the source branch.
    rel = chapter.relative_to(ROOT).with_suffix(".ipynb").as_posix()
    hrefs = links(html_dir / chapter.relative_to(ROOT).with_suffix(".html"))
    colab = CONFIG["launch_buttons"]["colab_url"]
    binder = CONFIG["launch_buttons"]["binderhub_url"]
    assert f"{colab}/github/{ORG_REPO}/blob/{NOTEBOOKS_BRANCH}/{rel}" in hrefs
    assert f"{binder}/v2/gh/{ORG_REPO}/{NOTEBOOKS_BRANCH}?urlpath=tree/{rel}" in hrefs
    assert (ROOT / "_build" / "notebooks" / rel).is_file()
    edit = f"https://github.com/{ORG_REPO}/edit/{BRANCH}/"
    assert any(h.startswith(edit) and h.endswith(".md") for h in hrefs)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_downloads_as_ipynb_and_md(html_dir: Path, chapter: Path):
    page = html_dir / chapter.relative_to(ROOT).with_suffix(".html")
    hrefs = links(page)
    for suffix in (".ipynb", ".md"):
        target = f"_sources/{chapter.relative_to(ROOT).with_suffix(suffix).as_posix()}"
        assert any(h.endswith(target) for h in hrefs), f"no {suffix} download"
        assert (html_dir / target).is_file()


@pytest.mark.parametrize("page", toc_files())
def test_no_third_party_scripts_styles_or_fonts(html_dir: Path, page: str):
    html = parse_html(html_dir / f"{page}.html")
    for tag, attrs in html.tags:
        if tag == "script" and attrs.get("src"):
            assert not re.match(r"(https?:)?//", attrs["src"]), attrs["src"]
        if tag == "link" and attrs.get("rel") in ("stylesheet", "preload", "prefetch"):
            assert not re.match(r"(https?:)?//", attrs.get("href", "")), attrs["href"]
        if tag == "img":
            assert not re.match(r"(https?:)?//", attrs.get("src", "")), attrs["src"]


def test_css_loads_no_remote_fonts(html_dir: Path):
    for css in (html_dir / "_static").rglob("*.css"):
        remote = re.findall(
            r"@import\s+url\(\s*['\"]?https?://|url\(\s*['\"]?https?://",
            css.read_text(errors="ignore"),
        )
        assert not remote, f"{css.name} loads remote resources"


@pytest.mark.parametrize("page", toc_files())
def test_footer_names_version_and_commit(html_dir: Path, page: str):
    text = (html_dir / f"{page}.html").read_text()
    found = re.search(
        r"Built with gradlab (\S+) from commit <code>([^<]+)</code>", text
    )
    assert found and found.group(1) == __version__
    assert re.fullmatch(
        r"[0-9a-f]{12}(\+local changes)?|unknown commit", found.group(2)
    )
