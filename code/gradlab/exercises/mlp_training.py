"""Checks of the code exercises of "Training MLPs"."""

from __future__ import annotations

import math

import torch

from gradlab.exercises import close, exercise, holds
from gradlab.mlp import init_mlp
from gradlab.training import hoeffding_test_size

#: (ε, δ) pairs every size check tries.
_ASKS = ((0.01, 0.01), (0.005, 0.05), (0.02, 0.001), (0.1, 0.5))


@exercise("ex-mlp-training-test-set-sizes")
def test_set_sizes(answer):
    """answer(eps, delta) -> the smallest n Hoeffding's inequality asks for."""
    for eps, delta in _ASKS:
        want = hoeffding_test_size(eps, delta)
        yield close(f"n for ε = {eps}, δ = {delta}", answer(eps, delta), want, 0, 0)


@exercise("ex-mlp-training-union-bound")
def union_bound(answer):
    """answer(eps, delta, k) -> the smallest n for k classifiers at once."""
    for k in (1, 6, 40):
        for eps, delta in _ASKS[:2]:
            want = math.ceil(math.log(2 * k / delta) / (2 * eps**2))
            got = answer(eps, delta, k)
            yield close(f"n for k = {k}, ε = {eps}, δ = {delta}", got, want, 0, 0)


@exercise("ex-mlp-training-too-small-or-too-briefly-trained")
def active_fraction(answer):
    """answer(params, x) -> per hidden unit, the fraction of points it is active on."""
    params = init_mlp(7, seed=3, dtype=torch.float64)
    x = torch.randn(50, 2, generator=torch.Generator().manual_seed(4)).double()
    want = (x @ params.w1.T + params.b1 > 0).double().mean(0)
    yield close("fraction per unit, 7 units and 50 points", answer(params, x), want)


@exercise("ex-mlp-training-paired-standard-error")
def paired_standard_error(answer):
    """answer(wrong_a, wrong_b) -> (difference, its standard error) in fractions."""
    g = torch.Generator().manual_seed(5)
    wrong_a = (torch.rand(1000, generator=g) < 0.12).double()
    flip = torch.rand(1000, generator=g) < 0.03
    wrong_b = torch.where(flip, 1 - wrong_a, wrong_a)
    d = wrong_b - wrong_a
    got = answer(wrong_a, wrong_b)
    yield holds("a pair (difference, standard error)", _pair(got), "return two numbers")
    if _pair(got):
        yield close("the difference, b's error minus a's", got[0], d.mean())
        # n or n − 1 in the standard deviation: both are fine at n = 1,000
        se = d.std() / math.sqrt(len(d))
        yield close("its standard error", got[1], se, rtol=1e-3)


def _pair(got) -> bool:
    return isinstance(got, tuple | list) and len(got) == 2


@exercise("ex-mlp-training-fan-in-start")
def fan_in_start(answer):
    """answer(params) -> the same draws scaled by 1/√fan-in layer by layer."""
    for hidden in (5, 500):
        params = init_mlp(hidden, seed=1)
        want = init_mlp(hidden, seed=1, scale="fan-in")
        got = answer(params)
        for name, g, w in zip(
            ("W₁", "b₁", "W₂", "b₂"), got, want.tensors(), strict=True
        ):
            yield close(f"{name} at {hidden} hidden units", g, w)


@exercise("ex-mlp-training-break-the-backward-pass")
def broken_tensors(answer):
    """answer: the names ("w1", "b1", "w2", "b2") whose gradients are wrong."""
    if answer is None or answer is Ellipsis:
        yield holds(
            "the tensors whose gradient the missing mask breaks",
            False,
            "not answered yet (the answer is None)",
        )
        return
    got = set(answer) if isinstance(answer, set | list | tuple) else answer
    yield holds(
        "the tensors whose gradient the missing mask breaks",
        got == {"w1", "b1"},
        "not those: which gradients pass through ∂L/∂z?",
    )
