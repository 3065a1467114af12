"""Execute the book's chapters in parallel into the execution cache: `make book` step 1.

myst-nb executes notebooks one after another while Sphinx reads them. This script
runs first and fills the same jupyter-cache with every chapter whose code cells have
no cached outputs yet, one chapter per core, so the Sphinx build that follows finds
every chapter in the cache and executes nothing. The semantics stay myst-nb's:

- a chapter is read with myst-nb's own reader and matched by jupyter-cache's hash of
  its code cells, exactly as the build matches it: a prose edit executes nothing;
- a package edit empties the cache first (the tag of `gradlab_freshness`), so no
  output computed with an older `gradlab` survives;
- a cell that raises fails this step with the chapter's traceback (exit status 1),
  after the other chapters have finished and been cached.

On Linux each chapter's kernel is forked from a process that has imported torch,
torch._dynamo and pyplot already (`warm_kernels.PRELOAD`), which saves every chapter
those imports; elsewhere kernels are launched as Jupyter launches them.

Every chapter runs on the book's float path (`gradlab.book.FLOAT_PATH`, where the
environment does not choose another). With --second-float-path the chapters run on a
second one instead, into a cache of their own (`SECOND_CACHE`), for `tools/chapters.py
compare`, which checks that the pages would show the same digits on both.

Usage: python tools/execute_chapters.py [--jobs N] [--second-float-path]
(--jobs: default one per core). Prints one line per chapter: cached, or executed in
so many seconds.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import hashlib
import multiprocessing
import os
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools" / "sphinx_ext"))
sys.path.insert(0, str(ROOT / "tools"))
from chapters import chapters  # noqa: E402
from gradlab.book import FLOAT_PATH, SECOND_FLOAT_PATH, pin_float_path  # noqa: E402
from gradlab_freshness import fresh_cache, outputs_digest  # noqa: E402

#: Fork kernels from a process with torch imported (see `warm_kernels`): Linux only,
#: where fork is the platform's own way to start processes.
#: GRADLAB_WARM_KERNELS=0 launches them as Jupyter does (to compare, or to rule it out).
WARM = sys.platform == "linux" and os.environ.get("GRADLAB_WARM_KERNELS", "1") != "0"

CACHE = ROOT / "_build" / ".jupyter_cache"  # Jupyter Book's default location
#: The chapters' outputs on the second float path.
SECOND_CACHE = ROOT / "_build" / "second-float-path" / ".jupyter_cache"
#: Inside the cache: a digest of the chapters and settings it last served in full.
DONE_NAME = "chapters.sha256"


def read_chapter(path: Path, extensions: list[str]):
    """The notebook myst-nb builds from a MyST chapter (same reader, same hash)."""
    from myst_nb.core.read import read_myst_markdown_notebook
    from myst_parser.config.main import MdParserConfig

    config = MdParserConfig(enable_extensions=set(extensions))
    return read_myst_markdown_notebook(
        path.read_text(), config=config, add_source_map=True, path=str(path)
    )


#: How jupyter_client's error begins when a kernel died, or stayed silent, before
#: replying to its first request: before any cell ran.
KERNEL_DID_NOT_START = ("Kernel died before replying", "Kernel didn't respond")


def execute(path: Path, notebook, timeout: int) -> tuple:
    """Run one notebook in its folder; return (notebook, seconds, traceback or None)."""
    from jupyter_cache.executors.utils import single_nb_execution

    warm = {}
    if WARM:
        import warm_kernels

        warm_kernels.prefork()  # before any event loop or ZeroMQ context exists here
        warm = {"kernel_manager_class": warm_kernels.WarmKernelManager}
    try:
        # The kernel inherits this process's environment. Once the last cell has
        # replied there is nothing left to wait for: a graceful shutdown of a kernel
        # that has loaded torch takes over a second, so end it at once.
        run = functools.partial(
            single_nb_execution,
            notebook,
            cwd=str(path.parent),
            timeout=timeout,
            allow_errors=False,
            shutdown_kernel="immediate",
            **warm,
        )
        try:
            result = run()
        except RuntimeError as error:
            # Jupyter picks a kernel's TCP ports free, releases them, and the kernel
            # binds them: two kernels starting at once can pick the same port, and one
            # dies before running any cell ("Address already in use"). Start it again,
            # launched the ordinary way (the preforked kernel is spent).
            if not str(error).startswith(KERNEL_DID_NOT_START):
                raise
            print(f"execute: {path.name}: {error}; starting its kernel again")
            result = run()
    finally:
        if WARM:
            warm_kernels.release()
    return result.nb, result.time, result.exc_string if result.err else None


def execute_all(
    paths: list[Path],
    cache_dir: Path,
    *,
    digest: str,
    jobs: int,
    timeout: int,
    extensions: list[str],
) -> list[Path]:
    """Fill ``cache_dir`` with the chapters it lacks; return the ones that failed."""
    if fresh_cache(cache_dir, digest):
        print("execute: the package changed (or no cache yet): executing every chapter")
    done = _done_digest(paths, digest, extensions)
    stamp = cache_dir / DONE_NAME
    if stamp.is_file() and stamp.read_text().strip() == done:
        print("execute: nothing changed since every chapter was cached")
        return []
    stamp.unlink(missing_ok=True)

    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    cache = get_cache(cache_dir)
    todo = []
    for path in paths:
        notebook = read_chapter(path, extensions)
        try:
            cache.match_cache_notebook(notebook)
        except KeyError:
            todo.append((path, notebook))
        else:
            print(f"execute: {path.name} cached")
    if not todo:
        stamp.write_text(done + "\n")
        return []
    failed = []
    workers = min(jobs, len(todo))
    start = time.perf_counter()
    # A fresh worker per chapter, so that each kernel is forked from a process that has
    # run nothing yet: with warm kernels, the workers come from multiprocessing's fork
    # server, a new process that imports torch once and nothing of this one's state.
    environment = contextlib.nullcontext()
    if WARM:
        from warm_kernels import PRELOAD, kernel_environment

        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(list(PRELOAD))
        environment = kernel_environment()  # while the pool starts the fork server
    else:
        method = "fork" if sys.platform == "linux" else None  # the platform's default
        context = multiprocessing.get_context(method)
    with environment:
        pool = context.Pool(workers, maxtasksperchild=1)
    with pool:
        results = [(pool.apply_async(execute, (p, nb, timeout)), p) for p, nb in todo]
        for result, path in results:
            executed, seconds, traceback = result.get()
            if traceback is not None:
                failed.append(path)
                print(f"execute: {path.name} FAILED after {seconds:.1f} s\n{traceback}")
                continue
            bundle = CacheBundleIn(
                executed, str(path), data={"execution_seconds": seconds}
            )
            cache.cache_notebook_bundle(bundle, check_validity=False, overwrite=True)
            print(f"execute: {path.name} executed in {seconds:.1f} s")
    elapsed = time.perf_counter() - start
    print(f"execute: {len(todo)} chapter(s) in {elapsed:.1f} s, {workers} at a time")
    if not failed:
        stamp.write_text(done + "\n")
    return failed


def _done_digest(paths: list[Path], digest: str, extensions: list[str]) -> str:
    """SHA-256 of the package digest, the reader's settings and every chapter's text."""
    h = hashlib.sha256(f"{digest}\0{sorted(extensions)}\0".encode())
    for path in paths:
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def second_float_path() -> dict[str, str]:
    """`SECOND_FLOAT_PATH`, or the book's own where the environment chose the second
    already (so that the two runs always differ)."""
    chosen = {name: os.environ.get(name) for name in SECOND_FLOAT_PATH}
    return dict(FLOAT_PATH if chosen == SECOND_FLOAT_PATH else SECOND_FLOAT_PATH)


def _path_in_force() -> str:
    return " ".join(f"{name}={os.environ.get(name, '')}" for name in FLOAT_PATH)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="chapters at once"
    )
    parser.add_argument(
        "--second-float-path",
        action="store_true",
        help=f"execute on a second float path, into {SECOND_CACHE.relative_to(ROOT)}",
    )
    args = parser.parse_args(argv)
    cache = CACHE
    if args.second_float_path:
        os.environ.update(second_float_path())
        cache = SECOND_CACHE
        print("execute: on the second float path, " + _path_in_force())
    else:
        pin_float_path()
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    failed = execute_all(
        chapters(),
        cache,
        digest=outputs_digest(ROOT),
        jobs=max(1, args.jobs),
        timeout=config["execute"]["timeout"],
        extensions=config["parse"]["myst_enable_extensions"],
    )
    if failed:
        names = ", ".join(str(p.relative_to(ROOT)) for p in failed)
        print(f"execute: a cell raised in {names}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
