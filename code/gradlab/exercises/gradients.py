"""Checks of the code exercises of book/gradients.md."""

import torch

from gradlab.data import linear_data
from gradlab.descent import LeastSquares
from gradlab.exercises import close, exercise


@exercise("ex-gradients-linear-regression-by-gradient-descent")
def linear_regression(answer):
    """answer: the fitted (θ₁, θ₂, θ₀) for `linear_data(seed=0)`."""
    data = linear_data(seed=0)
    design = torch.cat([data.x, torch.ones(len(data.y), 1)], dim=1)
    best = LeastSquares(design, data.y).optimum
    yield close("θ₁, θ₂, θ₀ (to 0.001 of least squares)", answer, best, 0, 1e-3)


def _wavy(w):
    return torch.sin(w[0]) * w[1] ** 2 + torch.exp(0.5 * w[2]) * w[0]


@exercise("ex-gradients-directional-derivative")
def directional_derivative(answer):
    """answer(f, w, u) -> the slope of f at w along the unit vector u."""
    gen = torch.Generator().manual_seed(0)
    w = torch.randn(3, generator=gen, dtype=torch.float64)
    x = w.clone().requires_grad_()
    (grad,) = torch.autograd.grad(_wavy(x), x)
    for k in range(3):
        u = torch.randn(3, generator=gen, dtype=torch.float64)
        u = u / u.norm()
        yield close(f"slope along direction {k + 1}", answer(_wavy, w, u), grad @ u,
                    1e-6, 1e-8)  # fmt: skip


@exercise("ex-gradients-best-bowl-step")
def best_bowl_step(answer):
    """answer: the step that minimises max(|1 − η|, |1 − 10η|)."""
    yield close("the best fixed step η* (to four decimals)", answer, 2 / 11, 0, 5e-5)
