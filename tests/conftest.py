"""Shared fixtures. Book tests (marker ``book``) read the HTML built by `make book`."""

from __future__ import annotations

import gc
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

from tests._fresh import start_needed, stop_all, waiting_last  # noqa: E402

# Tiny tensors gain nothing from intra-op threads; one per core collapses when shared.
torch.set_num_threads(1)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def html_dir() -> Path:
    from tests._book import sources  # the one place that knows where the site is

    if not (sources.HTML / "index.html").is_file():
        pytest.fail("no built book in _build/html: run `make book` first")
    return sources.HTML


# Experiments at the book's settings that tests of several files read, computed once
# per session.


@pytest.fixture(scope="session")
def chain_run():
    """The chain lab's run, `chain.pull()` with the chapter's settings."""
    from gradlab import chain

    return chain.pull()


@pytest.fixture(scope="session")
def middle_run():
    """The chain pulled at its middle as well (loss variant "middle"), from the
    chapter's start at its learning rate."""
    from gradlab import experiments
    from gradlab.defaults import CHAIN_LR

    ((_, run),) = experiments.chain.pulled([("m", "middle", CHAIN_LR)]).values()
    return run


@pytest.fixture(scope="session")
def parabola():
    """The gradients chapter's raw-against-rescaled comparison, its raw run included."""
    from gradlab import experiments

    return experiments.descent.parabola_comparison()


@pytest.fixture(scope="session")
def mlp_widths():
    """The training chapter's networks of each width on its training and test sets."""
    from gradlab import experiments

    train, test = experiments.mlp.training_set(), experiments.mlp.test_set()
    return experiments.mlp.width_experiment(train=train, test=test)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    waiting_last(items)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Freeze the objects that exist once every test module is imported, and start
    the fresh interpreters the selected tests need (tests/_fresh.py).

    torch, matplotlib, Sphinx and Jupyter's machinery leave a few hundred thousand
    objects that live as long as the process, and a full garbage collection walks
    them all. Frozen (`gc.freeze`), they are skipped by every later collection: the
    full ones during the run, pytest's at the end and the interpreter's on exit.
    """
    gc.freeze()
    if not session.config.getoption("collectonly"):
        start_needed(session.items)


def pytest_sessionfinish(session: pytest.Session) -> None:
    stop_all()
