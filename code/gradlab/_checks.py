"""Argument checks shared by every public function: one wording, one exception type.

Each returns the checked value (converted where that is harmless) or raises a
``TypeError`` (wrong kind of value) or ``ValueError`` (right kind, not allowed) whose
message names the argument, says what is allowed and shows what was given.

>>> positive_number(0.5, "lr")
0.5
>>> whole_number(3, "links", minimum=1)
3
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def number(value: object, name: str) -> float:
    """``value`` as a float if it is a finite real number (not a bool)."""
    if not _is_number(value):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value}")
    return float(value)


def positive_number(value: object, name: str) -> float:
    """``value`` as a float if it is a finite number > 0."""
    if _is_number(value) and not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a finite number > 0, got {value}")
    return number(value, name)


def number_between(value: object, name: str, low: float, high: float) -> float:
    """``value`` as a float if low < value < high."""
    value = number(value, name)
    if not low < value < high:
        raise ValueError(f"{name} must lie in ({low:g}, {high:g}), got {value}")
    return value


def whole_number(value: object, name: str, *, minimum: int = 0) -> int:
    """``value`` if it is an int (not a bool) and at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be a whole number, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return value


def seed(value: object) -> int:
    """A seed for `torch.Generator.manual_seed`: a whole number >= 0."""
    return whole_number(value, "seed")


def one_of(value: object, name: str, allowed: Sequence[str]) -> str:
    """``value`` if it is one of ``allowed``."""
    if value not in allowed:
        raise ValueError(
            f"unknown {name} {value!r}; choose one of {', '.join(map(str, allowed))}"
        )
    return value  # type: ignore[return-value]
