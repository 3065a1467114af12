"""Time the book's builds, the command line and the tests on this machine: `make bench`.

Works on a scratch copy of the repository (your own _build is untouched), prints one
row per figure with its budget, and exits 1 if any figure is over budget. These are
benchmarks, not tests: run it on an otherwise quiet machine.

  clean build        `make book` from an empty _build (chapters execute in parallel)
  no-op rebuild      nothing changed
  prose edit         a sentence added to a chapter: executes nothing
  package edit       a comment added to code/gradlab: every chapter executes again
  loaded clean build the clean build again, with one CPU-bound process beside it;
                     reported as a ratio to the quiet one (fair sharing of 2 cores
                     among 3 busy processes predicts about 1.5)
  chapters           each chapter's execution time, from the execution cache (its
                     kernel forked with torch imported: tools/warm_kernels.py)
  --help             `python -m gradlab --help`, the median of 5 runs
  unit tests         `make unit`'s pytest run, quiet and beside a busy process
  threads            a small fit on one torch thread and on torch's default, both
                     beside a busy process: the reason each chapter asks for one
                     thread ("Gradients" says several times slower: >= 2 x)
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from worktree import copy_worktree  # noqa: E402

BIN = Path(sys.executable).parent
# budgets: seconds, except the ratio
CLEAN, NOOP, PROSE, LOADED_RATIO, CHAPTER, HELP, UNIT, UNIT_LOADED = (
    35,
    3,
    5,
    1.8,
    10,
    0.5,
    20,
    40,
)
THREAD_FIT = """
import sys, time, torch
from torch import nn
import gradlab
torch.manual_seed(0)
torch.set_num_threads(int(sys.argv[1]) if sys.argv[1] != "default" else
                      torch.get_num_threads())
net = gradlab.tanh_mlp((32, 32), seed=0)
data = gradlab.data.wiggly_sample(seed=0)
sgd = torch.optim.SGD(net.parameters(), lr=0.05)
start = time.perf_counter()
gradlab.fit_module(net, data.t[:, None], data.y[:, None], loss_fn=nn.MSELoss(),
                   optimizer=sgd, epochs=1000)
print(time.perf_counter() - start)
"""

rows: list[tuple[str, str, str]] = []  # (figure, value, verdict)


def report(
    name: str, value: float, budget: float | None, unit: str = "s", *, least=None
) -> None:
    """Print a row; ``budget`` is a most, ``least`` a least (a claim the book makes)."""
    verdict = ""
    if budget is not None:
        verdict = f"<= {budget:g} {unit}: " + ("ok" if value <= budget else "OVER")
    if least is not None:
        verdict = f">= {least:g} {unit}: " + ("ok" if value >= least else "OVER")
    rows.append(
        (name, f"{value:.2f} {unit}" if unit != "s" else f"{value:.1f} s", verdict)
    )
    print(f"  {name:<34}{rows[-1][1]:>10}  {verdict}", flush=True)


def copy_repo(dest: Path) -> None:
    copy_worktree(dest)
    shutil.copytree(ROOT / ".vendor", dest / ".vendor")  # MathJax, fetched by set-up


def run(cmd: list[str], cwd: Path, what: str) -> str:
    env = dict(os.environ, PYTHONPATH=str(cwd / "code"))
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"bench: {what} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done.stdout


def build(repo: Path) -> tuple[float, int, int]:
    """`make book`'s two steps: (seconds, chapters executed before, in Sphinx)."""
    start = time.perf_counter()
    before = run([str(BIN / "python"), "tools/execute_chapters.py"], repo, "execution")
    sphinx = run(
        [str(BIN / "jupyter-book"), "build", ".", "-n", "-W", "--keep-going"],
        repo,
        "the build",
    )
    seconds = time.perf_counter() - start
    return (
        seconds,
        before.count(" executed in "),
        sphinx.count("Executing notebook using"),
    )


