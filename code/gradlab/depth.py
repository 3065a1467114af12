"""Deep networks seen from inside: per-layer signals and gradients, and normalisation.

`deep_mlp` builds Linear → activation layers of one width, initialised one of three
ways (`INITS`). `record` runs one batch forward and backward with hooks on every
activation module and keeps what each layer passed on (its activations) and what came
back to it (the loss's gradient with respect to those activations). `fit` trains with
mini-batch SGD and records the update-to-weight ratio of every layer at every step.

Batch normalisation is written out, forward and backward (`BatchNormFunction`, a
``torch.autograd.Function``), with the running statistics that evaluation uses
(`BatchNorm`); `layer_norm` normalises each example over its own features instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from gradlab import _checks

#: The activations by name, and the ways of drawing the starting weights:
#: PyTorch's default, a too-large N(0, 1), and N(0, gain²/fan_in) with the
#: activation's gain (``nn.init.calculate_gain``).
ACTIVATIONS = {"tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "relu": nn.ReLU}
INITS = ("default", "large", "fan-in")
#: The standard deviation of the "large" draw.
LARGE_STD = 1.0
#: A tanh unit is saturated where |tanh| > SATURATED (its slope 1 − tanh² < 0.06); a
#: sigmoid unit where |2σ − 1| > SATURATED (the same for σ(z) = (1 + tanh(z/2)) / 2).
SATURATED = 0.97
#: Normalisation layers `deep_mlp` can put after each hidden Linear layer.
NORMS = {"batch": nn.BatchNorm1d, "layer": nn.LayerNorm}


def initialize_(model: nn.Module, init: str, activation: str) -> nn.Module:
    """Draw every ``nn.Linear`` of ``model`` afresh by ``init`` (one of `INITS`);
    the draws come from torch's global generator. Biases start at 0 except with
    "default" (PyTorch's U[−1/√fan_in, 1/√fan_in] for weights and biases)."""
    _checks.one_of(init, "init", INITS)
    gain = nn.init.calculate_gain(_checks.one_of(activation, "activation", ACTIVATIONS))
    for layer in model.modules():
        if not isinstance(layer, nn.Linear):
            continue
        if init == "default":
            layer.reset_parameters()
            continue
        std = LARGE_STD if init == "large" else gain / math.sqrt(layer.in_features)
        nn.init.normal_(layer.weight, std=std)
        nn.init.zeros_(layer.bias)
    return model


def deep_mlp(
    depth: int,
    width: int,
    activation: str = "tanh",
    init: str = "default",
    *,
    seed: int,
    n_in: int = 64,
    n_out: int = 10,
    norm: str | None = None,
) -> nn.Sequential:
    """``depth`` hidden layers of ``width`` units, each Linear → [norm] → activation,
    then a Linear layer to ``n_out`` scores; weights drawn by `initialize_` from
    ``seed``. ``norm`` is None, "batch" or "layer" (`NORMS`)."""
    _checks.whole_number(depth, "depth", minimum=1)
    _checks.whole_number(width, "width", minimum=1)
    kind = ACTIVATIONS[_checks.one_of(activation, "activation", ACTIVATIONS)]
    if norm is not None:
        _checks.one_of(norm, "norm", NORMS)
    layers: list[nn.Module] = []
    for i in range(depth):
        layers.append(nn.Linear(n_in if i == 0 else width, width))
        if norm is not None:
            layers.append(NORMS[norm](width))
        layers.append(kind())
    layers.append(nn.Linear(width, n_out))
    with torch.random.fork_rng():
        torch.manual_seed(_checks.seed(seed))
        return initialize_(nn.Sequential(*layers), init, activation)


@dataclass(frozen=True)
class Record:
    """One batch through a network: per hidden layer, its ``activations`` (N, width)
    and the loss's ``gradients`` with respect to them (N, width), first layer first;
    ``loss`` the batch's mean loss."""

    activations: list[Tensor]
    gradients: list[Tensor]
    loss: float


def record(model: nn.Sequential, x: Tensor, y: Tensor) -> Record:
    """Run ``x`` (N, d) forward and the cross-entropy with labels ``y`` (N,) backward
    once, recording every activation module's output (a forward hook) and the
    gradient that reaches it (a full backward hook: ``grad_output``). The hooks are
    removed afterwards; the parameters' ``.grad`` are left as that backward made them.
    """
    outputs, grads, handles = [], [], []
    for module in model:
        if isinstance(module, tuple(ACTIVATIONS.values())):
            handles.append(
                module.register_forward_hook(lambda m, i, out: outputs.append(out))
            )
            handles.append(
                module.register_full_backward_hook(
                    lambda m, gin, gout: grads.append(gout[0])
                )
            )
    try:
        model.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
    finally:
        for handle in handles:
            handle.remove()
    grads.reverse()  # backward visits the last layer first
    return Record([o.detach() for o in outputs], grads, loss.item())


def nudged_loss(
    model: nn.Sequential, x: Tensor, y: Tensor, layer: int, unit: tuple, eps: float
) -> float:
    """The cross-entropy with ``eps`` added to one activation, ``unit`` = (example,
    unit) of hidden layer ``layer`` (0 = first), by a forward hook that returns the
    changed output: (nudged(ε) − nudged(−ε)) / 2ε is a central difference of the
    gradient `record` reports there."""
    acts = [m for m in model if isinstance(m, tuple(ACTIVATIONS.values()))]

    def nudge(module, inputs, out):
        out = out.clone()
        out[unit] += eps
        return out

    handle = acts[layer].register_forward_hook(nudge)
    try:
        with torch.no_grad():
            return F.cross_entropy(model(x), y).item()
    finally:
        handle.remove()


def saturated_fraction(a: Tensor, activation: str) -> float:
    """The fraction of the values ``a`` of a tanh or sigmoid layer that sit on a flat
    end of the curve (`SATURATED`); 0 for ReLU, which has no flat end above zero."""
    _checks.one_of(activation, "activation", ACTIVATIONS)
    if activation == "relu":
        return 0.0
    centred = a if activation == "tanh" else 2 * a - 1
    return float((centred.abs() > SATURATED).double().mean())


def dead_fraction(a: Tensor) -> float:
    """The fraction of ReLU units of a layer, activations ``a`` (N, width), that
    are 0 on every example of the batch: no gradient reaches their weights through
    any of them."""
    return float((a == 0).all(0).double().mean())


def rms(t: Tensor) -> float:
    """The root mean square of a tensor's entries: its typical size."""
    return float(t.double().pow(2).mean().sqrt())


def linear_layers(model: nn.Module) -> list[nn.Linear]:
    """The ``nn.Linear`` layers of ``model``, first to last."""
    return [m for m in model.modules() if isinstance(m, nn.Linear)]


def update_ratios(before: list[Tensor], model: nn.Module) -> Tensor:
    """‖W_after − W_before‖ / ‖W_before‖ for every Linear layer's weight matrix,
    with ``before`` the weights (`linear_layers` order) before the step: (layers,)."""
    after = [m.weight.detach() for m in linear_layers(model)]
    return torch.tensor(
        [float((a - b).norm() / b.norm()) for a, b in zip(after, before, strict=True)]
    )


@dataclass(frozen=True)
class Fit:
    """A training run: ``ratios`` (steps, layers) the update-to-weight ratio of every
    Linear layer at every step; ``val_accuracy`` (epochs + 1,) before training and
    after every epoch."""

    ratios: Tensor
    val_accuracy: Tensor


def accuracy(model: nn.Module, x: Tensor, y: Tensor) -> float:
    """The fraction of ``x`` (N, d) whose highest score is the label ``y`` (N,),
    in evaluation mode and without a graph."""
    model.eval()
    with torch.no_grad():
        return float((model(x).argmax(1) == y).double().mean())


def shuffled_batches(n: int, batch_size: int, *, generator: torch.Generator):
    """The indices 0 … n − 1 in a fresh random order, in batches of ``batch_size``
    (the last one smaller when it does not divide n): one epoch's batches, as a
    ``DataLoader`` with ``shuffle=True`` deals them, without its per-example cost."""
    return torch.randperm(n, generator=generator).split(batch_size)


def fit(
    model: nn.Module,
    train,
    val,
    *,
    lr: float,
    epochs: int,
    batch_size: int,
    seed: int,
    ratios: bool = True,
) -> Fit:
    """Mini-batch SGD with learning rate ``lr`` on ``train`` (a `gradlab.digits.Split`
    or anything with ``x`` and ``y``), batches shuffled by ``seed``; the model is
    trained in place. Records what `Fit` holds (``ratios`` False: an empty
    ``Fit.ratios``, and a faster loop)."""
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(_checks.seed(seed))
    found, acc = [], [accuracy(model, val.x, val.y)]
    for _ in range(_checks.whole_number(epochs, "epochs", minimum=1)):
        model.train()
        for index in shuffled_batches(len(train.y), batch_size, generator=generator):
            before = [m.weight.detach().clone() for m in linear_layers(model)]
            optimizer.zero_grad()
            F.cross_entropy(model(train.x[index]), train.y[index]).backward()
            optimizer.step()
            if ratios:
                found.append(update_ratios(before, model))
        acc.append(accuracy(model, val.x, val.y))
    steps = torch.stack(found) if found else torch.empty(0, len(linear_layers(model)))
    return Fit(steps, torch.tensor(acc))


class BatchNormFunction(torch.autograd.Function):
    """Batch normalisation of ``x`` (N, C) over the batch, forward and backward by
    hand: y = γ x̂ + β with x̂ = (x − μ) / √(σ² + ε), μ and σ² the batch's mean and
    (biased) variance of each column.

    Backward, with g = ∂L/∂y and ĝ = γ g (the gradient reaching x̂):
    ∂L/∂γ = Σₙ g x̂, ∂L/∂β = Σₙ g, and
    ∂L/∂x = (ĝ − mean(ĝ) − x̂ · mean(ĝ x̂)) / √(σ² + ε), means over the batch.
    """

    @staticmethod
    def forward(ctx, x: Tensor, gamma: Tensor, beta: Tensor, eps: float) -> Tensor:
        mean = x.mean(0)
        var = x.var(0, unbiased=False)
        inv_std = (var + eps).rsqrt()
        x_hat = (x - mean) * inv_std
        ctx.save_for_backward(x_hat, gamma, inv_std)
        return gamma * x_hat + beta

    @staticmethod
    def backward(ctx, g: Tensor):
        x_hat, gamma, inv_std = ctx.saved_tensors
        g_hat = g * gamma
        dx = (g_hat - g_hat.mean(0) - x_hat * (g_hat * x_hat).mean(0)) * inv_std
        return dx, (g * x_hat).sum(0), g.sum(0), None


def batch_norm_train(x: Tensor, gamma: Tensor, beta: Tensor, eps: float = 1e-5):
    """`BatchNormFunction` applied: x (N, C), γ and β (C,); differentiable in all
    three through the hand-written backward."""
    if x.ndim != 2:
        raise ValueError(f"batch norm takes a batch (N, C), got {tuple(x.shape)}")
    return BatchNormFunction.apply(x, gamma, beta, eps)


class BatchNorm(nn.Module):
    """Batch normalisation over (N, C) inputs, as ``nn.BatchNorm1d`` does it: in
    training mode with the batch's statistics (`BatchNormFunction`), updating the
    running mean and variance (unbiased) by ``momentum``; in evaluation mode with
    the running statistics, so that an example's output depends on it alone."""

    def __init__(self, channels: int, eps: float = 1e-5, momentum: float = 0.1):
        super().__init__()
        self.eps, self.momentum = eps, momentum
        self.gamma = nn.Parameter(torch.ones(channels))
        self.beta = nn.Parameter(torch.zeros(channels))
        self.register_buffer("running_mean", torch.zeros(channels))
        self.register_buffer("running_var", torch.ones(channels))

    def forward(self, x: Tensor) -> Tensor:
        if not self.training:
            x_hat = (x - self.running_mean) / (self.running_var + self.eps).sqrt()
            return self.gamma * x_hat + self.beta
        if len(x) > 1:  # one example has no variance: nn.BatchNorm1d raises there
            self._update_running(x.detach())
        return batch_norm_train(x, self.gamma, self.beta, self.eps)

    def _update_running(self, x: Tensor) -> None:
        with torch.no_grad():
            m = self.momentum
            self.running_mean.mul_(1 - m).add_(m * x.mean(0))
            self.running_var.mul_(1 - m).add_(m * x.var(0, unbiased=True))


def train_mode_scores(model: nn.Sequential, x: Tensor, batch_size: int) -> Tensor:
    """The scores (N, classes) a model with ``nn.BatchNorm1d`` layers gives ``x``
    (N, d) when it is (wrongly) left in training mode and ``x`` is fed in batches of
    ``batch_size``: each batch normalised with its own statistics, so an example's
    scores depend on its batch-mates. All batches at once, nothing updated (the
    running statistics are not touched); a last, smaller batch on its own."""
    n = len(x) - len(x) % batch_size
    parts = [x[:n].reshape(-1, batch_size, x.shape[-1])] if n else []
    if n < len(x):
        parts.append(x[None, n:])
    with torch.no_grad():
        return torch.cat([_grouped(model, p).flatten(0, 1) for p in parts])


def _grouped(model: nn.Sequential, h: Tensor) -> Tensor:
    """``model`` on batches ``h`` (B, n, d), each batch normalised on its own."""
    for module in model:
        if isinstance(module, nn.BatchNorm1d):
            mean = h.mean(1, keepdim=True)
            var = h.var(1, unbiased=False, keepdim=True)
            h = (h - mean) / (var + module.eps).sqrt() * module.weight + module.bias
        else:
            h = module(h)
    return h


def layer_norm(x: Tensor, gamma: Tensor, beta: Tensor, eps: float = 1e-5) -> Tensor:
    """Layer normalisation: each row of ``x`` (N, C) normalised over its own C
    features, then scaled by γ and shifted by β (C,). Nothing depends on the other
    examples of the batch, so training and evaluation compute the same."""
    mean = x.mean(-1, keepdim=True)
    var = x.var(-1, unbiased=False, keepdim=True)
    return gamma * (x - mean) / (var + eps).sqrt() + beta
