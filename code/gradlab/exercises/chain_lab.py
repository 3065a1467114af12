"""Checkers of the code exercises of book/chain-lab.md."""

from __future__ import annotations

import torch

from gradlab.chain import cumsum_matrix, positions, pull_right, random_angles
from gradlab.exercises import close, exercise


def _chains(n: int = 7, count: int = 3) -> list[torch.Tensor]:
    """A few seeded chains of ``n`` links, float64."""
    return [random_angles(n, seed=seed).double() for seed in range(count)]


@exercise("ex-chain-lab-the-torque-of-a-vertical-string")
def vertical_torque(answer):
    """answer(angles) -> ∂(n − y_end)/∂θ in closed form, shape (n,)."""
    for i, angles in enumerate(_chains()):
        a = angles.clone().requires_grad_()
        (len(a) - positions(a)[-1, 1]).backward()
        yield close(f"the gradient at chain {i}", answer(angles), a.grad)


@exercise("ex-chain-lab-the-hessian-of-a-bent-chain")
def bent_hessian(answer):
    """answer(angles) -> the Hessian of `pull_right` at ``angles``, shape (n, n)."""
    for i, angles in enumerate(_chains()):
        want = torch.autograd.functional.hessian(pull_right, angles)
        yield close(f"the Hessian at chain {i}", answer(angles), want)


@exercise("ex-chain-lab-descent-on-the-absolute-angles")
def absolute_step(answer):
    """answer(angles, lr) -> θ − lr (CᵀC)⁻¹ ∇L(θ), shape (n,)."""
    for i, angles in enumerate(_chains()):
        phi = angles.cumsum(dim=0)
        stepped = phi - 0.3 * phi.sin()  # one step of descent on φ, lr 0.3
        want = torch.linalg.solve(cumsum_matrix(len(angles)), stepped)
        yield close(f"the step from chain {i}", answer(angles, 0.3), want)
