"""Time the book's builds on this machine: `make bench`.

Works on a scratch copy of the repository (so your own _build is untouched) and
prints one line per scenario, with the budget it should meet:

  clean build      empty _build: every chapter executes            <= 60 s
  no-op rebuild    nothing changed                                  <= 3 s
  prose edit       a sentence added to a chapter's markdown    <= 5 s, executes nothing
  package edit     a comment added to code/gradlab: must re-execute every chapter

and then each chapter's execution time from the execution cache (<= 15 s each).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JB = Path(sys.executable).parent / "jupyter-book"
BUDGETS = {"clean build": 60, "no-op rebuild": 3, "prose edit": 5}


def copy_repo(dest: Path) -> None:
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")
    for name in filter(None, listed):
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    shutil.copytree(ROOT / ".vendor", dest / ".vendor")  # MathJax, fetched by set-up


def build(repo: Path) -> tuple[float, int]:
    """Build strictly; return (seconds, number of notebooks executed)."""
    env = dict(os.environ, PYTHONPATH=str(repo / "code"))
    start = time.perf_counter()
    done = subprocess.run(
        [str(JB), "build", ".", "-n", "-W", "--keep-going"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(
            f"bench: the build failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        )
    return seconds, done.stdout.count("Executing notebook using local CWD")


def chapter_times(repo: Path) -> dict[str, float]:
    from jupyter_cache import get_cache

    cache = get_cache(repo / "_build" / ".jupyter_cache")
    times = {}
    for record in cache.list_cache_records():
        seconds = record.data.get("execution_seconds")
        if seconds is not None:
            times[Path(record.uri).name] = seconds
    return times


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="gradlab-bench-") as scratch:
        repo = Path(scratch)
        copy_repo(repo)
        chapter = repo / "book" / "gradients.md"
        module = repo / "code" / "gradlab" / "functions.py"
        rows = [("clean build", build(repo)), ("no-op rebuild", build(repo))]
        chapter.write_text(
            chapter.read_text() + "\nA sentence added by the benchmark.\n"
        )
        rows.append(("prose edit", build(repo)))
        module.write_text(module.read_text() + "\n# an edit by the benchmark\n")
        rows.append(("package edit", build(repo)))
        print(f"{'scenario':<16}{'seconds':>9}  {'executed':>8}  budget")
        for name, (seconds, executed) in rows:
            budget = BUDGETS.get(name)
            verdict = (
                f"<= {budget} s: {'ok' if seconds <= budget else 'OVER'}"
                if budget
                else ""
            )
            print(f"{name:<16}{seconds:9.1f}  {executed:8d}  {verdict}")
        print(f"\n{'chapter':<28}{'execution s':>12}  budget <= 15 s")
        for name, seconds in sorted(chapter_times(repo).items()):
            print(f"{name:<28}{seconds:12.1f}  {'ok' if seconds <= 15 else 'OVER'}")


if __name__ == "__main__":
    main()
