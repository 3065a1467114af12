"""Checked exercises of "Deep networks: signals, gradients and normalisation"."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from gradlab import depth
from gradlab.exercises import close, exercise


def _generator(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


@exercise("ex-deep-networks-sgd-ratio")
def sgd_ratio(answer):
    """answer(model, lr) -> the update-to-weight ratio lr·‖∇W‖/‖W‖ of every Linear
    layer's weight, (layers,), that plain SGD's next step will have."""
    model = depth.deep_mlp(3, 16, "tanh", "fan-in", seed=1)
    g = _generator(2)
    x, y = torch.randn(32, 64, generator=g), torch.randint(10, (32,), generator=g)
    F.cross_entropy(model(x), y).backward()
    layers = depth.linear_layers(model)
    for lr in (0.1, 0.01):
        want = torch.stack(
            [lr * m.weight.grad.norm() / m.weight.norm() for m in layers]
        )
        yield close(f"ratios at learning rate {lr:g}", answer(model, lr), want, 1e-5)


@exercise("ex-deep-networks-bn-backward")
def bn_backward(answer):
    """answer(g, x_hat, gamma, inv_std) -> ∂L/∂x of batch normalisation, (N, C)."""
    g = _generator(3)
    for n, c in ((8, 3), (2, 5)):
        x = torch.randn(n, c, generator=g, dtype=torch.float64) * 3 + 1
        gamma = torch.randn(c, generator=g, dtype=torch.float64)
        upstream = torch.randn(n, c, generator=g, dtype=torch.float64)
        x.requires_grad_()
        out = depth.batch_norm_train(x, gamma, torch.zeros(c, dtype=torch.float64))
        (want,) = torch.autograd.grad(out, x, upstream)
        inv_std = (x.detach().var(0, unbiased=False) + 1e-5).rsqrt()
        x_hat = (x.detach() - x.detach().mean(0)) * inv_std
        got = answer(upstream, x_hat, gamma, inv_std)
        yield close(f"∂L/∂x for a batch of {n} with {c} features", got, want)


@exercise("ex-deep-networks-layer-norm")
def layer_norm(answer):
    """answer(x, gamma, beta, eps) -> layer normalisation of x (N, C)."""
    g = _generator(4)
    x = torch.randn(6, 5, generator=g, dtype=torch.float64) * 4 - 2
    gamma = torch.randn(5, generator=g, dtype=torch.float64)
    beta = torch.randn(5, generator=g, dtype=torch.float64)
    want = F.layer_norm(x, (5,), gamma, beta, 1e-5)
    yield close("six rows of five features", answer(x, gamma, beta, 1e-5), want)
    one = x[:1]
    yield close("a batch of one row", answer(one, gamma, beta, 1e-5), want[:1])
