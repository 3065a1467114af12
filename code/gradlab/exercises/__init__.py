"""Checks a reader runs on their own answer to an exercise: ``gradlab.exercises.check``.

A code exercise in the book is followed by a cell the reader fills in, ending with
``gradlab.exercises.check("ex-<chapter>-<name>", answer)``. The check runs the
reader's answer on fixed inputs, compares it with the reference, and prints one line
per comparison: ``✓`` when it agrees, ``✗`` and what is off when not (not answered
yet, the wrong type or shape, transposed, the wrong sign, off by a constant factor,
the largest difference and where). So a student working in Colab knows when they have
it, and the folded solution on the page ends with the same call.

Each chapter with checked exercises has a module here (its file name with ``_`` for
``-``) whose checkers register themselves with `exercise`; a checker is a generator
of `close` and `holds` results. The modules are found on the first check.
"""

from __future__ import annotations

import importlib
import math
import pkgutil
from collections.abc import Callable, Iterator
from typing import NamedTuple

import numpy as np
import torch

Checker = Callable[[object], Iterator["Result"]]
CHECKS: dict[str, Checker] = {}


class Result(NamedTuple):
    """One comparison: did it agree, what was compared, and what is off if not."""

    ok: bool
    what: str
    why: str = ""

    def __str__(self) -> str:
        return f"✓ {self.what}" if self.ok else f"✗ {self.what}: {self.why}"


def exercise(label: str) -> Callable[[Checker], Checker]:
    """Register the decorated generator as the checker of exercise ``label``."""

    def register(checker: Checker) -> Checker:
        if label in CHECKS:
            raise ValueError(f"two checkers for exercise {label!r}")
        CHECKS[label] = checker
        return checker

    return register


def checkers() -> dict[str, Checker]:
    """Every registered checker by exercise label (importing the chapter modules)."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    return CHECKS


def results(label: str, answer: object) -> list[Result]:
    """The comparisons of ``answer`` with exercise ``label``'s reference; an error
    raised by the answer ends them with a failed one that names it."""
    found = checkers()
    if label not in found:
        raise ValueError(f"no checked exercise is labelled {label!r}")
    done: list[Result] = []
    try:
        for result in found[label](answer):
            done.append(result)
    except Exception as error:  # the reader's code: say what it raised, in one line
        done.append(Result(False, "your code ran", f"{type(error).__name__}: {error}"))
    return done


def check(label: str, answer: object) -> None:
    """Print how ``answer`` compares with exercise ``label``'s reference, one line per
    comparison and a verdict."""
    done = results(label, answer)
    for result in done:
        print(result)
    failed = sum(not r.ok for r in done)
    print("All checks pass." if not failed else f"{failed} of {len(done)} checks fail.")


def holds(what: str, ok: object, hint: str = "it does not") -> Result:
    """A yes-or-no comparison: ``what`` holds, or ``hint`` says what is off."""
    return Result(bool(ok), what, "" if ok else hint)


def close(
    what: str, got: object, want: object, rtol: float = 1e-6, atol: float = 1e-9
) -> Result:
    """``got`` equals ``want`` (a tensor, array or number) to ``rtol`` and ``atol``,
    compared in float64; if not, what is off."""
    if got is None or got is Ellipsis:
        return Result(False, what, "not answered yet (the answer is None)")
    try:
        have = _float64(got)
    except (TypeError, ValueError, RuntimeError):
        return Result(False, what, f"expected numbers, got a {type(got).__name__}")
    want = _float64(want)
    return (
        Result(True, what) if _same(have, want, rtol, atol) else _off(what, have, want)
    )


def _float64(value: object) -> torch.Tensor:
    """A tensor, array, list or number as a float64 tensor (a Python float straight
    to float64: through torch's default float32 it would lose digits)."""
    if torch.is_tensor(value):
        return value.detach().double()
    return torch.as_tensor(value, dtype=torch.float64)


def _same(have: torch.Tensor, want: torch.Tensor, rtol: float, atol: float) -> bool:
    return have.shape == want.shape and torch.allclose(have, want, rtol=rtol, atol=atol)


def _off(what: str, have: torch.Tensor, want: torch.Tensor) -> Result:
    """What is off, for an answer that does not equal the reference."""
    shape = tuple(want.shape)
    if have.shape != want.shape:
        if have.ndim == 2 and _same(have.T, want, 1e-6, 1e-9):
            return Result(False, what, f"shape {tuple(have.shape)}: looks transposed")
        if have.numel() == want.numel() and _same(
            have.reshape(shape), want, 1e-6, 1e-9
        ):
            return Result(
                False,
                what,
                f"the right numbers in shape {tuple(have.shape)}, not {shape}",
            )
        return Result(
            False, what, f"shape {tuple(have.shape)} where {shape} is expected"
        )
    if _same(-have, want, 1e-6, 1e-9):
        return Result(False, what, "the wrong sign")
    big = int(want.abs().flatten().argmax())
    if want.numel() > 1 and want.flatten()[big] != 0:
        factor = float(have.flatten()[big] / want.flatten()[big])
        if (
            math.isfinite(factor)
            and factor != 0
            and _same(have / factor, want, 1e-6, 1e-9)
        ):
            return Result(False, what, f"{factor:.4g} times the expected values")
    where = int((have - want).abs().flatten().nan_to_num(math.inf).argmax())
    index = tuple(int(i) for i in np.unravel_index(where, shape))
    at = f" at index {index}" if index else ""
    got, expected = have.flatten()[where].item(), want.flatten()[where].item()
    return Result(False, what, f"{got:.6g}{at} where {expected:.6g} is expected")
