"""Plain gradient descent, and the exact theory of it on least-squares problems."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
from torch import Tensor


def check_learning_rate(lr: float) -> float:
    """Return lr as a float if it is a finite positive number, else raise ValueError."""
    if isinstance(lr, bool) or not isinstance(lr, (int, float)):
        raise TypeError(f"learning rate must be a number, got {type(lr).__name__}")
    if not (math.isfinite(lr) and lr > 0):
        raise ValueError(f"learning rate must be a finite number > 0, got {lr}")
    return float(lr)


def check_steps(steps: int, name: str = "steps") -> int:
    """Return steps if it is a non-negative int, else raise."""
    if isinstance(steps, bool) or not isinstance(steps, int):
        raise TypeError(f"{name} must be a whole number, got {type(steps).__name__}")
    if steps < 0:
        raise ValueError(f"{name} must be >= 0, got {steps}")
    return steps


@dataclass(frozen=True)
class DescentHistory:
    """What a run of gradient descent visited.

    ``params`` has shape (k + 1, d): the start and the parameters after each of the k
    steps taken. ``losses`` has shape (k + 1,): the loss at each of those points.
    k is smaller than the steps asked for when the run diverged and was stopped.
    """

    params: Tensor
    losses: Tensor
    lr: float

    @property
    def steps(self) -> int:
        """How many steps were taken."""
        return len(self.losses) - 1

    @property
    def final_loss(self) -> float:
        return float(self.losses[-1])

    @property
    def diverged(self) -> bool:
        """True when the loss became non-finite or ended above where it started."""
        last = self.losses[-1]
        return bool(not torch.isfinite(last) or last > self.losses[0])


def gradient_descent(
    loss_fn: Callable[[Tensor], Tensor],
    start: Tensor | Sequence[float],
    *,
    lr: float,
    steps: int,
    blow_up: float = 1e12,
) -> DescentHistory:
    """Minimise ``loss_fn`` by w ← w − lr · ∇loss(w), starting from ``start``.

    ``loss_fn`` maps a parameter tensor of shape (d,) to a scalar tensor; its gradient
    comes from autograd. The run stops early, and is then reported as diverged, when
    the loss becomes non-finite or exceeds ``blow_up``.

    >>> h = gradient_descent(lambda w: (w**2).sum(), [3.0], lr=0.25, steps=2)
    >>> h.params.flatten().tolist()
    [3.0, 1.5, 0.75]
    """
    lr = check_learning_rate(lr)
    steps = check_steps(steps)
    w = torch.as_tensor(start).detach().clone()
    if not w.is_floating_point():
        w = w.to(torch.get_default_dtype())
    w.requires_grad_(True)
    visited, losses = [], []
    for step in range(steps + 1):
        loss = loss_fn(w)
        if loss.ndim != 0:
            raise ValueError(
                f"loss_fn must return a scalar, got shape {tuple(loss.shape)}"
            )
        visited.append(w.detach().clone())
        losses.append(loss.detach())
        if step == steps or not torch.isfinite(loss) or loss.item() > blow_up:
            break
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
        w.grad = None
    return DescentHistory(torch.stack(visited), torch.stack(losses), lr)


@dataclass(frozen=True)
class LeastSquares:
    """The loss L(w) = mean((X w − y)²) for a design matrix X (N, p) and targets y (N,).

    L is quadratic, so gradient descent on it can be solved exactly: with Hessian
    H = (2/N) XᵀX = Q diag(λ) Qᵀ and optimum w*, the error after k steps of size η is
    e_k = Q diag((1 − ηλ)^k) Qᵀ e_0, and L(w_k) = L* + ½ Σᵢ λᵢ (1 − ηλᵢ)^{2k} cᵢ²
    with c = Qᵀ e_0. All of it is computed in float64.
    """

    features: Tensor
    targets: Tensor

    def __post_init__(self) -> None:
        if self.features.ndim != 2 or self.targets.shape != self.features.shape[:1]:
            raise ValueError(
                "LeastSquares needs features (N, p) and targets (N,), "
                f"got {tuple(self.features.shape)} and {tuple(self.targets.shape)}"
            )

    @property
    def _x(self) -> Tensor:
        return self.features.double()

    def loss(self, w: Tensor) -> Tensor:
        """Mean squared error of the predictions X w (in the dtype of w)."""
        x = self.features.to(w.dtype)
        return ((x @ w - self.targets.to(w.dtype)) ** 2).mean()

    @property
    def hessian(self) -> Tensor:
        return 2 * self._x.T @ self._x / len(self.targets)

    @property
    def eigenvalues(self) -> Tensor:
        """Eigenvalues of the Hessian, ascending."""
        return torch.linalg.eigvalsh(self.hessian)

    @property
    def condition_number(self) -> float:
        """λ_max / λ_min of the Hessian: how much slower the flattest direction is."""
        lam = self.eigenvalues
        return float(lam[-1] / lam[0])

    @property
    def max_stable_lr(self) -> float:
        """Gradient descent converges exactly when lr < 2 / λ_max."""
        return float(2 / self.eigenvalues[-1])

    @property
    def optimum(self) -> Tensor:
        return torch.linalg.lstsq(self._x, self.targets.double().unsqueeze(1)).solution[
            :, 0
        ]

    @property
    def min_loss(self) -> float:
        return float(self.loss(self.optimum))

    def predicted_losses(self, start: Tensor, lr: float, steps: Tensor) -> Tensor:
        """Exact loss after each step count in ``steps`` (any shape), in float64."""
        lam, q = torch.linalg.eigh(self.hessian)
        c = q.T @ (torch.as_tensor(start).double() - self.optimum)
        k = torch.as_tensor(steps, dtype=torch.float64).unsqueeze(-1)
        decay = (1 - lr * lam) ** (2 * k)
        return self.min_loss + 0.5 * (lam * c**2 * decay).sum(-1)

    def steps_to_reach(self, start: Tensor, lr: float, target: float) -> int:
        """Fewest steps after which the loss is at most ``target`` (for a stable lr)."""
        if not lr < self.max_stable_lr:
            raise ValueError(
                f"lr {lr} is not below the stability limit {self.max_stable_lr}"
            )
        if target <= self.min_loss:
            raise ValueError(
                f"target {target} is not above the minimum {self.min_loss}"
            )
        if self.predicted_losses(start, lr, 0) <= target:
            return 0
        lo, hi = 0, 1
        while self.predicted_losses(start, lr, hi) > target:
            lo, hi = hi, hi * 2
        while hi - lo > 1:  # loss is decreasing in k: bisect on the step count
            mid = (lo + hi) // 2
            lo, hi = (
                (mid, hi)
                if self.predicted_losses(start, lr, mid) > target
                else (lo, mid)
            )
        return hi
