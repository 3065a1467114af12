"""`tools/execute_chapters.py`: chapters executed in parallel into the cache."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
from execute_chapters import execute_all, read_chapter
from jupyter_cache import get_cache

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
    tmp_path: Path, capsys
):
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
