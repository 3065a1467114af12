"""Backpropagation on a batch, in matrices: the linear layer's backward pass, a
two-layer network's gradients by hand, and the memory that autograd holds for the
backward pass (saved activations), with and without checkpointing.

A batch is a matrix with one example per row: X of shape (N, d_in), a layer
Y = X W + b with W of shape (d_in, d_out) and b of shape (d_out,).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor, nn
from torch.utils.checkpoint import checkpoint_sequential


def linear_backward(
    x: Tensor, w: Tensor, delta: Tensor
) -> tuple[Tensor, Tensor, Tensor]:
    """Gradients of a loss L through Y = X W + b, given δ = ∂L/∂Y of shape (N, d_out).

    Returns (∂L/∂X, ∂L/∂W, ∂L/∂b) = (δ Wᵀ, Xᵀ δ, δ summed over the batch): each has the
    shape of what it is the gradient of, which is enough to find the formula.

    >>> x, w = torch.ones(4, 3), torch.ones(3, 2)
    >>> [tuple(g.shape) for g in linear_backward(x, w, torch.ones(4, 2))]
    [(4, 3), (3, 2), (2,)]
    """
    return delta @ w.T, x.T @ delta, delta.sum(dim=0)


@dataclass(frozen=True)
class TwoLayer:
    """A two-layer network on a batch: H = σ(X W₁ + b₁), O = H W₂ + b₂, and its mean
    squared error against targets T, L = mean over all entries of (O − T)²."""

    w1: Tensor
    b1: Tensor
    w2: Tensor
    b2: Tensor

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """(H, O) for a batch X of shape (N, d_in)."""
        h = torch.sigmoid(x @ self.w1 + self.b1)
        return h, h @ self.w2 + self.b2

    def loss(self, x: Tensor, t: Tensor) -> Tensor:
        return ((self.forward(x)[1] - t) ** 2).mean()


def two_layer(d_in: int, hidden: int, d_out: int, *, seed: int) -> TwoLayer:
    """A `TwoLayer` with standard normal float64 parameters drawn from ``seed``."""
    gen = torch.Generator().manual_seed(seed)
    shapes = ((d_in, hidden), (hidden,), (hidden, d_out), (d_out,))
    return TwoLayer(
        *(torch.randn(s, generator=gen, dtype=torch.float64) for s in shapes)
    )


def two_layer_backprop(net: TwoLayer, x: Tensor, t: Tensor) -> dict[str, Tensor]:
    """∂L/∂(each parameter) of `TwoLayer.loss` for the whole batch, by hand."""
    h, o = net.forward(x)
    delta2 = 2 * (o - t) / o.numel()  # ∂L/∂O, shape (N, d_out)
    dh, dw2, db2 = linear_backward(h, net.w2, delta2)
    delta1 = dh * h * (1 - h)  # through σ, entry by entry: ∂L/∂(X W₁ + b₁)
    _, dw1, db1 = linear_backward(x, net.w1, delta1)
    return {"w1": dw1, "b1": db1, "w2": dw2, "b2": db2}


def tanh_stack(depth: int, width: int, *, seed: int) -> nn.Sequential:
    """``depth`` blocks of Linear(width, width) and Tanh, float32, drawn from
    ``seed``."""
    gen = torch.Generator().manual_seed(seed)
    layers: list[nn.Module] = []
    for _ in range(depth):
        linear = nn.Linear(width, width)
        with torch.no_grad():
            linear.weight.copy_(torch.randn(width, width, generator=gen) / width**0.5)
            linear.bias.zero_()
        layers += [linear, nn.Tanh()]
    return nn.Sequential(*layers)


def saved_activation_bytes(
    run: Callable[[], Tensor], parameters: list[Tensor] | tuple = ()
) -> int:
    """Bytes of the tensors autograd saves for the backward pass while ``run()``
    computes, each storage counted once, the ``parameters`` (held anyway) left out.

    Counted with `torch.autograd.graph.saved_tensors_hooks`, which sees every tensor
    an operation saves; the counts are the same on every machine.
    """
    held = {p.untyped_storage().data_ptr() for p in parameters}
    saved: dict[int, int] = {}

    def pack(t: Tensor) -> Tensor:
        storage = t.untyped_storage()
        if storage.data_ptr() not in held:
            saved[storage.data_ptr()] = storage.nbytes()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        run()
    return sum(saved.values())


def live_outputs(net: nn.Sequential, x: Tensor) -> int:
    """How many of the outputs of ``net``'s modules are still alive once the
    forward pass has returned (the final output included, which the caller holds)."""
    refs: list[weakref.ref] = []
    hooks = [
        m.register_forward_hook(lambda _m, _i, out: refs.append(weakref.ref(out)))
        for m in net
    ]
    try:
        out = net(x)
        alive = sum(r() is not None for r in refs)
    finally:
        for hook in hooks:
            hook.remove()
    del out
    return alive


def checkpointed(net: nn.Sequential, x: Tensor, segments: int) -> Tensor:
    """``net(x)`` with the activations inside all but the last of ``segments``
    pieces recomputed during the backward pass instead of saved
    (`torch.utils.checkpoint.checkpoint_sequential`)."""
    return checkpoint_sequential(net, segments, x, use_reentrant=False)


def forward_calls(net: nn.Sequential, run: Callable[[], object]) -> int:
    """How many times ``net``'s modules run their forward pass during ``run()``.

    Counted when a forward pass starts (a pre-hook): checkpointing's recomputation
    stops early by raising inside the last module it needs, after that module has
    computed its output but before a forward hook would see it.
    """
    calls = [0]

    def count(*_: object) -> None:
        calls[0] += 1

    hooks = [m.register_forward_pre_hook(count) for m in net]
    try:
        run()
    finally:
        for hook in hooks:
            hook.remove()
    return calls[0]
