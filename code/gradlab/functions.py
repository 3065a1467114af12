"""Example functions whose gradients we know in closed form."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

#: Curvatures of the 2-D bowl along its two axes: its Hessian is diag(1, 10).
BOWL_CURVATURES = (1.0, 10.0)


def sin_radial(x: Tensor, y: Tensor) -> Tensor:
    """z = sin(x² + y²), elementwise.

    >>> float(sin_radial(torch.tensor(0.0), torch.tensor(0.0)))
    0.0
    """
    return torch.sin(x**2 + y**2)


def sin_radial_grad(x: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
    """Closed-form gradient of `sin_radial` by the chain rule.

    With u = x² + y²: ∂z/∂x = cos(u)·2x and ∂z/∂y = cos(u)·2y.

    >>> [float(g) for g in sin_radial_grad(torch.tensor(1.0), torch.tensor(0.0))]
    [1.0806046724319458, 0.0]
    """
    cos_u = torch.cos(x**2 + y**2)
    return 2 * x * cos_u, 2 * y * cos_u


def bowl(w: Tensor) -> Tensor:
    """The quadratic bowl f(w) = ½(w₁² + 10 w₂²) for w of shape (..., 2).

    Its minimum is 0 at the origin; its Hessian is diag(1, 10), so plain gradient
    descent on it is stable exactly when the learning rate is below 2/10.

    >>> float(bowl(torch.tensor([2.0, 1.0])))
    7.0
    """
    if w.shape[-1] != 2:
        raise ValueError(f"bowl expects points of shape (..., 2), got {tuple(w.shape)}")
    c1, c2 = BOWL_CURVATURES
    return 0.5 * (c1 * w[..., 0] ** 2 + c2 * w[..., 1] ** 2)


def bowl_grad(w: Tensor) -> Tensor:
    """Closed-form gradient of `bowl`: (w₁, 10 w₂), same shape as w."""
    return w * torch.tensor(BOWL_CURVATURES, dtype=w.dtype)


@dataclass(frozen=True)
class GradientField:
    """A function and its autograd gradient sampled on a square grid.

    ``x``, ``y``, ``z``, ``dz_dx`` and ``dz_dy`` all have shape (n, n), with
    ``x`` varying along columns and ``y`` along rows (``torch.meshgrid``, "xy").
    """

    x: Tensor
    y: Tensor
    z: Tensor
    dz_dx: Tensor
    dz_dy: Tensor


def gradient_field(
    f=sin_radial, *, limit: float = 2.5, n: int = 201, dtype=torch.float64
) -> GradientField:
    """Sample f(x, y) and its autograd gradient on an n × n grid over [-limit, limit]².

    One backward pass gives the whole field: the points do not interact, so the
    gradient of the sum of f over the grid holds ∂f/∂x and ∂f/∂y at every point.
    """
    if n < 2:
        raise ValueError(f"gradient_field needs n >= 2 grid points per axis, got {n}")
    if not limit > 0:
        raise ValueError(f"gradient_field needs a positive limit, got {limit}")
    axis = torch.linspace(-limit, limit, n, dtype=dtype)
    x, y = (
        t.clone().requires_grad_() for t in torch.meshgrid(axis, axis, indexing="xy")
    )
    z = f(x, y)
    z.sum().backward()
    return GradientField(x.detach(), y.detach(), z.detach(), x.grad, y.grad)
