"""Jacobians, vector-Jacobian and Jacobian-vector products, and what each mode costs.

For f: ℝⁿ → ℝᵐ with Jacobian J [m, n], reverse mode (``backward``,
``torch.func.vjp``) computes vᵀJ for one v ∈ ℝᵐ per backward pass, a row of J when v
is a unit vector; forward mode (``torch.func.jvp``) computes J u for one u ∈ ℝⁿ per
forward pass, a column. A full Jacobian costs m backward passes or n forward passes.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor


def two_outputs(x: Tensor) -> Tensor:
    """f(x) = (x₀² x₁, x₁ + sin x₂): ℝ³ → ℝ², the chapter's example; x [3] → [2]."""
    if x.shape != (3,):
        raise ValueError(f"x must have shape (3,), got {tuple(x.shape)}")
    return torch.stack([x[0] ** 2 * x[1], x[1] + torch.sin(x[2])])


def two_outputs_jacobian(x: Tensor) -> Tensor:
    """The Jacobian of `two_outputs` in closed form, [2, 3]:
    [[2x₀x₁, x₀², 0], [0, 1, cos x₂]]."""
    zero, one = torch.zeros_like(x[0]), torch.ones_like(x[0])
    return torch.stack(
        [
            torch.stack([2 * x[0] * x[1], x[0] ** 2, zero]),
            torch.stack([zero, one, torch.cos(x[2])]),
        ]
    )


def jacobian_by_vjps(f: Callable[[Tensor], Tensor], x: Tensor) -> Tensor:
    """J [m, n] of f: ℝⁿ → ℝᵐ at x [n], one vector-Jacobian product per row: one
    forward pass, then m backward passes with the unit vectors e₁ … eₘ."""
    y, vjp = torch.func.vjp(f, x)
    rows = [vjp(e)[0] for e in torch.eye(y.numel(), dtype=y.dtype)]
    return torch.stack(rows)


def jacobian_by_jvps(f: Callable[[Tensor], Tensor], x: Tensor) -> Tensor:
    """J [m, n] of f: ℝⁿ → ℝᵐ at x [n], one Jacobian-vector product per column:
    n forward passes with the unit vectors e₁ … eₙ."""
    columns = [
        torch.func.jvp(f, (x,), (e,))[1] for e in torch.eye(x.numel(), dtype=x.dtype)
    ]
    return torch.stack(columns, dim=1)


@dataclass(frozen=True)
class ModeCost:
    """The full Jacobian of one function, by forward and by reverse mode."""

    name: str
    n: int
    m: int
    forward_passes: int
    backward_passes: int
    forward_seconds: float
    reverse_seconds: float


def _median_seconds(jacobian: Callable, f: Callable, x: Tensor, repeats: int) -> float:
    """Median seconds of ``jacobian(f, x)`` over ``repeats`` runs."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        jacobian(f, x)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


#: Inputs of ℝⁿ → ℝ and outputs of ℝ → ℝᵐ in `mode_costs`.
MODE_SIZE = 200


def mode_costs(
    size: int = MODE_SIZE, *, repeats: int = 5, seed: int = 0
) -> list[ModeCost]:
    """Full Jacobians of a many-to-one function, L(x) = Σ tanh(xᵢ)² (ℝⁿ → ℝ), and of
    a one-to-many function, c(t) = sin(t · k), k = 1 … m (ℝ → ℝᵐ), by JVPs (forward
    mode) and by VJPs (reverse mode); median seconds over ``repeats``."""
    if size < 2:
        raise ValueError(f"size must be at least 2, got {size}")
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(size, generator=gen, dtype=torch.float64)
    k = torch.arange(1, size + 1, dtype=torch.float64)
    cases = {
        "many to one, ℝⁿ → ℝ": (lambda v: (torch.tanh(v) ** 2).sum().reshape(1), x),
        "one to many, ℝ → ℝᵐ": (lambda t: torch.sin(t * k), x[:1]),
    }
    rows = []
    for name, (f, point) in cases.items():
        m = f(point).numel()
        rows.append(
            ModeCost(
                name=name,
                n=point.numel(),
                m=m,
                forward_passes=point.numel(),
                backward_passes=m,
                forward_seconds=_median_seconds(jacobian_by_jvps, f, point, repeats),
                reverse_seconds=_median_seconds(jacobian_by_vjps, f, point, repeats),
            )
        )
    return rows
