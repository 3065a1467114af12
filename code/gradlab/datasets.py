"""Small synthetic data sets, each generated from an explicit seed."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor


def _generator(seed: int) -> torch.Generator:
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    return torch.Generator().manual_seed(seed)


@dataclass(frozen=True)
class Series:
    """Measurements ``y`` (N,) taken at inputs ``t`` (N,)."""

    t: Tensor
    y: Tensor


def noisy_parabola(*, seed: int, n: int = 20, noise: float = 3.0) -> Series:
    """Signal 0.75 (t − 9.5)² + 1 plus Gaussian noise of scale ``noise``, t = 0 … n−1.

    >>> s = noisy_parabola(seed=0)
    >>> s.t.shape, s.t[-1].item()
    (torch.Size([20]), 19.0)
    """
    if n < 3:
        raise ValueError(f"a parabola needs at least 3 points, got n={n}")
    t = torch.arange(n, dtype=torch.float32)
    clean = 0.75 * (t - 9.5) ** 2 + 1
    return Series(t, clean + noise * torch.randn(n, generator=_generator(seed)))


def quadratic_features(t: Tensor) -> Tensor:
    """Design matrix [t², t, 1] of shape (N, 3): X @ (a, b, c) = a t² + b t + c."""
    return torch.stack([t**2, t, torch.ones_like(t)], dim=1)


def rescale(t: Tensor) -> Tensor:
    """Map t affinely onto [−1, 1] (the smallest value to −1, the largest to +1)."""
    lo, hi = t.min(), t.max()
    if not hi > lo:
        raise ValueError("rescale needs at least two distinct values")
    return 2 * (t - lo) / (hi - lo) - 1


@dataclass(frozen=True)
class Regression:
    """Inputs ``x`` (N, d), targets ``y`` (N,), and the true weights and bias."""

    x: Tensor
    y: Tensor
    weights: Tensor
    bias: float


def linear_data(
    *,
    seed: int,
    n: int = 100,
    weights: tuple[float, ...] = (2.0, -3.0),
    bias: float = 0.5,
    noise: float = 0.1,
) -> Regression:
    """y = x · weights + bias + noise, x uniform in [−1, 1]^d (d = len(weights))."""
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    g = _generator(seed)
    w = torch.tensor(weights)
    x = 2 * torch.rand(n, len(w), generator=g) - 1
    y = x @ w + bias + noise * torch.randn(n, generator=g)
    return Regression(x, y, w, bias)
