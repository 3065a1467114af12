"""The Sphinx extension that re-executes chapters when gradlab changes."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools" / "sphinx_ext"))
import gradlab_source as ext

#: Unit tests of the build's tools (tools/): `make tool-tests`.
pytestmark = pytest.mark.tools


@pytest.fixture
def project(tmp_path: Path, repo_root: Path) -> Path:
    shutil.copytree(repo_root / "code" / "gradlab", tmp_path / "code" / "gradlab")
    (tmp_path / "requirements").mkdir()
    shutil.copy(repo_root / "requirements" / "lock.txt", tmp_path / "requirements")
    return tmp_path


def fake_app(root: Path) -> SimpleNamespace:
    return SimpleNamespace(
        srcdir=str(root),
        outdir=str(root / "_build" / "html"),
        config=SimpleNamespace(nb_execution_cache_path=str(root / "_build" / "cache")),
    )


def build(app: SimpleNamespace, docs=("book/a", "intro")) -> list[str]:
    """Run the hooks as one successful build; return the docs it forces to re-read."""
    ext._on_builder_inited(app)
    outdated = ext._on_env_get_outdated(
        app, SimpleNamespace(found_docs=set(docs)), *[set()] * 3
    )
    Path(app.outdir).parent.mkdir(parents=True, exist_ok=True)
    ext._on_build_finished(app, None)
    return outdated


def test_package_edit_clears_the_cache_and_rereads_every_page(project: Path):
    app = fake_app(project)
    build(app)  # first build: everything is new anyway
    cache = project / "_build" / "cache"
    (cache / "executed").mkdir()
    assert build(app) == []  # nothing changed: no page forced, cache kept
    assert (cache / "executed").is_dir()
    module = project / "code" / "gradlab" / "descent.py"
    module.write_text(module.read_text() + "\n# an edit\n")
    assert build(app) == ["book/a", "intro"]
    assert not (cache / "executed").exists()
    assert build(app) == []


def test_a_cache_without_a_tag_is_not_trusted(project: Path):
    cache = project / "_build" / "cache"
    (cache / "executed").mkdir(parents=True)
    build(fake_app(project))
    assert not (cache / "executed").exists()


def test_a_cache_filled_for_todays_package_is_kept_and_every_page_read(project: Path):
    # What `tools/execute_chapters.py` leaves before the first build after an edit.
    cache = project / "_build" / "cache"
    ext.fresh_cache(cache, ext.outputs_digest(project))
    (cache / "executed").mkdir()
    assert build(fake_app(project)) == ["book/a", "intro"]
    assert (cache / "executed").is_dir()


def test_a_failed_build_does_not_record_the_new_sources(project: Path):
    app = fake_app(project)
    build(app)
    (project / "code" / "gradlab" / "new.py").write_text("x = 1\n")
    ext._on_builder_inited(app)
    ext._on_build_finished(app, RuntimeError("a cell raised"))
    ext._on_builder_inited(app)
    assert app.gradlab_stale  # the next build still re-executes


def test_digest_ignores_files_outside_the_package(project: Path):
    before = ext.outputs_digest(project)
    (project / "book").mkdir()
    (project / "book" / "chapter.md").write_text("prose only")
    assert ext.outputs_digest(project) == before


def test_digest_follows_the_float_path(project: Path, monkeypatch):
    # Outputs computed on another float path are other digits: they are not reused.
    from gradlab.book import FLOAT_PATH, SECOND_FLOAT_PATH

    digests = []
    for path in (FLOAT_PATH, SECOND_FLOAT_PATH):
        for name, value in path.items():
            monkeypatch.setenv(name, value)
        digests.append(ext.outputs_digest(project))
    assert digests[0] != digests[1]
