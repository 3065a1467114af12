"""Shared fixtures. Book tests (marker ``book``) read the HTML built by `make book`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")  # before pyplot is first imported

import matplotlib.pyplot as plt

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
