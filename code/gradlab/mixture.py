"""A two-class Gaussian mixture in the plane whose densities are known exactly.

Each class is an equal-weight mixture of a few isotropic Gaussians, and the two
classes are equally likely. Because the densities are known, so is the best possible
classifier (Bayes: pick the class with the larger density) and its error rate, the
floor that no classifier trained on samples can beat on average.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

#: Component means of class 0 and class 1, interleaved so no straight line separates.
MEANS_0 = ((-1.2, 0.8), (0.9, -0.9), (0.2, 1.4))
MEANS_1 = ((0.0, 0.0), (1.3, 0.9), (-1.0, -1.1))
#: Standard deviation of every component (isotropic).
STD = 0.45
#: Seeds of the chapter's training and test sets.
TRAIN_SEED, TEST_SEED = 0, 1


@dataclass(frozen=True)
class LabelledPoints:
    """Points ``x`` (N, 2) with class labels ``y`` (N,) in {0., 1.} (float)."""

    x: Tensor
    y: Tensor

    def __len__(self) -> int:
        return len(self.y)


@dataclass(frozen=True)
class GaussianMixture:
    """Two classes, each an equal-weight mixture of isotropic Gaussians.

    ``means0`` (K0, 2) and ``means1`` (K1, 2) are the component means, ``std`` their
    common standard deviation; both classes have prior probability 1/2.
    """

    means0: Tensor
    means1: Tensor
    std: float

    def sample(self, n: int, *, seed: int) -> LabelledPoints:
        """``n`` labelled points: a fair coin picks the class, then a component."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError(f"n must be a whole number >= 1, got {n!r}")
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise TypeError(f"seed must be an int, got {type(seed).__name__}")
        g = torch.Generator().manual_seed(seed)
        y = torch.randint(0, 2, (n,), generator=g)
        x = torch.empty(n, 2)
        for label, means in enumerate((self.means0, self.means1)):
            rows = (y == label).nonzero().squeeze(1)
            pick = torch.randint(0, len(means), (len(rows),), generator=g)
            noise = self.std * torch.randn(len(rows), 2, generator=g)
            x[rows] = means[pick] + noise
        return LabelledPoints(x, y.float())

    def class_density(self, x: Tensor, label: int) -> Tensor:
        """p(x | y = label) for points ``x`` (N, 2); returns (N,) in x's dtype."""
        means = (self.means0, self.means1)[label].to(x.dtype)
        sq = ((x[:, None, :] - means[None]) ** 2).sum(-1)  # (N, K)
        norm = 2 * math.pi * self.std**2
        return torch.exp(-sq / (2 * self.std**2)).mean(1) / norm

    def posterior(self, x: Tensor) -> Tensor:
        """p(y = 1 | x) for points ``x`` (N, 2) (equal priors); returns (N,)."""
        p0, p1 = self.class_density(x, 0), self.class_density(x, 1)
        return p1 / (p0 + p1)

    def bayes_predict(self, x: Tensor) -> Tensor:
        """The Bayes classifier: 1. where p(y=1|x) > 1/2, else 0. Shape (N,)."""
        return (self.posterior(x) > 0.5).to(x.dtype)

    def bayes_error(self, *, resolution: int = 801) -> float:
        """The Bayes error ∫ min(p0(x), p1(x)) / 2 dx, by the midpoint rule on a grid.

        The grid covers every mean ± 7 std, so the density outside is negligible.

        >>> round(default_mixture().bayes_error(), 3)
        0.093
        """
        means = torch.cat([self.means0, self.means1]).double()
        lo, hi = means.min(0).values - 7 * self.std, means.max(0).values + 7 * self.std
        ax = [
            lo[i] + (hi[i] - lo[i]) * (torch.arange(resolution) + 0.5) / resolution
            for i in range(2)
        ]
        gx, gy = torch.meshgrid(ax[0], ax[1], indexing="ij")
        pts = torch.stack([gx.reshape(-1), gy.reshape(-1)], 1)
        p0, p1 = self.class_density(pts, 0), self.class_density(pts, 1)
        cell = float((hi - lo).prod()) / resolution**2
        return float(torch.minimum(p0, p1).sum() * cell / 2)


def default_mixture() -> GaussianMixture:
    """The book's mixture: three components per class (`MEANS_0`, `MEANS_1`, `STD`)."""
    return GaussianMixture(torch.tensor(MEANS_0), torch.tensor(MEANS_1), STD)
