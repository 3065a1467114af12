"""Execute the chapters, several at once, into the execution cache (`make book` step
1), so that the Sphinx build after it, one chapter at a time, finds them cached. A
chapter is read and matched as myst-nb does (a prose edit executes nothing); a package
edit empties the cache first (`sources.fresh_cache`); a cell that raises fails this
step with its traceback once the other chapters are cached. Kernels start warm
(`warm_kernels`), all from this one process, whose port cache gives each its own ports.

Usage: python tools/execute_chapters.py [--jobs N] [--second-float-path]
(the second path's outputs go to `sources.SECOND_CACHE`, for `chapters.py compare`)
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import sys
import time
from pathlib import Path

import sources
import warm_kernels
from gradlab.book import FLOAT_PATH, SECOND_FLOAT_PATH, pin_float_path
from sources import ROOT, chapters, config, read_chapter

WARM = sys.platform == "linux" and os.environ.get("GRADLAB_WARM_KERNELS", "1") != "0"
#: Inside the cache: a digest of the chapters and settings it last served in full.
DONE_NAME = "chapters.sha256"


async def execute(notebook, cwd: Path, timeout: int, **options) -> tuple:
    """Run a notebook in ``cwd``, in place (``options`` for nbclient); return
    (seconds, the traceback of the cell that raised or None)."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    start, error = time.perf_counter(), None
    client = NotebookClient(
        notebook,
        timeout=timeout,
        record_timing=False,
        resources={"metadata": {"path": str(cwd)}},
        shutdown_kernel="immediate",  # nothing left to wait for after the last cell
        **options,
    )
    try:
        await client.async_execute()
    except (CellExecutionError, CellTimeoutError) as raised:
        error = str(raised)  # the cell's traceback
    except Exception as raised:  # a kernel that died or never started
        error = f"{type(raised).__name__}: {raised}"
    return time.perf_counter() - start, error


async def execute_each(todo: list, cache, jobs: int) -> list[Path]:
    """Execute ``todo``, (path, notebook) pairs, ``jobs`` at a time; put the ones
    that succeed in ``cache``; return the paths of the others."""
    from jupyter_cache.base import CacheBundleIn

    start, timeout = time.perf_counter(), config()["execute"]["timeout"]
    gate, failed = asyncio.Semaphore(jobs), []

    async def one(path: Path, notebook) -> None:
        async with gate:
            seconds, traceback = await execute(notebook, path.parent, timeout)
        if traceback:
            failed.append(path)
            print(f"execute: {path.name} FAILED after {seconds:.1f} s\n{traceback}")
            return
        bundle = CacheBundleIn(notebook, str(path), data={"execution_seconds": seconds})
        cache.cache_notebook_bundle(bundle, check_validity=False, overwrite=True)
        print(f"execute: {path.name} executed in {seconds:.1f} s", flush=True)

    await asyncio.gather(*(one(path, notebook) for path, notebook in todo))
    seconds = time.perf_counter() - start
    print(f"execute: {len(todo)} chapter(s) in {seconds:.1f} s, {jobs} at a time")
    return failed


def execute_all(paths: list[Path], cache_dir: Path, *, digest: str, jobs: int) -> list:
    """Fill ``cache_dir`` with the chapters it lacks; return the ones that failed."""
    from jupyter_cache import get_cache

    if sources.fresh_cache(cache_dir, digest):
        print("execute: the package changed (or no cache yet): executing every chapter")
    settings = sorted(config()["parse"]["myst_enable_extensions"])
    done = hashlib.sha256(f"{digest}\0{settings}\0".encode())
    for path in paths:
        done.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    stamp = cache_dir / DONE_NAME
    if stamp.is_file() and stamp.read_text() == done.hexdigest():
        print("execute: nothing changed since every chapter was cached")
        return []
    cache, todo = get_cache(cache_dir), []
    for path in paths:
        try:
            cache.match_cache_notebook(notebook := read_chapter(path))
            print(f"execute: {path.name} cached")
        except KeyError:
            todo.append((path, notebook))
    warm_kernels.use(WARM)
    failed = asyncio.run(execute_each(todo, cache, jobs)) if todo else []
    stamp.write_text("" if failed else done.hexdigest())
    return failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--second-float-path", action="store_true")
    args = parser.parse_args(argv)
    cache = sources.SECOND_CACHE if args.second_float_path else sources.CACHE
    if args.second_float_path:  # the other path than the one the environment chose
        chosen = {name: os.environ.get(name) for name in SECOND_FLOAT_PATH}
        second = FLOAT_PATH if chosen == SECOND_FLOAT_PATH else SECOND_FLOAT_PATH
        os.environ.update(second)
        print(f"execute: on the second float path, {second}")
    else:
        pin_float_path()
    digest = sources.outputs_digest()
    failed = execute_all(chapters(), cache, digest=digest, jobs=max(1, args.jobs))
    for path in failed:
        print(f"execute: a cell raised in {path.relative_to(ROOT)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
