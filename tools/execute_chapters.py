"""Execute the book's chapters, several at once, into the execution cache: `make book`
step 1, so that the Sphinx build after it (which executes one chapter at a time)
finds every chapter cached and executes nothing. The semantics stay myst-nb's:

- a chapter is read with myst-nb's reader and matched by jupyter-cache's hash of its
  code cells, as the build matches it: a prose edit executes nothing;
- a package edit empties the cache first (`sources.fresh_cache`), so no output computed
  with an older `gradlab` survives;
- a cell that raises fails this step with the chapter's traceback (exit status 1),
  after the other chapters have finished and been cached.

Kernels start warm on Linux (`warm_kernels`; GRADLAB_WARM_KERNELS=0 launches them as
Jupyter does). Chapters run on the book's float path; with --second-float-path on a
second one, into `sources.SECOND_CACHE`, for `tools/chapters.py compare`.

Usage: python tools/execute_chapters.py [--jobs N] [--second-float-path]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import sys
import time
from pathlib import Path

import warm_kernels
from gradlab.book import FLOAT_PATH, SECOND_FLOAT_PATH, pin_float_path
from sources import (
    CACHE,
    ROOT,
    SECOND_CACHE,
    chapters,
    config,
    fresh_cache,
    outputs_digest,
    read_chapter,
)

WARM = sys.platform == "linux" and os.environ.get("GRADLAB_WARM_KERNELS", "1") != "0"
#: Inside the cache: a digest of the chapters and settings it last served in full.
DONE_NAME = "chapters.sha256"
#: How jupyter_client's error begins when a kernel died, or stayed silent, before its
#: first reply (two kernels starting at once can pick the same free TCP port).
KERNEL_DID_NOT_START = ("Kernel died before replying", "Kernel didn't respond")


async def execute(notebook, cwd: Path, timeout: int, name: str, **options) -> tuple:
    """Run a notebook in ``cwd``, in place, with nbclient's ``options``; return
    (seconds, traceback of the cell that raised, or None)."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    start = time.perf_counter()
    for attempt in (1, 2):
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
            return time.perf_counter() - start, None
        except (CellExecutionError, CellTimeoutError) as error:
            return time.perf_counter() - start, str(error)
        except RuntimeError as error:
            if attempt == 2 or not str(error).startswith(KERNEL_DID_NOT_START):
                raise
            print(f"execute: {name}: {error}; starting its kernel again")


async def execute_each(todo: list, cache, jobs: int) -> list[Path]:
    """Execute ``todo``, (path, notebook) pairs, ``jobs`` at a time; put the ones
    that succeed in ``cache``; return the paths of the others."""
    from jupyter_cache.base import CacheBundleIn

    start, timeout = time.perf_counter(), config()["execute"]["timeout"]
    gate, failed = asyncio.Semaphore(jobs), []

    async def one(path: Path, notebook) -> None:
        async with gate:
            seconds, traceback = await execute(
                notebook, path.parent, timeout, path.name
            )
        if traceback:
            failed.append(path)
            print(f"execute: {path.name} FAILED after {seconds:.1f} s\n{traceback}")
            return
        data = {"execution_seconds": seconds}
        bundle = CacheBundleIn(notebook, str(path), data=data)
        cache.cache_notebook_bundle(bundle, check_validity=False, overwrite=True)
        print(f"execute: {path.name} executed in {seconds:.1f} s", flush=True)

    await asyncio.gather(*(one(path, notebook) for path, notebook in todo))
    seconds = time.perf_counter() - start
    print(f"execute: {len(todo)} chapter(s) in {seconds:.1f} s, {jobs} at a time")
    return failed


def execute_all(paths: list[Path], cache_dir: Path, *, digest: str, jobs: int) -> list:
    """Fill ``cache_dir`` with the chapters it lacks; return the ones that failed."""
    from jupyter_cache import get_cache

    if fresh_cache(cache_dir, digest):
        print("execute: the package changed (or no cache yet): executing every chapter")
    done, stamp = _done_digest(paths, digest), cache_dir / DONE_NAME
    if stamp.is_file() and stamp.read_text().strip() == done:
        print("execute: nothing changed since every chapter was cached")
        return []
    cache, todo = get_cache(cache_dir), []
    for path in paths:
        notebook = read_chapter(path)
        try:
            cache.match_cache_notebook(notebook)
        except KeyError:
            todo.append((path, notebook))
        else:
            print(f"execute: {path.name} cached")
    warm_kernels.use(WARM)
    failed = asyncio.run(execute_each(todo, cache, jobs)) if todo else []
    stamp.write_text("" if failed else done + "\n")
    return failed


def _done_digest(paths: list[Path], digest: str) -> str:
    """SHA-256 of the package digest, the MyST settings and every chapter's text."""
    settings = sorted(config()["parse"]["myst_enable_extensions"])
    h = hashlib.sha256(f"{digest}\0{settings}\0".encode())
    for path in paths:
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--second-float-path", action="store_true")
    args = parser.parse_args(argv)
    cache = SECOND_CACHE if args.second_float_path else CACHE
    if args.second_float_path:  # the other path than the one the environment chose
        chosen = {name: os.environ.get(name) for name in SECOND_FLOAT_PATH}
        second = FLOAT_PATH if chosen == SECOND_FLOAT_PATH else SECOND_FLOAT_PATH
        os.environ.update(second)
        print(
            "execute: on the second float path, "
            + " ".join(f"{name}={value}" for name, value in second.items())
        )
    else:
        pin_float_path()
    failed = execute_all(
        chapters(), cache, digest=outputs_digest(ROOT), jobs=max(1, args.jobs)
    )
    if failed:
        names = ", ".join(str(p.relative_to(ROOT)) for p in failed)
        print(f"execute: a cell raised in {names}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
