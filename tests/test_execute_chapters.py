"""`tools/execute_chapters.py`: chapters executed several at once into the cache."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import execute_chapters
import warm_kernels
from execute_chapters import execute_all
from jupyter_cache import get_cache
from sources import read_chapter

#: Unit tests of the build's tools (tools/): `make tool-tests`.
pytestmark = pytest.mark.tools

HEADER = """---
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

# {title}

Some prose.

```{{code-cell}} ipython3
{code}
```
"""


def chapter(folder: Path, name: str, code: str) -> Path:
    path = folder / f"{name}.md"
    path.write_text(HEADER.format(title=name, code=code))
    return path


def run(paths: list[Path], cache: Path, digest: str = "a") -> list[Path]:
    return execute_all(paths, cache, digest=digest, jobs=2)


def cached_stdout(path: Path, cache: Path) -> str:
    record = get_cache(cache).match_cache_notebook(read_chapter(path))
    nb = get_cache(cache).get_cache_bundle(record.pk).nb
    return "".join(o["text"] for o in nb.cells[0].outputs if o.get("name") == "stdout")


def test_failures_are_reported_with_their_traceback_and_the_rest_is_cached(
    tmp_path: Path, capsys, monkeypatch
):
    # The cache's semantics, with kernels launched as Jupyter does (quicker to start
    # for chapters that do not import torch); warm kernels are tested below.
    monkeypatch.setattr(execute_chapters, "WARM", False)
    good = chapter(tmp_path, "good", "print(6 * 7)")
    bad = chapter(tmp_path, "bad", "1 / 0")
    cache = tmp_path / "cache"
    assert run([good, bad], cache) == [bad]
    out = capsys.readouterr().out
    assert "bad.md FAILED" in out and "ZeroDivisionError" in out
    assert "good.md executed" in out

    # The Sphinx build matches a chapter the way this script cached it.
    record = get_cache(cache).match_cache_notebook(read_chapter(good))
    assert record.data["execution_seconds"] > 0
    assert cached_stdout(good, cache) == "42\n"

    # A prose edit changes no code cell: the chapter is still cached.
    good.write_text(good.read_text().replace("Some prose.", "Other prose."))
    assert run([good], cache) == []
    assert "good.md cached" in capsys.readouterr().out

    # Nothing changed since every chapter was cached: not even a chapter is read.
    assert run([good], cache) == []
    assert "nothing changed" in capsys.readouterr().out


def test_a_package_change_empties_the_cache_first(tmp_path: Path, capsys):
    cache = tmp_path / "cache"
    (cache / "executed").mkdir(parents=True)
    (cache / "gradlab-sources.sha256").write_text("old\n")
    assert run([], cache, digest="new") == []
    assert not (cache / "executed").exists()
    assert (cache / "gradlab-sources.sha256").read_text() == "new\n"
    assert "executing every chapter" in capsys.readouterr().out


#: What a chapter's kernel sees of its process: all of it but the first line must be
#: the same for a forked kernel as for one Jupyter launches.
#: Preloaded by the fork server in this test: modules no kernel imports by itself and
#: quick to import (the book's list, torch first, is what `make bench` times).
CHEAP_PRELOAD = ("colorsys", "wave")
PROBE = f"""\
import os, sys
PRELOAD = {CHEAP_PRELOAD!r}
print("imported before the first cell:", [m in sys.modules for m in PRELOAD])
print("folder:", os.getcwd())
print("sys.path[0]:", repr(sys.path[0]))
print("tools on sys.path:", any(p.rstrip("/").endswith("tools") for p in sys.path))
print("parent:", os.environ["JPY_PARENT_PID"] == str(os.getppid()))
from ipykernel.kernelapp import IPKernelApp
print("watches its parent:", IPKernelApp.instance().parent_handle == os.getppid())
print("own session:", os.getsid(0) == os.getpid())
print("stdin is /dev/null or a pipe:", not os.isatty(0))
import matplotlib
print("backend:", matplotlib.get_backend())
"""


def probe(tmp_path: Path, monkeypatch, warm: bool) -> list[str]:
    monkeypatch.setattr(execute_chapters, "WARM", warm)
    folder = tmp_path / ("warm" if warm else "launched")
    folder.mkdir()
    path = chapter(folder, "probe", PROBE)
    assert run([path], folder / "cache") == []
    text = cached_stdout(path, folder / "cache")
    return text.replace(str(folder), "<folder>").splitlines()


def test_a_forked_kernel_has_the_preloaded_modules_and_is_otherwise_a_launched_one(
    tmp_path: Path, monkeypatch
):
    monkeypatch.setattr(warm_kernels, "PRELOAD", CHEAP_PRELOAD)
    warm, launched = (
        probe(tmp_path, monkeypatch, True),
        probe(tmp_path, monkeypatch, False),
    )
    assert warm[0].endswith(str([True] * len(CHEAP_PRELOAD))), warm
    assert launched[0].endswith(str([False] * len(CHEAP_PRELOAD))), launched
    assert warm[1:] == launched[1:], (warm, launched)
    assert "folder: <folder>" in warm and "own session: True" in warm
    assert "tools on sys.path: False" in warm and "parent: True" in warm
    assert "watches its parent: True" in warm


def test_only_this_interpreters_ipykernel_is_forked():
    launcher = [sys.executable, "-m", "ipykernel_launcher", "-f", "c.json"]
    assert warm_kernels._forkable(launcher)
    assert not warm_kernels._forkable(["/usr/bin/other-python", *launcher[1:]])
    assert not warm_kernels._forkable([sys.executable, "-m", "other_kernel", "-f", "c"])
