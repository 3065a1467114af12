"""Time the book's builds, the command line and the tests on this machine: `make bench`.

On a scratch copy of the repository (your _build is untouched), one row per figure
with its budget; exits 1 if one is over. Benchmarks, not tests: run it on a quiet
machine. The builds are `make book`'s two steps from an empty _build (chapters run in
parallel), then with nothing changed, after a prose edit (executes nothing) and after
a package edit (executes every chapter), and the clean build beside one CPU-bound
process, as a ratio to the quiet one (fair sharing of 2 cores among 3 busy processes
predicts about 1.5); each chapter's execution time comes from the cache. Then
`python -m gradlab --help` (median of 5), `make unit`'s run (quiet and beside a busy
process), and a small fit on one torch thread against torch's default beside a busy
process: "Gradients" says the default is several times slower (>= 2 x).

Usage: python tools/bench.py (it takes minutes)
"""

from __future__ import annotations

import argparse
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

from sources import CACHE, ROOT, copy_worktree

RAW = argparse.RawDescriptionHelpFormatter
BIN = Path(sys.executable).parent
PYTHON = str(BIN / "python")
#: Budgets in seconds, except the loaded / quiet ratio.
BUDGET = {"clean": 60, "no-op": 3, "prose": 5, "loaded": 1.8, "chapter": 10}
BUDGET |= {"help": 0.5, "unit": 20, "unit loaded": 40}
THREAD_FIT = """
import sys, time, torch
import gradlab
if sys.argv[1] != "default":
    torch.set_num_threads(int(sys.argv[1]))
net = gradlab.tanh_mlp((32, 32), seed=0)
data = gradlab.data.wiggly_sample(seed=0)
sgd = torch.optim.SGD(net.parameters(), lr=0.05)
start = time.perf_counter()
gradlab.fit_module(net, data.t[:, None], data.y[:, None], loss_fn=torch.nn.MSELoss(),
                   optimizer=sgd, epochs=1000)
print(time.perf_counter() - start)
"""

rows: list[tuple[str, str, str]] = []  # (figure, value, verdict)


def report(name: str, value: float, most=None, unit: str = "s", *, least=None) -> None:
    """Print a row against a budget: at ``most``, or at ``least`` (a book's claim)."""
    verdict = ""
    if most is not None:
        verdict = f"<= {most:g} {unit}: " + ("ok" if value <= most else "OVER")
    if least is not None:
        verdict = f">= {least:g} {unit}: " + ("ok" if value >= least else "UNDER")
    shown = f"{value:.1f} s" if unit == "s" else f"{value:.2f} {unit}"
    rows.append((name, shown, verdict))
    print(f"  {name:<34}{shown:>10}  {verdict}", flush=True)


def run(cmd: list[str], cwd: Path, what: str) -> tuple[float, str]:
    """(seconds, standard output) of a command that must succeed."""
    env = dict(os.environ, PYTHONPATH=str(cwd / "code"))
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"bench: {what} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return time.perf_counter() - start, done.stdout


def build(repo: Path) -> tuple[float, int, int]:
    """`make book`'s two steps: (seconds, chapters executed before, in Sphinx)."""
    first, before = run([PYTHON, "tools/execute_chapters.py"], repo, "execution")
    jupyter_book = [str(BIN / "jupyter-book"), "build", ".", "-n", "-W", "--keep-going"]
    then, sphinx = run(jupyter_book, repo, "the build")
    executed = before.count(" executed in ")
    return first + then, executed, sphinx.count("Executing notebook using")


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

    records = get_cache(repo / CACHE.relative_to(ROOT)).list_cache_records()
    return {
        Path(r.uri).name: r.data["execution_seconds"]
        for r in records
        if "execution_seconds" in r.data
    }


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + text)


def builds(repo: Path) -> None:
    print("builds (seconds; chapters executed in parallel first, then by Sphinx)")
    chapter = repo / "book" / "gradients.md"
    module = repo / "code" / "gradlab" / "functions.py"
    scenarios = [
        ("clean build", BUDGET["clean"], None),
        ("no-op rebuild", BUDGET["no-op"], None),
        ("prose edit", BUDGET["prose"], lambda: _append(chapter, "\nA sentence.\n")),
        ("package edit", None, lambda: _append(module, "\n# an edit by the bench\n")),
    ]
    for name, budget, edit in scenarios:
        if edit:
            edit()
        seconds, executed, in_sphinx = build(repo)
        report(f"{name} ({executed} + {in_sphinx} executed)", seconds, budget)
        if name == "clean build":
            quiet, times = seconds, chapter_times(repo)
    print("chapter execution (clean build, in parallel)")
    for name, seconds in sorted(times.items()):
        report(f"  {name}", seconds, BUDGET["chapter"])
    shutil.rmtree(repo / "_build")
    with busy_process():
        loaded = build(repo)[0]
    report("clean build beside a busy process", loaded)
    report("  loaded / quiet", loaded / quiet, BUDGET["loaded"], unit="x")


def command_line(repo: Path) -> None:
    print("command line")
    command = [PYTHON, "-m", "gradlab", "--help"]
    runs = [run(command, repo, "--help")[0] for _ in range(6)]  # the first: a warm-up
    report(
        "python -m gradlab --help (median)", statistics.median(runs[1:]), BUDGET["help"]
    )


def unit_tests(repo: Path) -> None:
    print("unit tests (make unit)")
    # As the Makefile's PYTEST runs it; a first collection writes the bytecode and the
    # rewritten test modules, as any earlier run on a developer's machine has.
    cmd = ["env", "PYTHONDONTWRITEBYTECODE=", PYTHON]
    marks = "not book and not browser and not tools and not claims"  # make unit
    cmd += ["-m", "pytest", "-m", marks, "-q"]
    run([*cmd, "--collect-only"], repo, "collecting the tests")
    report("quiet", run(cmd, repo, "the unit tests")[0], BUDGET["unit"])
    with busy_process():
        seconds = run(cmd, repo, "the unit tests")[0]
    report("beside a busy process", seconds, BUDGET["unit loaded"])


def threads(repo: Path) -> None:
    print("threads: 1,000 epochs of the 32-32 tanh fit, beside a busy process")
    with busy_process():
        one, default = (
            float(run([PYTHON, "-c", THREAD_FIT, n], repo, "the fit")[1])
            for n in ("1", "default")
        )
    report("one thread", one)
    report("torch's default threads", default)
    # "Gradients" says: several times slower with torch's default threads.
    report("  default / one", default / one, unit="x", least=2)


def main() -> int:
    argparse.ArgumentParser(description=__doc__, formatter_class=RAW).parse_args()
    with tempfile.TemporaryDirectory(prefix="gradlab-bench-") as scratch:
        repo = Path(scratch)
        copy_worktree(repo)
        shutil.copytree(ROOT / ".vendor", repo / ".vendor")  # KaTeX, from set-up
        unit_tests(repo)  # first: the build scenarios below edit the copy
        command_line(repo)
        builds(repo)
        threads(repo)
    over = [name for name, _, verdict in rows if verdict.endswith(("OVER", "UNDER"))]
    print("every budget met" if not over else f"not within budget: {', '.join(over)}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