@contextmanager
def busy_process() -> Iterator[None]:
    """One CPU-bound process beside whatever runs inside the block."""
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        yield
    finally:
        spinner.kill()
        spinner.wait()


def chapter_times(repo: Path) -> dict[str, float]:
    from jupyter_cache import get_cache

    cache = get_cache(repo / "_build" / ".jupyter_cache")
    return {
        Path(record.uri).name: record.data["execution_seconds"]
        for record in cache.list_cache_records()
        if "execution_seconds" in record.data
    }


def timed(cmd: list[str], cwd: Path) -> float:
    env = dict(os.environ, PYTHONPATH=str(cwd / "code"))
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, check=True)
    return time.perf_counter() - start


def builds(repo: Path) -> None:
    print("builds (seconds; chapters executed in parallel first, then by Sphinx)")
    chapter = repo / "book" / "gradients.md"
    module = repo / "code" / "gradlab" / "functions.py"
    scenarios = [
        ("clean build", CLEAN, None),
        ("no-op rebuild", NOOP, None),
        ("prose edit", PROSE, lambda: _append(chapter, "\nA sentence by the bench.\n")),
        ("package edit", None, lambda: _append(module, "\n# an edit by the bench\n")),
    ]
    for name, budget, edit in scenarios:
        if edit:
            edit()
        seconds, executed, in_sphinx = build(repo)
        report(f"{name} ({executed} + {in_sphinx} executed)", seconds, budget)
        if name == "clean build":
            quiet = seconds
            times = chapter_times(repo)
    print("chapter execution (clean build, two at a time)")
    for name, seconds in sorted(times.items()):
        report(f"  {name}", seconds, CHAPTER)
    shutil.rmtree(repo / "_build")
    with busy_process():
        loaded, _, _ = build(repo)
    report("clean build beside a busy process", loaded, None)
    report("  loaded / quiet", loaded / quiet, LOADED_RATIO, unit="x")


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + text)


def command_line(repo: Path) -> None:
    print("command line")
    python = str(BIN / "python")
    timed([python, "-m", "gradlab", "--help"], repo)  # warm the file cache
    runs = [timed([python, "-m", "gradlab", "--help"], repo) for _ in range(5)]
    report("python -m gradlab --help (median)", statistics.median(runs), HELP)


def unit_tests(repo: Path) -> None:
    print("unit tests (make unit)")
    # As the Makefile's PYTEST runs it; a first collection writes the bytecode and the
    # rewritten test modules, as any earlier run on a developer's machine has.
    python = [
        "env",
        "PYTHONDONTWRITEBYTECODE=",
        str(BIN / "python"),
    ]
    cmd = [*python, "-m", "pytest", "-m", "not book and not browser", "-q"]
    timed([*cmd, "--collect-only"], repo)
    report("quiet", timed(cmd, repo), UNIT)
    with busy_process():
        report("beside a busy process", timed(cmd, repo), UNIT_LOADED)


def threads(repo: Path) -> None:
    print("threads: 1,000 epochs of the 32-32 tanh fit, beside a busy process")
    python = str(BIN / "python")
    with busy_process():
        one = float(run([python, "-c", THREAD_FIT, "1"], repo, "the fit"))
        default = float(run([python, "-c", THREAD_FIT, "default"], repo, "the fit"))
    report("one thread", one, None)
    report("torch's default threads", default, None)
    # "Gradients" says: several times slower with torch's default threads.
    report("  default / one", default / one, None, unit="x", least=2)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="gradlab-bench-") as scratch:
        repo = Path(scratch)
        copy_repo(repo)
        unit_tests(repo)  # first: the build scenarios below edit the copy
        command_line(repo)
        builds(repo)
        threads(repo)
    over = [name for name, _, verdict in rows if verdict.endswith("OVER")]
    print("every budget met" if not over else f"OVER budget: {', '.join(over)}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
