"""Checkers of the code exercises of book/chain-strings.md."""

from __future__ import annotations

import math

import torch

from gradlab.chain import (
    Pull,
    fan_minimum,
    fan_of_strings,
    loss_variant,
    random_angles,
    stability_limit,
)
from gradlab.exercises import close, exercise


@exercise("ex-chain-strings-a-heavier-weight-a-smaller-limit")
def heavy_limit(answer):
    """answer: the stability limit of the (10, 1) pull at its minimum (a number)."""
    along_force = torch.zeros(10)
    along_force[0] = math.atan2(1.0, 10.0)
    want = stability_limit(loss_variant("x-heavy"), along_force)
    yield close("the limit", answer, want, rtol=1e-4)


@exercise("ex-chain-strings-the-best-a-fan-can-do")
def fan_best(answer):
    """answer(forces, n) -> the smallest mean loss of strings tied to the end."""
    for m, seed in [(1, 0), (3, 1), (10, 2)]:
        strings = fan_of_strings(m, spread=1.0, seed=seed)
        forces = torch.tensor([s.force for s in strings], dtype=torch.float64)
        forces = forces * torch.linspace(0.5, 2.0, m, dtype=torch.float64)[:, None]
        want = fan_minimum([Pull(-1, tuple(f)) for f in forces.tolist()], 6)
        yield close(f"{m} string(s) on 6 links", answer(forces, 6), want)


@exercise("ex-chain-strings-the-exact-elbow")
def exact_elbow(answer):
    """answer(n) -> the smallest loss of the two strings of "middle", n even."""
    for n in (2, 6, 10):
        elbow = torch.zeros(n, dtype=torch.float64)
        elbow[0], elbow[n // 2] = math.pi / 4, -math.pi / 4
        want = loss_variant("middle", n)(elbow)
        yield close(f"the elbow of {n} links", answer(n), want)


@exercise("ex-chain-strings-a-smooth-stiffness")
def elastic(answer):
    """answer(angles) -> the "middle" loss plus Σ θ², a scalar tensor."""
    middle = loss_variant("middle")
    for seed in range(3):
        angles = random_angles(10, seed=seed).double()
        want = middle(angles) + (angles**2).sum()
        yield close(f"the loss of chain {seed}", answer(angles), want)
