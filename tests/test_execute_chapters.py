"""`tools/execute_chapters.py`: chapters executed in parallel into the cache."""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import execute_chapters
from execute_chapters import execute_all, read_chapter
from jupyter_cache import get_cache
from warm_kernels import PRELOAD

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
    return execute_all(
        paths, cache, digest=digest, jobs=2, timeout=60, extensions=["colon_fence"]
    )


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
    record = get_cache(cache).match_cache_notebook(read_chapter(good, ["colon_fence"]))
    assert record.data["execution_seconds"] > 0

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
PROBE = f"""\
import os, sys
PRELOAD = {PRELOAD!r}
print("imported before the first cell:", [m in sys.modules for m in PRELOAD])
print("folder:", os.getcwd())
print("sys.path[0]:", repr(sys.path[0]))
ours = ("tools", "sphinx_ext")
print("tools on sys.path:", any(p.rstrip("/").endswith(ours) for p in sys.path))
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
    record = get_cache(folder / "cache").match_cache_notebook(
        read_chapter(path, ["colon_fence"])
    )
    nb = get_cache(folder / "cache").get_cache_bundle(record.pk).nb
    text = "".join(o["text"] for o in nb.cells[0].outputs if o.get("name") == "stdout")
    return text.replace(str(folder), "<folder>").splitlines()


def test_a_forked_kernel_has_torch_preloaded_and_is_otherwise_a_launched_one(
    tmp_path: Path, monkeypatch
):
    warm, launched = (
        probe(tmp_path, monkeypatch, True),
        probe(tmp_path, monkeypatch, False),
    )
    assert warm[0].endswith(str([True] * len(PRELOAD))), warm
    assert launched[0].endswith(str([False] * len(PRELOAD))), launched
    assert warm[1:] == launched[1:], (warm, launched)
    assert "folder: <folder>" in warm and "own session: True" in warm
    assert "tools on sys.path: False" in warm and "parent: True" in warm
    assert "watches its parent: True" in warm


def test_a_kernel_forked_but_never_launched_exits_and_is_reaped():
    import warm_kernels

    warm_kernels.prefork()
    pid, _ = warm_kernels._waiting
    warm_kernels.release()
    assert warm_kernels._waiting is None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        pass  # gone and reaped
    else:
        raise AssertionError(f"preforked kernel {pid} still exists")


def test_only_this_interpreters_ipykernel_is_forked():
    import warm_kernels

    launcher = [sys.executable, "-m", "ipykernel_launcher", "-f", "c.json"]
    assert warm_kernels._forkable(launcher)
    assert not warm_kernels._forkable(["/usr/bin/other-python", *launcher[1:]])
    assert not warm_kernels._forkable([sys.executable, "-m", "other_kernel", "-f", "c"])


def test_a_kernel_that_dies_before_any_cell_is_started_again(
    tmp_path: Path, monkeypatch, capsys
):
    # As when two kernels starting at once bind the same TCP port: the first start
    # fails before running anything, the second is an ordinary launch that works.
    import jupyter_cache.executors.utils as utils

    real, calls = utils.single_nb_execution, []

    def flaky(*args, **kwargs):
        calls.append(kwargs.get("kernel_manager_class"))
        if len(calls) == 1:
            raise RuntimeError("Kernel died before replying to kernel_info")
        return real(*args, **kwargs)

    monkeypatch.setattr(utils, "single_nb_execution", flaky)
    # In this process, not a fresh worker: kernels are launched, not forked (a fork
    # of a process that has used ZeroMQ, as the suite's has, is no kernel).
    monkeypatch.setattr(execute_chapters, "WARM", False)
    path = chapter(tmp_path, "a", "print(6 * 7)")
    notebook, _, traceback = execute_chapters.execute(
        path, read_chapter(path, ["colon_fence"]), timeout=60
    )
    assert traceback is None and len(calls) == 2
    code = next(c for c in notebook.cells if c.cell_type == "code")
    assert code.outputs[0]["text"] == "42\n"
    assert "starting its kernel again" in capsys.readouterr().out


def test_an_error_after_the_kernel_started_is_not_retried(tmp_path: Path, monkeypatch):
    import jupyter_cache.executors.utils as utils
    import pytest

    calls = []

    def broken(*args, **kwargs):
        calls.append(1)
        raise RuntimeError("something else")

    monkeypatch.setattr(utils, "single_nb_execution", broken)
    monkeypatch.setattr(execute_chapters, "WARM", False)
    path = chapter(tmp_path, "a", "1")
    with pytest.raises(RuntimeError, match="something else"):
        execute_chapters.execute(path, read_chapter(path, ["colon_fence"]), timeout=60)
    assert calls == [1]
