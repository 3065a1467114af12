"""MLPs two ways: from raw tensors (a classifier) and from ``torch.nn`` (regressors).

The raw-tensor classifier is p(y=1|x) = S(W₂ max(W₁x + b₁, 0) + b₂) with S the
logistic sigmoid. Its parameters are plain tensors in an `MLPParams`; its loss is the
negative log-likelihood computed stably through softplus. `mlp_backward` is the same
gradient written out by hand, to check autograd against.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, fields

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from gradlab import _checks
from gradlab.gradcheck import (
    DirectionalCheck,
    directional_check,
    numerical_gradient,
    random_direction,
    relative_error,
)

PARAM_NAMES = ("w1", "b1", "w2", "b2")


@dataclass(frozen=True)
class MLPParams:
    """Parameters of the one-hidden-layer classifier with H hidden units, d inputs.

    ``w1`` (H, d), ``b1`` (H,), ``w2`` (H,), ``b2`` () (a scalar tensor).
    """

    w1: Tensor
    b1: Tensor
    w2: Tensor
    b2: Tensor

    def tensors(self) -> tuple[Tensor, ...]:
        """(w1, b1, w2, b2), in that order."""
        return tuple(getattr(self, f.name) for f in fields(self))

    def replace(self, name: str, value: Tensor) -> MLPParams:
        """A copy with the tensor called ``name`` swapped for ``value``."""
        kept = {f.name: getattr(self, f.name) for f in fields(self)}
        kept[name] = value
        return MLPParams(**kept)

    def to(self, dtype: torch.dtype) -> MLPParams:
        """Detached copies in ``dtype`` (e.g. float64 for gradient checks)."""
        return MLPParams(*(t.detach().to(dtype) for t in self.tensors()))

    def requires_grad_(self) -> MLPParams:
        """Switch on gradient tracking for every tensor; returns self."""
        for t in self.tensors():
            t.requires_grad_()
        return self

    @property
    def hidden(self) -> int:
        """Number of hidden units H."""
        return len(self.b1)

    def flat(self) -> Tensor:
        """Every parameter in one vector θ of shape (H·d + 2H + 1,), w1 first."""
        return torch.cat([t.reshape(-1) for t in self.tensors()])

    def unflatten(self, theta: Tensor) -> MLPParams:
        """Parameters shaped like these, read from ``theta`` (as `flat` lays them out).

        The tensors are views of ``theta``, so gradients reach ``theta``.
        """
        like = self.tensors()
        parts = torch.split(theta, [t.numel() for t in like])
        return MLPParams(*(p.view(t.shape) for p, t in zip(parts, like, strict=True)))


#: Starting scales `init_mlp` knows: every tensor from U[−1, 1], or each layer's from
#: U[−1/√fan-in, 1/√fan-in] (fan-in: the inputs of one unit of that layer), as
#: ``nn.Linear`` draws them.
INIT_SCALES = ("uniform", "fan-in")


def init_mlp(
    hidden: int,
    *,
    seed: int,
    inputs: int = 2,
    dtype: torch.dtype = torch.float32,
    scale: str = "uniform",
) -> MLPParams:
    """Parameters drawn uniformly from [−1, 1] with a generator seeded by ``seed``.

    With ``scale="fan-in"`` the same draws are divided by √fan-in layer by layer
    (W₁, b₁ by √inputs; W₂, b₂ by √hidden), so that the score's size at the start
    no longer grows with the width.

    >>> p = init_mlp(5, seed=0)
    >>> p.w1.shape, p.b1.shape, p.w2.shape, p.b2.shape
    (torch.Size([5, 2]), torch.Size([5]), torch.Size([5]), torch.Size([]))
    >>> q = init_mlp(5, seed=0, scale="fan-in")
    >>> torch.allclose(q.w2 * 5**0.5, p.w2)
    True
    """
    _checks.whole_number(hidden, "hidden units", minimum=1)
    if scale not in INIT_SCALES:
        raise ValueError(f"scale must be one of {INIT_SCALES}, got {scale!r}")
    g = torch.Generator().manual_seed(_checks.seed(seed))
    shapes = ((hidden, inputs), (hidden,), (hidden,), ())
    drawn = [2 * torch.rand(s, generator=g, dtype=dtype) - 1 for s in shapes]
    if scale == "fan-in":
        fan_in = (inputs, inputs, hidden, hidden)
        drawn = [t / math.sqrt(f) for t, f in zip(drawn, fan_in, strict=True)]
    return MLPParams(*drawn)


def mlp_scores(params: MLPParams, x: Tensor) -> Tensor:
    """Scores s = W₂ max(W₁x + b₁, 0) + b₂ for inputs ``x`` (N, d); returns (N,)."""
    hidden = torch.relu(x @ params.w1.T + params.b1)
    return hidden @ params.w2 + params.b2


def mlp_probability(params: MLPParams, x: Tensor) -> Tensor:
    """p(y = 1 | x) = S(score) for inputs ``x`` (N, d); returns (N,)."""
    return torch.sigmoid(mlp_scores(params, x))


def mlp_predict(params: MLPParams, x: Tensor) -> Tensor:
    """Class labels 1. where the score is positive (p > 1/2), else 0.; shape (N,)."""
    return (mlp_scores(params, x) > 0).to(x.dtype)


def nll_loss(scores: Tensor, y: Tensor) -> Tensor:
    """Mean negative log-likelihood of labels ``y`` (N,) in {0, 1} given scores (N,).

    −log S(s) = softplus(−s) and −log(1 − S(s)) = softplus(s), so the loss per point
    is softplus(s) − y·s: no exponential overflows and no log of 0.

    >>> nll_loss(torch.tensor([800.0]), torch.tensor([0.0]))
    tensor(800.)
    """
    return (F.softplus(scores) - y * scores).mean()


def naive_nll_loss(scores: Tensor, y: Tensor) -> Tensor:
    """The same loss as `nll_loss`, written as −log S(s) naively: breaks for large |s|.

    >>> naive_nll_loss(torch.tensor([800.0]), torch.tensor([0.0]))
    tensor(inf)
    """
    p = torch.sigmoid(scores)
    return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()


def mlp_loss(params: MLPParams, x: Tensor, y: Tensor) -> Tensor:
    """The training loss: `nll_loss` of the classifier's scores on (x, y)."""
    return nll_loss(mlp_scores(params, x), y)


