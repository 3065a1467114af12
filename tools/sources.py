"""The book's sources, read in one place: `_config.yml`, the pages of `_toc.yml` (parts
included), the chapters among them, the commit, and the execution cache: where it is,
and whether its outputs were computed from today's package. Every tool, test and
Sphinx extension of ours that needs one of these asks here."""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
#: Jupyter Book's execution cache, and the chapters' outputs on the second float path.
CACHE = ROOT / "_build" / ".jupyter_cache"
SECOND_CACHE = ROOT / "_build" / "second-float-path" / ".jupyter_cache"
#: The reader notebooks' tree (what the deploy publishes), and the built site.
NOTEBOOKS, HTML = ROOT / "_build" / "notebooks", ROOT / "_build" / "html"
#: Inside a cache: the digest of what its outputs were computed with.
TAG_NAME = "gradlab-sources.sha256"


@functools.cache
def config() -> dict:
    return yaml.safe_load((ROOT / "_config.yml").read_text())


def pages() -> list[str]:
    """Every page of `_toc.yml` in reading order, root first, without extension."""

    def walk(entry: dict):
        if "file" in entry:
            yield entry["file"]
        for key in ("parts", "chapters", "sections"):
            for child in entry.get(key, ()):
                yield from walk(child)

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return list(walk({"file": toc["root"], **toc}))


def chapters() -> list[Path]:
    """The pages that are notebooks: MyST markdown files with a kernelspec."""
    paths = [ROOT / f"{page}.md" for page in pages()]
    return [p for p in paths if p.is_file() and "kernelspec:" in p.read_text()[:600]]


def read_chapter(path: Path):
    """The notebook myst-nb builds from a chapter, with the book's MyST settings: the
    same code cells, so the same key in the execution cache."""
    from myst_nb.core.read import read_myst_markdown_notebook
    from myst_parser.config.main import MdParserConfig

    extensions = set(config()["parse"]["myst_enable_extensions"])
    return read_myst_markdown_notebook(
        path.read_text(),
        config=MdParserConfig(enable_extensions=extensions),
        add_source_map=True,
        path=str(path),
    )


def executed(path: Path, cache: Path = CACHE):
    """A chapter with its outputs from the execution cache (after `make book`)."""
    from jupyter_cache import get_cache

    try:
        return get_cache(cache).merge_match_into_notebook(read_chapter(path))[1]
    except KeyError:
        raise SystemExit(
            f"{path} has no executed outputs in {cache}: run `make book` first"
        ) from None


def git(*args: str, root: Path = ROOT) -> str | None:
    """What ``git ARGS`` prints in ``root``, stripped; None outside a git checkout."""
    try:
        run = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
    except OSError:
        return None
    return run.stdout.strip() if run.returncode == 0 else None


def outputs_digest(root: Path = ROOT) -> str:
    """SHA-256 of what the chapters' outputs are computed with: the float path in force
    (the variables of `gradlab.book.FLOAT_PATH`), the package's sources (their
    `gradlab.book.sources_digest`) and the lock file. jupyter-cache keys a chapter on
    its code alone."""
    from gradlab.book import FLOAT_PATH, sources_digest

    digest = hashlib.sha256()
    for name in FLOAT_PATH:
        digest.update(f"{name}={os.environ.get(name, '')}\0".encode())
    digest.update(sources_digest(root / "code" / "gradlab").encode() + b"\0")
    lock = root / "requirements" / "lock.txt"
    digest.update(lock.read_bytes() if lock.is_file() else b"")
    return digest.hexdigest()


def fresh_cache(cache: Path, digest: str) -> bool:
    """Empty ``cache`` unless it is tagged with ``digest`` (a cache without a tag is of
    unknown age), and tag it; return whether it was emptied."""
    tag = cache / TAG_NAME
    if tag.is_file() and tag.read_text().strip() == digest:
        return False
    shutil.rmtree(cache, ignore_errors=True)
    cache.mkdir(parents=True, exist_ok=True)
    tag.write_text(digest + "\n")
    return True


def copy_worktree(dest: Path) -> None:
    """Copy every file git tracks or would track (not ignored ones), as it is now."""
    listed = git("ls-files", "-co", "--exclude-standard") or ""
    for name in listed.splitlines():
        if (ROOT / name).is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, dest / name)
