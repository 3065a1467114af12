"""Jacobians, vector-Jacobian and Jacobian-vector products, and what each mode costs.

For f: ℝⁿ → ℝᵐ with Jacobian J [m, n], reverse mode (``backward``,
``torch.func.vjp``) computes vᵀJ for one v ∈ ℝᵐ per backward pass, a row of J when v
is a unit vector; forward mode (``torch.func.jvp``) computes J u for one u ∈ ℝⁿ per
forward pass, a column. A full Jacobian costs m backward passes or n forward passes;
``torch.func.jacrev`` and ``jacfwd`` run them as one batched pass through ``vmap``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor
from torch.utils.flop_counter import FlopCounterMode


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
    """The full Jacobian of one function by forward mode (`torch.func.jacfwd`) and
    by reverse mode (`torch.func.jacrev`): passes, matrix-product flops as
    `torch.utils.flop_counter.FlopCounterMode` counts them, and seconds per repeat."""

    name: str
    n: int
    m: int
    forward_passes: int
    backward_passes: int
    forward_flops: int
    reverse_flops: int
    forward_seconds: tuple[float, ...]
    reverse_seconds: tuple[float, ...]


#: Width of the deep tanh network in `mode_costs`, and its number of layers.
MODE_SIZE = 200
MODE_DEPTH = 4
#: Runs of each Jacobian that `mode_costs` times.
MODE_REPEATS = 5


def deep_tanh(size: int, depth: int, *, seed: int) -> Callable[[Tensor], Tensor]:
    """h ↦ tanh(W_depth … tanh(W₁ h)), h [size] → [size], float64 weights
    [size, size] drawn with variance 1/size."""
    gen = torch.Generator().manual_seed(seed)
    weights = [
        torch.randn(size, size, generator=gen, dtype=torch.float64) / size**0.5
        for _ in range(depth)
    ]

    def net(h: Tensor) -> Tensor:
        for w in weights:
            h = torch.tanh(w @ h)
        return h

    return net


def _flops(jacobian: Callable, f: Callable, x: Tensor) -> int:
    with FlopCounterMode(display=False) as counter:
        jacobian(f)(x)
    return counter.get_total_flops()


def _seconds(jacobian: Callable, f: Callable, x: Tensor, repeats: int) -> tuple:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        jacobian(f)(x)
        times.append(time.perf_counter() - start)
    return tuple(times)


def mode_costs(
    size: int = MODE_SIZE,
    *,
    depth: int = MODE_DEPTH,
    repeats: int = MODE_REPEATS,
    seed: int = 0,
) -> list[ModeCost]:
    """Full Jacobians of a many-to-one function, L(x) = Σ net(x) (ℝⁿ → ℝ), and of a
    one-to-many function, c(t) = net(t · k) (ℝ → ℝᵐ), with ``net`` = `deep_tanh`,
    by ``jacfwd`` (n forward passes, batched by vmap) and ``jacrev`` (m backward
    passes, batched by vmap)."""
    if size < 2 or depth < 1 or repeats < 1:
        raise ValueError(
            f"size must be ≥ 2, depth and repeats ≥ 1; got {size}, {depth}, {repeats}"
        )
    net = deep_tanh(size, depth, seed=seed)
    gen = torch.Generator().manual_seed(seed + 1)
    x = torch.randn(size, generator=gen, dtype=torch.float64)
    k = torch.linspace(-1, 1, size, dtype=torch.float64)
    cases = {
        "many to one, ℝⁿ → ℝ": (lambda v: net(v).sum(), x),
        "one to many, ℝ → ℝᵐ": (lambda t: net(t * k), x[0]),
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
                forward_flops=_flops(torch.func.jacfwd, f, point),
                reverse_flops=_flops(torch.func.jacrev, f, point),
                forward_seconds=_seconds(torch.func.jacfwd, f, point, repeats),
                reverse_seconds=_seconds(torch.func.jacrev, f, point, repeats),
            )
        )
    return rows
