"""Run every reader notebook top to bottom the way Colab would: `make colab`.

Colab has torch, numpy, matplotlib, Graphviz and Jupyter, but neither gradlab nor
torchviz. This script builds such an environment once (a virtual environment in
_build/colab-venv, torch and the rest from requirements/lock.txt), publishes the
working tree as a local git repository, points each notebook's set-up cell at it
instead of the configured repository and commit, and executes the reader notebooks
that `make book` wrote, _build/notebooks/book/<name>.ipynb. The first notebook's
set-up cell installs gradlab (and torchviz) the way a reader's does; the others then
run two at a time. It fails on any error in any cell and on a set-up cell that reports
a gradlab other than the notebook's; it prints each chapter's run time.

Usage: python tools/colab_run.py [_build/notebooks/book/<name>.ipynb ...]
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import chapters  # noqa: E402
from execute_chapters import KERNEL_DID_NOT_START  # noqa: E402
from worktree import copy_worktree  # noqa: E402

VENV = ROOT / "_build" / "colab-venv"
#: What Colab has (the versions of the lock file), and nbclient to run notebooks.
COLAB = ["torch==2.13.0", "numpy", "matplotlib", "graphviz", "ipykernel", "nbclient"]

RUNNER = """
import re, sys, time
from concurrent.futures import ProcessPoolExecutor
import nbformat
from nbclient import NotebookClient

KERNEL_DID_NOT_START = KERNEL_DID_NOT_START_TEXT

def run(path, local):
    nb = nbformat.read(path, as_version=4)
    # The set-up cell's "git+<repository>@<commit>", pointed at the local repository.
    nb.cells[1].source = re.sub('"git[+][^"]*"', repr(local), nb.cells[1].source)
    start = time.perf_counter()
    # In an empty folder, as in Colab: nothing of the repository is at hand.
    execute = lambda: NotebookClient(nb, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": "."}},
                                     shutdown_kernel="immediate").execute()
    try:
        try:
            execute()
        except RuntimeError as error:  # a kernel that died before any cell: see
            if not str(error).startswith(KERNEL_DID_NOT_START):  # execute_chapters
                raise
            execute()
    except Exception as error:
        return path, time.perf_counter() - start, f"{type(error).__name__}: {error}"
    said = "".join(o.get("text", "") for o in nb.cells[1].outputs)
    if "ready" not in said:
        return path, time.perf_counter() - start, "set-up cell said: " + said
    return path, time.perf_counter() - start, None

local, *paths = sys.argv[1:]
results = [run(paths[0], local)]  # installs gradlab, as a reader's first run does
with ProcessPoolExecutor(2) as pool:
    results += pool.map(run, paths[1:], [local] * len(paths))
failed = 0
for path, seconds, error in results:
    print(f"colab: {path.rsplit('/', 1)[-1]:<28} {seconds:5.1f} s  {error or 'ok'}")
    failed += error is not None
sys.exit(1 if failed else 0)
"""


def sh(*argv: str, cwd: Path | None = None) -> None:
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"colab: {' '.join(argv)} failed\n{done.stdout[-2000:]}{done.stderr}")


def colab_venv() -> Path:
    """The Colab-like environment, made once; gradlab is removed before each run."""
    python = VENV / "bin" / "python"
    if not python.exists():
        print("colab: making a Colab-like environment (once)", flush=True)
        sh(sys.executable, "-m", "venv", str(VENV))
        sh(
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-c",
            str(ROOT / "requirements" / "lock.txt"),
            *COLAB,
        )
    sh(str(python), "-m", "pip", "uninstall", "--quiet", "--yes", "gradlab", "torchviz")
    return python


def publish(scratch: Path) -> str:
    """The working tree as a git repository on the configured branch; its pip URL."""
    branch = chapters.config()["repository"].get("branch", "main")
    repo = scratch / "repo"
    copy_worktree(repo)
    sh("git", "init", "--quiet", "-b", branch, cwd=repo)
    sh("git", "add", "-A", cwd=repo)
    sh(
        "git",
        "-c",
        "user.name=colab",
        "-c",
        "user.email=colab@localhost",
        "commit",
        "--quiet",
        "-m",
        "working tree",
        cwd=repo,
    )
    return f"git+file://{repo}@{branch}"


def main(argv: list[str]) -> int:
    notebooks = [ROOT / a for a in argv] or [
        chapters.NOTEBOOKS / md.relative_to(ROOT).with_suffix(".ipynb")
        for md in chapters.chapters()
    ]
    missing = [str(n) for n in notebooks if not n.is_file()]
    if missing:
        sys.exit(f"colab: no reader notebook {missing[0]}: run `make book` first")
    python = colab_venv()
    with tempfile.TemporaryDirectory(prefix="colab-") as scratch:
        local = publish(Path(scratch))
        empty = Path(scratch) / "content"
        empty.mkdir()
        env = dict(os.environ, PATH=f"{python.parent}{os.pathsep}{os.environ['PATH']}")
        env.pop("PYTHONPATH", None)
        done = subprocess.run(
            [
                str(python),
                "-c",
                RUNNER.replace("KERNEL_DID_NOT_START_TEXT", repr(KERNEL_DID_NOT_START)),
                local,
                *map(str, notebooks),
            ],
            cwd=empty,
            env=env,
        )
    return done.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
