"""The handwritten digits scikit-learn ships: 1,797 images of 8 × 8 pixels, 10 classes.

The data set is inside the scikit-learn package (nothing is downloaded). `load` splits
it once, with a seed, into training, validation and test sets, and standardises every
set with the *training* set's per-pixel mean and standard deviation only: statistics
of the validation or test images would leak what the model is later judged on.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

#: Fractions of the images in the training, validation and test sets.
FRACTIONS = (0.6, 0.2, 0.2)


@dataclass(frozen=True)
class Split:
    """One set of images: ``x`` standardised, shape (n, 64); ``y`` the digits, shape
    (n,) int64; ``images`` the raw 8 × 8 grey levels 0–16, for drawing."""

    x: Tensor
    y: Tensor
    images: Tensor

    def __len__(self) -> int:
        return len(self.y)


@dataclass(frozen=True)
class Digits:
    """The three sets and the training statistics that standardised them."""

    train: Split
    val: Split
    test: Split
    mean: Tensor
    std: Tensor


def raw() -> tuple[Tensor, Tensor]:
    """All 1,797 images as (n, 8, 8) float64 grey levels 0–16, and their digits."""
    from sklearn.datasets import load_digits

    bunch = load_digits()
    images = torch.as_tensor(bunch.images, dtype=torch.float64)
    return images, torch.as_tensor(bunch.target, dtype=torch.int64)


def split_sizes(n: int, fractions: tuple[float, float, float] = FRACTIONS):
    """How many of ``n`` images go to training, validation and test."""
    if len(fractions) != 3 or min(fractions) <= 0 or abs(sum(fractions) - 1) > 1e-9:
        raise ValueError(
            f"fractions must be three positive numbers summing to 1, got {fractions}"
        )
    val, test = round(fractions[1] * n), round(fractions[2] * n)
    return n - val - test, val, test


def load(
    seed: int = 0,
    fractions: tuple[float, float, float] = FRACTIONS,
    dtype: torch.dtype = torch.float32,
) -> Digits:
    """The digits, shuffled with ``seed`` and split by ``fractions``; ``x`` of every set
    standardised with the training set's per-pixel mean and standard deviation (a pixel
    that is constant in the training set keeps a deviation of 1, so it stays at 0)."""
    images, digits = raw()
    order = torch.randperm(len(digits), generator=torch.Generator().manual_seed(seed))
    n_train, n_val, _ = split_sizes(len(digits), fractions)
    parts = order[:n_train], order[n_train : n_train + n_val], order[n_train + n_val :]
    flat = images.reshape(len(images), -1)
    mean = flat[parts[0]].mean(0)
    std = flat[parts[0]].std(0)
    std = torch.where(std > 0, std, torch.ones_like(std))

    def subset(index: Tensor) -> Split:
        x = ((flat[index] - mean) / std).to(dtype)
        return Split(x=x, y=digits[index], images=images[index])

    train, val, test = (subset(p) for p in parts)
    return Digits(train, val, test, mean.to(dtype), std.to(dtype))
