"""The book's data sets, each drawn from an explicit seed.

* Series: the noisy parabola of "Gradients" and the 1-D curves of the ``torch.nn``
  fits (a noisy sine, a wiggly curve).
* Regression: linear data with known weights.
* The two-class Gaussian mixture of "Training MLPs": each class an equal-weight
  mixture of a few isotropic Gaussians, the classes equally likely. The densities
  are known, so the best possible classifier (Bayes: the class with the larger
  density) and its error rate are too: the floor no trained classifier beats on
  average.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

from gradlab import _checks
from gradlab.defaults import PARABOLA_NOISE, PARABOLA_POINTS


def _generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(_checks.seed(seed))


@dataclass(frozen=True)
class Series:
    """Measurements ``y`` (N,) taken at inputs ``t`` (N,)."""

    t: Tensor
    y: Tensor


def noisy_parabola(
    *, seed: int, n: int = PARABOLA_POINTS, noise: float = PARABOLA_NOISE
) -> Series:
    """Signal 0.75 (t − 9.5)² + 1 plus Gaussian noise of scale ``noise``, t = 0 … n−1.

    >>> s = noisy_parabola(seed=0)
    >>> s.t.shape, s.t[-1].item()
    (torch.Size([20]), 19.0)
    """
    _checks.whole_number(n, "n (points of a parabola)", minimum=3)
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


def rescale_quadratic(coefficients: Tensor, t: Tensor) -> Tensor:
    """The same quadratic in the rescaled input: (a', b', c') (3,) such that
    a' s² + b' s + c' = a t² + b t + c for s = `rescale` (t).

    With t = m + h s (m the midpoint of t's range, h half its width):
    a' = a h², b' = (2 a m + b) h, c' = a m² + b m + c.

    >>> rescale_quadratic(torch.tensor([1.0, 0.0, 0.0]), torch.tensor([0.0, 2.0]))
    tensor([1., 2., 1.])
    """
    if coefficients.shape != (3,):
        raise ValueError(
            f"coefficients must have shape (3,), got {tuple(coefficients.shape)}"
        )
    rescale(t)  # the same check: t needs two distinct values
    m, h = (t.max() + t.min()) / 2, (t.max() - t.min()) / 2
    a, b, c = coefficients
    return torch.stack([a * h**2, (2 * a * m + b) * h, a * m**2 + b * m + c])


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
    _checks.whole_number(n, "n", minimum=1)
    g = _generator(seed)
    w = torch.tensor(weights)
    x = 2 * torch.rand(n, len(w), generator=g) - 1
    y = x @ w + bias + noise * torch.randn(n, generator=g)
    return Regression(x, y, w, bias)


#: Seed, size and noise level of the noisy sine (the source tutorial's).
SINE_SEED, SINE_POINTS, SINE_NOISE = 2021, 32, 0.25
#: Seed of the wiggly curve's sample points and of its network, and their number.
WIGGLY_SEED, WIGGLY_POINTS = 0, 200


def noisy_sine(*, seed: int, n: int = SINE_POINTS, noise: float = SINE_NOISE) -> Series:
    """y = sin(πt) + noise·N(0, 1) at ``n`` evenly spaced t in [−1, 1].

    >>> s = noisy_sine(seed=SINE_SEED)
    >>> s.t.shape, s.t[0].item(), s.t[-1].item()
    (torch.Size([32]), -1.0, 1.0)
    """
    _checks.whole_number(n, "n", minimum=2)
    g = _generator(seed)
    t = torch.linspace(-1.0, 1.0, n)
    return Series(t, torch.sin(math.pi * t) + noise * torch.randn(n, generator=g))


def wiggly(t: Tensor) -> Tensor:
    """The target curve y = 4 sin(πt) cos(6πt²)."""
    return 4 * torch.sin(math.pi * t) * torch.cos(6 * math.pi * t**2)


def wiggly_sample(*, seed: int, n: int = WIGGLY_POINTS) -> Series:
    """`wiggly` at ``n`` points drawn uniformly from [0, 1] (no noise)."""
    _checks.whole_number(n, "n", minimum=1)
    t = torch.rand(n, generator=_generator(seed))
    return Series(t, wiggly(t))


#: Component means of class 0 and class 1, interleaved so no straight line separates.
MEANS_0 = ((-1.2, 0.8), (0.9, -0.9), (0.2, 1.4))
MEANS_1 = ((0.0, 0.0), (1.3, 0.9), (-1.0, -1.1))
#: Standard deviation of every component (isotropic).
STD = 0.45
#: Seeds of the chapter's training and test sets, and of the validation set that
#: "Validation, overfitting and early stopping" adds. The training seed is a typical
#: draw: the Bayes classifier's error on it is the median over draws of its size
#: (tests/test_claims_mlp.py checks that).
TRAIN_SEED, TEST_SEED, VAL_SEED = 8, 1, 2


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
        _checks.whole_number(n, "n", minimum=1)
        g = _generator(seed)
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
