"""Checks of the code exercises of "Mini-batches, initialisation and optimisers"."""

from __future__ import annotations

import torch

from gradlab.exercises import close, exercise, holds
from gradlab.initialization import activation_spread


@exercise("ex-optimizers-adam-by-hand")
def adam_by_hand(answer):
    """answer(theta, m, s, g, t, lr) -> (theta, m, s) after Adam's step t (from 1),
    PyTorch's defaults β₁ = 0.9, β₂ = 0.999, ε = 1e-8; checked against
    ``torch.optim.Adam`` over five steps on a fixed sequence of gradients."""
    gen = torch.Generator().manual_seed(27)
    start = torch.randn(4, 3, generator=gen, dtype=torch.float64)
    grads = [torch.randn(4, 3, generator=gen, dtype=torch.float64) * 10**k
             for k in range(-2, 3)]  # fmt: skip
    lr = 0.01
    p = start.clone().requires_grad_()
    adam = torch.optim.Adam([p], lr=lr)
    state = start.clone(), torch.zeros_like(start), torch.zeros_like(start)
    for t, g in enumerate(grads, start=1):
        p.grad = g.clone()
        adam.step()
        state = answer(*state, g, t, lr)
        if state is None or state is Ellipsis:
            yield close(f"θ after step {t}", state, p.detach())
            return
        yield close(f"θ after step {t}", state[0], p.detach())
        if t == 1:  # Adam's first step is lr · sign(g), whatever the gradient's size
            moved = (state[0] - start).abs()
            yield holds(
                "every coordinate moved by lr on the first step",
                bool((moved - lr).abs().max() < 1e-6),
                "the bias correction of m or s is missing or wrong",
            )


@exercise("ex-optimizers-spread-within-units")
def spread_within_units(answer):
    """answer(a) -> the mean over copies and units of each unit's standard
    deviation across the points, for activations a (S, N, U)."""
    gen = torch.Generator().manual_seed(28)
    a = torch.rand(3, 50, 7, generator=gen, dtype=torch.float64)
    want = activation_spread([a, a])[0]  # the last entry would be the scores
    yield close("spread of a (3 copies, 50 points, 7 units)", answer(a), want)
    offset = 100 * torch.rand(3, 1, 7, generator=gen, dtype=torch.float64)
    yield close("an offset per unit, the same for every point, adds nothing",
                answer(a + offset), want)  # fmt: skip


@exercise("ex-optimizers-momentum-velocity")
def momentum_velocity(answer):
    """answer(t, mu) -> the factor c_t with v_t = c_t g after t steps of PyTorch's
    momentum on a constant gradient g."""
    for mu in (0.0, 0.5, 0.9):
        v, found, want = None, [], []
        for t in range(1, 31):
            v = torch.ones(()) if v is None else mu * v + 1
            want.append(float(v))
            found.append(answer(t, mu))
        if any(c is None or c is Ellipsis for c in found):
            yield close(f"c_t at μ = {mu:g}", None, want)
            return
        yield close(
            f"c_t for t = 1 … 30 at μ = {mu:g}", [float(c) for c in found], want
        )