def mlp_backward(params: MLPParams, x: Tensor, y: Tensor) -> MLPParams:
    """∇ of `mlp_loss` with respect to (w1, b1, w2, b2), by the chain rule by hand.

    With z = W₁x + b₁, h = max(z, 0), s = W₂h + b₂: ∂L/∂s = (S(s) − y)/N, then
    ∂L/∂W₂ = Σ ∂L/∂s · h, ∂L/∂h = ∂L/∂s · W₂, ∂L/∂z = ∂L/∂h · [z > 0],
    ∂L/∂W₁ = (∂L/∂z)ᵀ x. Returns the gradients in an `MLPParams` of the same shapes.
    """
    with torch.no_grad():
        z = x @ params.w1.T + params.b1  # (N, H)
        h = torch.relu(z)
        s = h @ params.w2 + params.b2  # (N,)
        ds = (torch.sigmoid(s) - y) / len(y)  # (N,)
        dz = ds[:, None] * params.w2[None, :] * (z > 0)  # (N, H)
        return MLPParams(dz.T @ x, dz.sum(0), ds @ h, ds.sum())


def autograd_gradients(params: MLPParams, x: Tensor, y: Tensor) -> MLPParams:
    """∇ of `mlp_loss` by autograd, on detached copies (``params`` are untouched)."""
    leaves = MLPParams(*(t.detach().clone() for t in params.tensors())).requires_grad_()
    grads = torch.autograd.grad(mlp_loss(leaves, x, y), leaves.tensors())
    return MLPParams(*grads)


def gradient_check(
    params: MLPParams,
    x: Tensor,
    y: Tensor,
    grads: MLPParams,
    *,
    eps: tuple[float, ...],
    seed: int,
) -> dict[str, list[DirectionalCheck]]:
    """`directional_check` of each parameter tensor in turn, others held fixed.

    Everything is cast to float64. Each tensor gets one random unit direction (from
    ``seed``), used for every step length in ``eps``; returns, per name in
    `PARAM_NAMES`, one check per ε.
    """
    params, grads = params.to(torch.float64), grads.to(torch.float64)
    x, y = x.double(), y.double()
    g = torch.Generator().manual_seed(seed)
    checks: dict[str, list[DirectionalCheck]] = {}
    for name in PARAM_NAMES:
        w = getattr(params, name)
        direction = random_direction(w, generator=g)
        loss_of = _loss_of_one(params, name, x, y)
        checks[name] = [
            directional_check(
                loss_of, w, getattr(grads, name), eps=e, direction=direction
            )
            for e in eps
        ]
    return checks


def relative_check(
    params: MLPParams, x: Tensor, y: Tensor, grads: MLPParams, *, eps: float = 1e-6
) -> dict[str, float]:
    """Per tensor, `relative_error` of ``grads`` against the central-difference
    gradient of the loss (float64, one coordinate at a time, step ``eps``)."""
    params, x, y = params.to(torch.float64), x.double(), y.double()
    return {
        name: relative_error(
            getattr(grads, name),
            numerical_gradient(
                _loss_of_one(params, name, x, y), getattr(params, name), eps=eps
            ),
        )
        for name in PARAM_NAMES
    }


