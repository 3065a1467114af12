"""Run every reader notebook top to bottom the way Colab would: `make colab`.

On a kernel of a Colab-like environment (_build/colab-venv, made once from the lock
file: torch and the rest, neither gradlab nor torchviz), in an empty folder, each
set-up cell installing gradlab from a copy of the working tree's tracked files: the
first notebook alone, then the others two at a time. Fails on an error in any
cell, and on a set-up cell that reports another gradlab.

Usage: python tools/colab_run.py [_build/notebooks/book/<name>.ipynb ...]
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
from execute_chapters import execute
from sources import NOTEBOOKS, ROOT, chapters, copy_worktree

VENV = ROOT / "_build" / "colab-venv"
#: What Colab has (the versions of the lock file).
COLAB = ["torch==2.13.0", "numpy", "matplotlib", "graphviz", "scikit-learn"]


def sh(*argv: str, cwd: Path | None = None) -> None:
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"colab: {' '.join(argv)} failed\n{done.stdout[-2000:]}{done.stderr}")


def colab_kernel(scratch: Path) -> None:
    """The Colab-like environment (made once, without gradlab and torchviz), as the
    kernel spec ``colab`` in ``scratch``, on JUPYTER_PATH."""
    python = VENV / "bin" / "python"
    if not python.exists():
        print("colab: making a Colab-like environment (once)", flush=True)
        sh(sys.executable, "-m", "venv", str(VENV))
        lock = str(ROOT / "requirements" / "lock.txt")
        sh(str(python), "-m", "pip", "install", "-q", "-c", lock, *COLAB, "ipykernel")
    sh(str(python), "-m", "pip", "uninstall", "--quiet", "--yes", "gradlab", "torchviz")
    path = f"{python.parent}{os.pathsep}{os.environ['PATH']}"
    kernel = ["ipykernel", "install", "--name", "colab", "--prefix", str(scratch)]
    sh(str(python), "-m", *kernel, "--env", "PATH", path)
    os.environ["JUPYTER_PATH"] = str(scratch / "share" / "jupyter")
    os.environ.pop("PYTHONPATH", None)


async def run(path: Path, local: Path, gate: asyncio.Semaphore) -> str | None:
    """Run one reader notebook; print its time; return what went wrong, if anything."""
    notebook = nbformat.read(path, as_version=4)
    setup = notebook.cells[1]  # "git+<repository>@<commit>" -> the local copy
    setup.source = re.sub('"git[+][^"]*"', repr(str(local)), setup.source)
    async with gate:
        seconds, error = await execute(notebook, Path.cwd(), 600, kernel_name="colab")
    said = "".join(o.get("text", "") for o in setup.outputs)
    if error is None and "ready" not in said:
        error = "set-up cell said: " + said
    print(f"colab: {path.name:<28} {seconds:5.1f} s  {error or 'ok'}", flush=True)
    return error


async def run_all(notebooks: list[Path], local: Path) -> int:
    gate = asyncio.Semaphore(2)
    errors = [await run(notebooks[0], local, gate)]  # installs, as a reader's does
    errors += await asyncio.gather(*(run(n, local, gate) for n in notebooks[1:]))
    return 1 if any(errors) else 0


def main(argv: list[str]) -> int:
    notebooks = [ROOT / a for a in argv] or [
        NOTEBOOKS / md.relative_to(ROOT).with_suffix(".ipynb") for md in chapters()
    ]
    missing = [str(n) for n in notebooks if not n.is_file()]
    if missing:
        sys.exit(f"colab: no reader notebook {missing[0]}: run `make book` first")
    with tempfile.TemporaryDirectory(prefix="colab-") as scratch:
        colab_kernel(Path(scratch))
        local = Path(scratch) / "repo"  # what git tracks or would, as pip gets it
        copy_worktree(local)
        empty = Path(scratch) / "content"  # as in Colab: nothing of the repository
        empty.mkdir()
        os.chdir(empty)
        return asyncio.run(run_all(notebooks, local))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
