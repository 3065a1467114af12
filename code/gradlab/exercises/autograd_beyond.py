"""Checks for the code exercises of book/autograd-beyond.md."""

from __future__ import annotations

import math

import torch

from gradlab import functions
from gradlab.exercises import close, exercise, holds

F64 = torch.float64


@exercise("ex-autograd-beyond-dual")
def dual_numbers(answer):
    """answer(x) -> (g(x), g′(x)) for g(x) = x sin x + x², by dual numbers."""
    for x in (-1.5, 0.0, 0.8, 2.4):
        got = answer(x)
        slope = math.sin(x) + x * math.cos(x) + 2 * x
        if got is None or got is Ellipsis:
            yield close(f"g′({x:g})", got, slope)
            return
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            yield holds(
                f"g′({x:g})",
                False,
                "expected a pair (value, tangent), got a "
                f"{type(got).__name__}: return (d.value, d.tangent) or similar",
            )
            return
        value, tangent = got
        want = torch.tensor([x * math.sin(x) + x * x, slope], dtype=F64)
        yield close(f"g({x:g})", value, want[0], rtol=1e-12)
        yield close(f"g′({x:g})", tangent, want[1], rtol=1e-12)


@exercise("ex-autograd-beyond-hvp")
def hessian_vector_product(answer):
    """answer(f, w, v) -> H v, the Hessian of f at w times v, without forming H."""
    gen = torch.Generator().manual_seed(3)
    b = torch.randn(5, 5, generator=gen, dtype=F64)
    a = b + b.T
    w = torch.randn(5, generator=gen, dtype=F64)
    v = torch.randn(5, generator=gen, dtype=F64)
    try:
        got = answer(lambda p: functions.quadratic_sine(p, a), w.clone(), v)
    except RuntimeError as error:
        if "does not require grad" not in str(error):
            raise
        yield holds(
            "Hv for g(w) = ½ wᵀAw + Σ sin wᵢ",
            False,
            "the gradient was not recorded: pass create_graph=True to the first"
            " torch.autograd.grad, so that its result can be differentiated",
        )
        return
    want = functions.quadratic_sine_hvp(w, a, v)
    yield close("Hv for g(w) = ½ wᵀAw + Σ sin wᵢ", got, want, rtol=1e-10)
