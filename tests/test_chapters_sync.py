"""Paired notebooks and set-up cells are generated from the chapters and _config.yml."""

from __future__ import annotations

import subprocess
import sys

import jupytext
import pytest

from tests._book import ROOT, chapter_files

sys.path.insert(0, str(ROOT / "tools"))
import chapters


def test_every_chapter_and_its_notebook_are_in_sync():
    done = subprocess.run(
        [sys.executable, "tools/chapters.py", "check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("chapter", chapter_files(), ids=lambda p: p.stem)
def test_set_up_cell_comes_first_and_installs_from_the_configured_repository(chapter):
    notebook = jupytext.read(chapter.with_suffix(".ipynb"))
    first = (
        notebook.cells[0]
        if notebook.cells[0].cell_type == "code"
        else next(c for c in notebook.cells if c.cell_type == "code")
    )
    cfg = chapters.config()["repository"]
    assert f"git+{cfg['url']}.git@{cfg['branch']}" in first.source
    assert "remove-cell" in first.metadata.get("tags", [])
    assert all(not c.get("outputs") for c in notebook.cells if c.cell_type == "code")


def test_set_up_cell_does_nothing_where_gradlab_is_installed(monkeypatch):
    source = chapters.setup_cell().split("\n", 3)[3].rsplit("```", 1)[0]
    calls = []
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: calls.append(a))
    exec(compile(source, "set-up cell", "exec"), {})
    assert calls == []


def test_check_notices_a_stale_notebook(tmp_path, monkeypatch):
    (tmp_path / "book").mkdir()
    for name in ("_toc.yml", "_config.yml"):
        (tmp_path / name).write_text((ROOT / name).read_text())
    for chapter in chapter_files():
        rel = chapter.relative_to(ROOT)
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(chapter.read_text())
    monkeypatch.setattr(chapters, "ROOT", tmp_path)
    assert chapters.run(write=False)  # no .ipynb yet: all stale
    chapters.run(write=True)
    assert chapters.run(write=False) == []
    md = tmp_path / chapter_files()[0].relative_to(ROOT)
    md.write_text(md.read_text() + "\nOne more sentence.\n")
    assert chapters.run(write=False) == [md.with_suffix(".ipynb")]
