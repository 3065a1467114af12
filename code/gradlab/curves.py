"""One-dimensional regression data for the ``torch.nn`` examples, seeded."""

from __future__ import annotations

import math

import torch

from gradlab.datasets import Series

#: Seed of the noisy sine (the source tutorial's).
SINE_SEED = 2021
#: Seed of the wiggly curve's sample points and of its network.
WIGGLY_SEED = 0


def noisy_sine(*, seed: int, n: int = 32, noise: float = 0.25) -> Series:
    """y = sin(πt) + noise·N(0, 1) at ``n`` evenly spaced t in [−1, 1].

    >>> s = noisy_sine(seed=SINE_SEED)
    >>> s.t.shape, s.t[0].item(), s.t[-1].item()
    (torch.Size([32]), -1.0, 1.0)
    """
    if n < 2:
        raise ValueError(f"n must be >= 2, got {n}")
    g = torch.Generator().manual_seed(seed)
    t = torch.linspace(-1.0, 1.0, n)
    return Series(t, torch.sin(math.pi * t) + noise * torch.randn(n, generator=g))


def wiggly(t: torch.Tensor) -> torch.Tensor:
    """The target curve y = 4 sin(πt) cos(6πt²)."""
    return 4 * torch.sin(math.pi * t) * torch.cos(6 * math.pi * t**2)


def wiggly_sample(*, seed: int, n: int = 200) -> Series:
    """`wiggly` at ``n`` points drawn uniformly from [0, 1] (no noise)."""
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    t = torch.rand(n, generator=torch.Generator().manual_seed(seed))
    return Series(t, wiggly(t))
