"""Checks for the code exercises of book/autograd-from-scratch.md."""

from __future__ import annotations

import torch

from gradlab.engine import Value, closure_mul
from gradlab.exercises import close, exercise, holds

F64 = torch.float64


def _leaves(*points: float) -> tuple[list[Value], list[torch.Tensor]]:
    values = [Value(p) for p in points]
    tensors = [torch.tensor(p, dtype=F64, requires_grad=True) for p in points]
    return values, tensors


def _f64(*numbers: float | torch.Tensor) -> torch.Tensor:
    """Several numbers (Python floats or 0-d tensors) as one float64 tensor, compared
    at once."""
    return torch.stack([torch.as_tensor(n, dtype=F64) for n in numbers])


def _not_a_value(what: str, got: object, want: torch.Tensor):
    """ "not answered yet" for None, else that the answer should be a Value."""
    if got is None or got is Ellipsis:
        return close(what, got, want)
    return holds(what, False, f"expected a Value, got a {type(got).__name__}")


@exercise("ex-autograd-from-scratch-1")
def sigmoid_node(answer):
    """answer(a: Value) -> Value holding σ(a), with its local derivative."""
    for point in (-2.0, 0.3, 1.7):
        (a,), (t,) = _leaves(point)
        out = answer(a)
        want = torch.sigmoid(t)
        if not isinstance(out, Value):
            yield _not_a_value(f"σ({point:g})", out, want)
            return
        (out * 3).backward()
        (want * 3).backward()
        yield close(f"σ({point:g})", out.data, want, rtol=1e-12)
        yield close(f"∂(3σ(a))/∂a at a = {point:g}", a.grad, t.grad, rtol=1e-12)


@exercise("ex-autograd-from-scratch-closure-div")
def closure_div(answer):
    """answer(a, b) -> Value a / b whose ``_backward`` closure adds into the inputs."""
    (x, y), (xt, yt) = _leaves(1.5, -0.8)
    out = answer(x, y)
    if not isinstance(out, Value):
        yield _not_a_value("x / y", out, xt / yt)
        return
    if out._backward is None and len(out.local) != len(out.inputs):
        yield holds(
            "x / y has a backward step",
            False,
            "set out._backward to a closure that adds into a.grad and b.grad",
        )
        return
    out.backward()
    (xt / yt).backward()
    yield close("x / y", out.data, (xt / yt).detach(), rtol=1e-12)
    yield close("∂(x/y)/∂x, ∂(x/y)/∂y", _f64(x.grad, y.grad), _f64(xt.grad, yt.grad))
    (x, y), (xt, yt) = _leaves(1.5, -0.8)
    answer(x, closure_mul(x, y)).backward()  # x is used twice
    (xt / (xt * yt)).backward()
    yield close(
        "x / (x·y), x used twice: ∂/∂x, ∂/∂y",
        _f64(x.grad, y.grad),
        _f64(xt.grad, yt.grad),
        atol=1e-12,
    )
    # x·(x/y): the product's closure adds into x.grad before the quotient's runs, so
    # a quotient that assigns (=) instead of adding (+=) overwrites that share.
    (x, y), (xt, yt) = _leaves(1.5, -0.8)
    closure_mul(x, answer(x, y)).backward()
    (xt * (xt / yt)).backward()
    both = close(
        "x·(x/y), x used twice: ∂/∂x, ∂/∂y", _f64(x.grad, y.grad),
        _f64(xt.grad, yt.grad), atol=1e-12,
    )  # fmt: skip
    if not both.ok:
        both = both._replace(why=both.why + " (does your closure add, +=, or assign?)")
    yield both


@exercise("ex-autograd-from-scratch-linear-vjp")
def linear_vjp(answer):
    """answer(W, x, v) -> (∂L/∂W, ∂L/∂x) for y = W x, given v = ∂L/∂y."""
    gen = torch.Generator().manual_seed(5)
    w = torch.randn(3, 4, generator=gen, dtype=F64)
    x = torch.randn(4, generator=gen, dtype=F64)
    v = torch.randn(3, generator=gen, dtype=F64)
    _, vjp = torch.func.vjp(lambda w_, x_: w_ @ x_, w, x)
    want_w, want_x = vjp(v)
    got = answer(w.clone(), x.clone(), v.clone())
    if got is None or got is Ellipsis:
        yield close("∂L/∂W", got, want_w)
        return
    yield close("∂L/∂W, shape of W", got[0], want_w)
    yield close("∂L/∂x, shape of x", got[1], want_x)
