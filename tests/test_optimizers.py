"""gradlab.optimizers: momentum as PyTorch defines it, and its effective step."""

import pytest
import torch
from gradlab.data import default_mixture
from gradlab.mlp import relu_mlp
from gradlab.optimizers import effective_lr, momentum_step
from torch import nn


def test_momentum_by_hand_is_torchs_sgd_with_momentum():
    data = default_mixture().sample(40, seed=0)
    ours, theirs = relu_mlp((5,), seed=1), relu_mlp((5,), seed=1)
    velocities = [None] * 4
    sgd = torch.optim.SGD(theirs.parameters(), lr=0.05, momentum=0.8)
    for step in range(6):
        x, y = data.x[6 * step : 6 * step + 6], data.y[6 * step : 6 * step + 6]
        for m in (ours, theirs):
            m.zero_grad()
            nn.BCEWithLogitsLoss()(m(x), y).backward()
        momentum_step(list(ours.parameters()), velocities, lr=0.05, momentum=0.8)
        sgd.step()
    for a, b in zip(ours.parameters(), theirs.parameters(), strict=True):
        torch.testing.assert_close(a.detach(), b.detach())


def test_a_constant_gradient_gets_the_effective_step():
    w = torch.zeros(1, requires_grad=True)
    velocities = [None]
    moves = []
    for _ in range(200):
        w.grad = torch.ones(1)
        before = float(w.detach())
        momentum_step([w], velocities, lr=0.01, momentum=0.9)
        moves.append(before - float(w.detach()))
    assert moves[0] == pytest.approx(0.01)
    assert moves[-1] == pytest.approx(effective_lr(0.01, 0.9), rel=1e-5)
    assert effective_lr(0.3, 0) == 0.3
    with pytest.raises(ValueError, match="momentum"):
        effective_lr(0.1, 1.0)
