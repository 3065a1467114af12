"""Scripts that a test runs in a fresh Python interpreter, started in the background.

Some checks need an interpreter of their own: the DOT text of a graph drawing with
other object ids and another hash seed, a fit on a second float path (chosen by
environment variables read when torch starts). Such an interpreter spends most of its
time importing torch. `fresh_python` makes a session fixture whose interpreter starts,
at the lowest priority, as soon as pytest knows that a selected test uses it
(tests/conftest.py calls `start_needed` once collection is done); those tests run
last (`waiting_last`). So the interpreters run on the second core while the other
tests run on the first; none starts for a run that selects none of their tests, nor
for ``--collect-only``. What it buys shows in `make bench`'s row "unit tests (make
unit)": the wall time of the interpreters' imports, which no test waits for.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable, Mapping

import pytest

_SCRIPTS: dict[str, tuple[str, dict[str, str]]] = {}  # fixture name -> script, env
_STARTED: dict[str, subprocess.Popen] = {}


def fresh_python(name: str, script: str, env: Mapping[str, str] | None = None):
    """A session fixture named ``name``: what ``script`` prints, run by a fresh
    interpreter with the test process's environment updated by ``env``.

    Assign it in the test module under the same name:
    ``dot_text = fresh_python("dot_text", SCRIPT)``.
    """
    _SCRIPTS[name] = script, dict(env or {})

    @pytest.fixture(scope="session", name=name)
    def output() -> str:
        process = _start(name)
        out, errors = process.communicate(timeout=300)
        assert process.returncode == 0, errors
        return out

    return output


def _start(name: str) -> subprocess.Popen:
    if name not in _STARTED:
        script, env = _SCRIPTS[name]
        _STARTED[name] = subprocess.Popen(
            # At the lowest priority: the tests running meanwhile come first.
            [sys.executable, "-c", "import os; os.nice(19)\n" + script],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, **env},
        )
    return _STARTED[name]


def waiting_last(items: list[pytest.Item]) -> None:
    """Move the tests that use a `fresh_python` fixture to the end, in their order,
    so their interpreters have the whole run to finish in."""
    items.sort(
        key=lambda item: any(n in _SCRIPTS for n in getattr(item, "fixturenames", ()))
    )


def start_needed(items: Iterable[pytest.Item]) -> None:
    """Start the interpreter of every `fresh_python` fixture a selected test uses."""
    for item in items:
        for name in getattr(item, "fixturenames", ()):
            if name in _SCRIPTS:
                _start(name)


def stop_all() -> None:
    """End the interpreters whose tests did not run (a run stopped early, say)."""
    for process in _STARTED.values():
        if process.poll() is None:
            process.kill()
            process.communicate()
