"""Checks of the code exercises of "Deeper networks, and cross-entropy"."""

from __future__ import annotations

import torch
from torch import nn

from gradlab.exercises import close, exercise
from gradlab.mlp import tanh_mlp


def _logits(n: int = 6, classes: int = 4, scale: float = 3.0):
    g = torch.Generator().manual_seed(7)
    z = scale * torch.randn(n, classes, generator=g, dtype=torch.float64)
    return z, torch.randint(classes, (n,), generator=g)


@exercise("ex-mlp-modules-cross-entropy-gradient")
def cross_entropy_gradient(answer):
    """answer(logits, targets) -> ∂(mean cross-entropy)/∂logits, shape (N, C)."""
    z, t = _logits()
    leaf = z.clone().requires_grad_()
    (want,) = torch.autograd.grad(nn.functional.cross_entropy(leaf, t), leaf)
    yield close("gradient for 6 points, 4 classes", answer(z, t), want)


@exercise("ex-mlp-modules-stable-log-softmax")
def stable_log_softmax(answer):
    """answer(z) -> log softmax of each row, without overflow."""
    z, _ = _logits()
    yield close("ordinary logits", answer(z), torch.log_softmax(z, dim=1))
    big = torch.tensor([[1000.0, 0.0, -1000.0], [1000.0, 999.0, 0.0]])
    yield close(
        "logits of size 1,000 (float32)", answer(big), torch.log_softmax(big, 1)
    )


@exercise("ex-mlp-modules-two-logits")
def two_logits(answer):
    """answer(s) -> logits (N, 2) whose cross-entropy is the BCE of scores s."""
    g = torch.Generator().manual_seed(8)
    s = 4 * torch.randn(8, generator=g, dtype=torch.float64)
    y = torch.randint(2, (8,), generator=g)
    z = answer(s)
    want = nn.functional.binary_cross_entropy_with_logits(s, y.double())
    got = None if z is None else nn.functional.cross_entropy(z, y)
    yield close("cross-entropy of your logits = BCE of s", got, want)


@exercise("ex-mlp-modules-count-parameters")
def count_parameters(answer):
    """answer(widths) -> the number of parameters of tanh_mlp(widths)."""
    for widths in ((32, 32), (384,), (5,), (3, 4, 5)):
        want = sum(p.numel() for p in tanh_mlp(widths, seed=0).parameters())
        yield close(f"parameters of hidden widths {widths}", answer(widths), want, 0, 0)
