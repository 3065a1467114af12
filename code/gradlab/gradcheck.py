"""Checking gradients against finite differences (float64, central differences).

Three checks, for three uses:

* `numerical_gradient` perturbs one coordinate at a time: exact but costs two loss
  evaluations per coordinate, fine for tests on small tensors.
* `directional_check` perturbs all coordinates at once along a random direction Δw of
  length ε and compares the symmetric difference (L(w + Δw) − L(w − Δw)) / 2 with
  ⟨∇L, Δw⟩: two evaluations whatever the size of w. The error is O(ε³) for smooth L
  (truncation) plus about machine-epsilon · |L| (round-off), so error / ε → 0.
* `relative_error` compares two whole gradients by one number,
  ‖a − b‖ / (‖a‖ + ‖b‖): 0 for equal tensors, 1 for opposite ones, and far below
  1e-7 for a correct gradient of a smooth loss against a float64 central difference
  (round-off / ε plus ε² truncation: about 1e-9 for the book's MLP at ε = 1e-6).
  `RELATIVE_ERROR_BANDS` holds the usual rule of thumb for reading it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor


def numerical_gradient(
    f: Callable[[Tensor], Tensor], x: Tensor, *, eps: float = 1e-6
) -> Tensor:
    """Central-difference gradient of a scalar function ``f`` at ``x`` (any shape).

    Computed in float64: (f(x + ε eᵢ) − f(x − ε eᵢ)) / 2ε for every coordinate i.

    >>> g = numerical_gradient(lambda v: (v**2).sum(), torch.tensor([3.0, -1.0]))
    >>> g.round(decimals=6)
    tensor([ 6., -2.], dtype=torch.float64)
    """
    if not eps > 0:
        raise ValueError(f"eps must be > 0, got {eps}")
    base = x.detach().to(torch.float64)
    flat = base.reshape(-1)
    grad = torch.empty_like(flat)
    with torch.no_grad():
        for i in range(flat.numel()):
            step = torch.zeros_like(flat)
            step[i] = eps
            up = f((flat + step).reshape(base.shape))
            down = f((flat - step).reshape(base.shape))
            grad[i] = (up - down) / (2 * eps)
    return grad.reshape(base.shape)


def max_relative_error(a: Tensor, b: Tensor, *, floor: float = 1e-8) -> float:
    """max |a − b| / max(|a|, |b|, floor), elementwise: the worst relative mismatch."""
    a, b = a.detach().double(), b.detach().double()
    scale = torch.maximum(torch.maximum(a.abs(), b.abs()), torch.tensor(floor))
    return float(((a - b).abs() / scale).max())


def relative_error(a: Tensor, b: Tensor) -> float:
    """‖a − b‖ / (‖a‖ + ‖b‖) in float64, and 0 when both are zero.

    >>> relative_error(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0]))
    0.0
    >>> relative_error(torch.tensor([1.0]), torch.tensor([-1.0]))
    1.0
    """
    a, b = a.detach().double(), b.detach().double()
    total = float(a.norm() + b.norm())
    return float((a - b).norm()) / total if total else 0.0


#: How a float64 check's relative error is usually read, by its upper bound (a rule of
#: thumb): a correct gradient of a smooth function lands far below the first band; a
#: kink (ReLU) crossed by the finite difference pushes it up, into the second band or
#: further ("Training MLPs" shows one in the third); above the third the gradient is
#: almost certainly wrong.
RELATIVE_ERROR_BANDS = (
    (1e-7, "correct"),
    (1e-4, "acceptable near kinks"),
    (1e-2, "suspicious"),
)


def read_relative_error(error: float) -> str:
    """The band of `RELATIVE_ERROR_BANDS` that ``error`` falls in, or 'wrong'."""
    for bound, verdict in RELATIVE_ERROR_BANDS:
        if error <= bound:
            return verdict
    return "wrong"


@dataclass(frozen=True)
class DirectionalCheck:
    """Result of one `directional_check` with step length ``eps``."""

    eps: float
    finite_difference: float
    directional_derivative: float

    @property
    def error(self) -> float:
        """Symmetric finite difference minus ⟨∇L, Δw⟩."""
        return self.finite_difference - self.directional_derivative

    @property
    def ratio(self) -> float:
        """error / ε, which tends to 0 as ε → 0 when the gradient is right."""
        return self.error / self.eps


def random_direction(like: Tensor, *, generator: torch.Generator) -> Tensor:
    """A unit vector shaped like ``like``: u / ‖u‖, u uniform in [−1, 1]ⁿ (float64)."""
    u = 2 * torch.rand(like.shape, generator=generator, dtype=torch.float64) - 1
    return u / u.norm()


def directional_check(
    loss_fn: Callable[[Tensor], Tensor],
    w: Tensor,
    grad: Tensor,
    *,
    eps: float,
    direction: Tensor,
) -> DirectionalCheck:
    """Compare (L(w + Δw) − L(w − Δw)) / 2 with ⟨grad, Δw⟩ for Δw = eps · direction.

    ``grad`` is the gradient under test (from autograd or written by hand);
    ``direction`` should have unit length (see `random_direction`). The loss is
    evaluated in the dtype of ``w``: pass float64 tensors for a tight check.
    """
    if not eps > 0:
        raise ValueError(f"eps must be > 0, got {eps}")
    if direction.shape != w.shape or grad.shape != w.shape:
        raise ValueError(
            f"w, grad and direction need one shape, got {tuple(w.shape)}, "
            f"{tuple(grad.shape)} and {tuple(direction.shape)}"
        )
    step = (eps * direction).to(w.dtype)
    with torch.no_grad():
        up, down = loss_fn(w.detach() + step), loss_fn(w.detach() - step)
    fd = (float(up) - float(down)) / 2
    return DirectionalCheck(eps, fd, float((grad.detach().to(step.dtype) * step).sum()))


def directional_sweep(
    loss_fn: Callable[[Tensor], Tensor],
    w: Tensor,
    grad: Tensor,
    *,
    eps_values: list[float] | tuple[float, ...],
    direction: Tensor,
) -> list[DirectionalCheck]:
    """`directional_check` for each step length in ``eps_values`` (same direction).

    Run it once with a float32 and once with a float64 ``w`` to see both error
    sources: the truncation error shrinks like ε³ while the round-off error grows
    like machine-epsilon · |L|, so |error| / ε is smallest at a moderate ε.
    """
    if not eps_values:
        raise ValueError("eps_values must not be empty")
    return [
        directional_check(loss_fn, w, grad, eps=eps, direction=direction)
        for eps in eps_values
    ]