def _loss_of_one(
    params: MLPParams, name: str, x: Tensor, y: Tensor
) -> Callable[[Tensor], Tensor]:
    """The loss as a function of the tensor ``name`` alone, the others held fixed."""
    return lambda value: mlp_loss(params.replace(name, value), x, y)


class WideNet(nn.Module):
    """One hidden layer of ``hidden`` tanh units, 1 input, 1 output: (N, 1) → (N, 1)."""

    def __init__(self, hidden: int = 512) -> None:
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(1, hidden), nn.Tanh(), nn.Linear(hidden, 1)
        )

    def forward(self, x: Tensor) -> Tensor:
        return self.layers(x)


def tanh_mlp(widths: tuple[int, ...], *, seed: int) -> nn.Sequential:
    """Linear–tanh layers of the given hidden ``widths``, 1 input and 1 output.

    PyTorch's default initialisation, drawn after seeding a local generator state.

    >>> tanh_mlp((32, 32), seed=0)(torch.zeros(4, 1)).shape
    torch.Size([4, 1])
    """
    sizes = (1, *widths)
    with torch.random.fork_rng(devices=[]):  # CPU only: no CUDA probe
        torch.manual_seed(seed)
        layers: list[nn.Module] = []
        for a, b in itertools.pairwise(sizes):
            layers += [nn.Linear(a, b), nn.Tanh()]
        return nn.Sequential(*layers, nn.Linear(sizes[-1], 1))


def stacked_tanh(models: list[nn.Sequential]) -> tuple[list[Tensor], list[Tensor]]:
    """The parameters of S `tanh_mlp` networks of one shape, stacked per layer as new
    leaf tensors: weights (S, out, in) and biases (S, out), layer by layer."""
    params, _ = torch.func.stack_module_state(models)
    weights = [t for name, t in params.items() if name.endswith("weight")]
    biases = [t for name, t in params.items() if name.endswith("bias")]
    return weights, biases


def stacked_tanh_forward(
    weights: list[Tensor], biases: list[Tensor], x: Tensor
) -> Tensor:
    """The outputs of every stacked `tanh_mlp` at inputs ``x`` (N, 1): shape (S, N).
    Tanh between the layers, none after the last (as `tanh_mlp`)."""
    h = x.expand(weights[0].shape[0], *x.shape)
    for i, (w, b) in enumerate(zip(weights, biases, strict=True)):
        h = torch.baddbmm(b[:, None, :], h, w.transpose(1, 2))
        if i < len(weights) - 1:
            h = torch.tanh(h)
    return h.squeeze(-1)


def relu_mlp(
    widths: tuple[int, ...], *, seed: int, init: str = "default", inputs: int = 2
) -> nn.Sequential:
    """A classifier of Linear–ReLU layers of the given hidden ``widths``: (N, inputs)
    → one score per point, (N,) (a final ``nn.Flatten(0)`` drops the last axis).

    The weights are drawn by `gradlab.initialization.initialize_` (``init`` names
    the scheme) from a local copy of the CPU generator seeded with ``seed``.

    >>> relu_mlp((100,), seed=0)(torch.zeros(4, 2)).shape
    torch.Size([4])
    """
    from gradlab.initialization import initialize_

    sizes = (inputs, *widths)
    with torch.random.fork_rng(devices=[]):  # CPU only: no CUDA probe
        torch.default_generator.manual_seed(_checks.seed(seed))  # CPU's alone
        layers: list[nn.Module] = []
        for a, b in itertools.pairwise(sizes):
            layers += [nn.Linear(a, b), nn.ReLU()]
        model = nn.Sequential(*layers, nn.Linear(sizes[-1], 1), nn.Flatten(0))
        return initialize_(model, init)


def wide_net(hidden: int = 512, *, seed: int) -> WideNet:
    """A seeded `WideNet` (PyTorch's default initialisation)."""
    with torch.random.fork_rng(devices=[]):  # CPU only: no CUDA probe
        torch.manual_seed(seed)
        return WideNet(hidden)


def cross_entropy_by_hand(logits: Tensor, targets: Tensor) -> Tensor:
    """Mean of −log softmax(logits)[target] for logits (N, C) and int targets (N,).

    Equals ``nn.CrossEntropyLoss()(logits, targets)``.

    >>> l = torch.tensor([[-1.0, 1.0], [-1.0, 1.0], [1.0, -1.0]])
    >>> round(float(cross_entropy_by_hand(l, torch.tensor([1, 1, 0]))), 4)
    0.1269
    """
    log_p = torch.log_softmax(logits, dim=1)
    return -log_p.gather(1, targets[:, None]).mean()
