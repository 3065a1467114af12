"""Shared fixtures. Book tests (marker ``book``) read the HTML built by `make book`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")  # before pyplot is first imported
# Python processes the tests start (CLI, DOT determinism) inherit this.
os.environ["OMP_NUM_THREADS"] = "1"

import matplotlib.pyplot as plt
import torch

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
