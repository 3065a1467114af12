"""Initialisation: how the starting weights are drawn, and the checks that tell a
good start from a bad one.

A network that knows nothing should say so: before training, its predicted
probabilities should sit near the class frequencies, and its loss near the loss of
that guess (ln 2 for two balanced classes, `chance_loss`). Weights drawn too large
make it confidently wrong from the first step; in a deep network, the wrong scale
also makes the activations grow or shrink layer after layer (`activation_spread`),
and with them the gradient that reaches the first layer (`first_layer_gradients`).
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from gradlab import _checks

#: The schemes `initialize_` knows, by name.
SCHEMES = ("uniform", "default", "kaiming", "xavier")


def initialize_(model: nn.Module, scheme: str) -> nn.Module:
    """Draw every ``nn.Linear`` of ``model`` afresh by ``scheme``; returns ``model``.

    - "uniform": every weight and bias from U[−1, 1], as `gradlab.mlp.init_mlp` does;
    - "default": PyTorch's own (``reset_parameters``): weights and biases from
      U[−1/√fan_in, 1/√fan_in];
    - "kaiming": weights from N(0, 2/fan_in) (He et al., for ReLU), biases 0;
    - "xavier": weights from U[−a, a] with a = √(6/(fan_in + fan_out)) (Glorot and
      Bengio), biases 0.

    The draws come from torch's global generator: seed it (or fork it) first.
    """
    _checks.one_of(scheme, "scheme", SCHEMES)
    for layer in model.modules():
        if not isinstance(layer, nn.Linear):
            continue
        if scheme == "default":
            layer.reset_parameters()
        elif scheme == "uniform":
            nn.init.uniform_(layer.weight, -1.0, 1.0)
            nn.init.uniform_(layer.bias, -1.0, 1.0)
        else:
            if scheme == "kaiming":
                nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
            else:
                nn.init.xavier_uniform_(layer.weight)
            nn.init.zeros_(layer.bias)
    return model


def chance_loss(y: Tensor) -> float:
    """The cross-entropy of the best guess that ignores the input: predicting the
    label frequency q of the labels ``y`` (N,) in {0, 1} everywhere costs
    −q ln q − (1 − q) ln(1 − q) per point, ln 2 when the classes are balanced.

    >>> round(chance_loss(torch.tensor([0.0, 1.0])), 4) == round(math.log(2), 4)
    True
    """
    q = float(y.double().mean())
    return -sum(p * math.log(p) for p in (q, 1 - q) if p > 0)


def activation_spread(activations: list[Tensor]) -> Tensor:
    """How much each hidden layer's activations vary with the input, (L,), from the
    list `gradlab.stacked.Stack.activations` returns (the scores left out).

    For every copy and unit, the standard deviation of the unit's activation across
    the points (S, N, U) -> (S, U); then the mean over copies and units. Measured
    within each unit, an offset that is the same for every point (a random bias)
    counts as nothing: only what carries the input counts as signal.
    """
    return torch.stack([a.detach().std(1).mean() for a in activations[:-1]])


def first_layer_gradients(stack, x: Tensor, y: Tensor) -> Tensor:
    """The size of each copy's gradient of its loss on (``x``, ``y``) with respect to
    its first layer's weights: one Euclidean norm per copy of the
    `gradlab.stacked.Stack` ``stack``, (S,). The copies share nothing, so the sum of
    their losses has each copy's own gradient."""
    from gradlab.stacked import copy_losses

    loss = copy_losses(stack.scores(x), y).sum()
    (grad,) = torch.autograd.grad(loss, stack.weights[0])
    return grad.flatten(1).norm(dim=1)
