"""Checks of the code exercises of book/computation-graphs.md."""

import torch

from gradlab.batched import two_layer
from gradlab.exercises import close, exercise, holds
from gradlab.functions import relu_graph

F64 = torch.float64


def _kinked(w):
    x, b, t = (torch.tensor(v, dtype=F64) for v in (2.0, 4.0, 3.0))
    return relu_graph(x, b, w, t).l.sum()


@exercise("ex-computation-graphs-one-sided")
def one_sided(answer):
    """answer(f, w) -> (left derivative, right derivative) of f at w."""
    cases = (
        ("the kinked loss at w = 0", _kinked, 0.0, (0.0, -36.0)),
        ("|w| at w = 0", lambda w: w.abs().sum(), 0.0, (-1.0, 1.0)),
        ("w² at w = 1 (no kink: both equal)", lambda w: (w**2).sum(), 1.0, (2.0, 2.0)),
    )
    for what, f, at, want in cases:
        got = answer(f, torch.tensor([at], dtype=F64))
        result = close(what, got, want, rtol=1e-4, atol=1e-4)
        swapped = close(what, got, want[::-1], rtol=1e-4, atol=1e-4)
        if not result.ok and swapped.ok:
            result = result._replace(why="left and right swapped")
        yield result


@exercise("ex-computation-graphs-batched-dw")
def batched_dw(answer):
    """answer(X, delta) -> dL/dW for a linear layer Y = X @ W."""
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(4, 3, generator=gen, dtype=F64)
    delta = torch.randn(4, 2, generator=gen, dtype=F64)
    yield close("dW for a batch of 4", answer(x, delta), x.T @ delta)
    yield close("dW for one example", answer(x[:1], delta[:1]), x[:1].T @ delta[:1])


@exercise("ex-computation-graphs-tanh-delta")
def tanh_delta(answer):
    """answer(X, T, w1, b1, w2, b2) -> (dw1, db1, dw2, db2) for the tanh network."""
    net = two_layer(3, 5, 2, seed=0)
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(6, 3, generator=gen, dtype=F64)
    t = torch.randn(6, 2, generator=gen, dtype=F64)
    params = [p.clone().requires_grad_() for p in (net.w1, net.b1, net.w2, net.b2)]
    w1, b1, w2, b2 = params
    loss = ((torch.tanh(x @ w1 + b1) @ w2 + b2 - t) ** 2).mean()
    want = torch.autograd.grad(loss, params)
    got = answer(x, t, net.w1, net.b1, net.w2, net.b2)
    if got is None or got is Ellipsis:
        yield close("dw1, db1, dw2, db2", got, want[0])
        return
    if not isinstance(got, (tuple, list)) or len(got) != 4:
        count = len(got) if isinstance(got, (tuple, list)) else "one"
        yield holds(
            "dw1, db1, dw2, db2",
            False,
            f"expected four gradients (dw1, db1, dw2, db2), got {count}",
        )
        return
    for name, g, w in zip(("dw1", "db1", "dw2", "db2"), got, want, strict=True):
        yield close(name, g, w)


@exercise("ex-computation-graphs-memory")
def memory(answer):
    """answer: bytes of activations saved for 16 tanh layers, width 64, batch 32,
    float64."""
    yield close("bytes saved", answer, (16 + 1) * 32 * 64 * 8)
