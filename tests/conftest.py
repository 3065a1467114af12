"""Shared fixtures. Book tests (marker ``book``) read the HTML built by `make book`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")  # before pyplot is first imported
# Python processes the tests start (CLI, DOT determinism) inherit this.
os.environ["OMP_NUM_THREADS"] = "1"
# The book's float path, before torch first computes (exported variables win, so that
# `make test` can run on a second path too).
from gradlab.book import pin_float_path

pin_float_path()

import matplotlib.pyplot as plt  # noqa: E402
import torch  # noqa: E402

# Tiny tensors gain nothing from intra-op threads; one per core collapses when shared.
torch.set_num_threads(1)

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def html_dir() -> Path:
    if not (HTML / "index.html").is_file():
        pytest.fail("no built book in _build/html: run `make book` first")
    return HTML


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


_EXIT_STATUS: list[int] = []


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _EXIT_STATUS.append(int(exitstatus))


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """End the process as soon as pytest is done (`make` sets GRADLAB_FAST_EXIT=1).

    Tearing down an interpreter that has loaded torch, matplotlib and Jupyter's
    machinery takes 1–2 s and does nothing a test run needs: exit handlers still run,
    streams are flushed, and the exit status is pytest's.
    """
    if os.environ.get("GRADLAB_FAST_EXIT") != "1" or not _EXIT_STATUS:
        return
    import atexit
    import sys

    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(_EXIT_STATUS[-1])
