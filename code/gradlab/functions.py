"""The functions the book differentiates, each with its gradient worked out by hand.

The 2-D surfaces of "Gradients" (a radial sine, a bowl) and the small computations
of "Computation graphs" and "Autograd" (a square, a composite f(x, y), a tanh-log
function, a max/ReLU graph, a neuron, a sigmoid network, a loss with exp, a tanh
regression, a custom autograd Function with a wrong backward). Each gradient comes
as a closed form or as the chain rule done node by node, so that autograd, the hand
derivation and finite differences can be compared. All work in any floating dtype.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass
from typing import NamedTuple

import torch
from torch import Tensor, nn

from gradlab import _checks

#: Curvatures of the 2-D bowl along its two axes: its Hessian is diag(1, 10).
BOWL_CURVATURES = (1.0, 10.0)


def sin_radial(x: Tensor, y: Tensor) -> Tensor:
    """z = sin(x² + y²), elementwise.

    >>> float(sin_radial(torch.tensor(0.0), torch.tensor(0.0)))
    0.0
    """
    return torch.sin(x**2 + y**2)


def sin_radial_grad(x: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
    """Closed-form gradient of `sin_radial` by the chain rule.

    With u = x² + y²: ∂z/∂x = cos(u)·2x and ∂z/∂y = cos(u)·2y.

    >>> [float(g) for g in sin_radial_grad(torch.tensor(1.0), torch.tensor(0.0))]
    [1.0806046724319458, 0.0]
    """
    cos_u = torch.cos(x**2 + y**2)
    return 2 * x * cos_u, 2 * y * cos_u


def bowl(w: Tensor) -> Tensor:
    """The quadratic bowl f(w) = ½(w₁² + 10 w₂²) for w of shape (..., 2).

    Its minimum is 0 at the origin; its Hessian is diag(1, 10), so plain gradient
    descent on it is stable exactly when the learning rate is below 2/10.

    >>> float(bowl(torch.tensor([2.0, 1.0])))
    7.0
    """
    if w.shape[-1] != 2:
        raise ValueError(f"bowl expects points of shape (..., 2), got {tuple(w.shape)}")
    c1, c2 = BOWL_CURVATURES
    return 0.5 * (c1 * w[..., 0] ** 2 + c2 * w[..., 1] ** 2)


def bowl_grad(w: Tensor) -> Tensor:
    """Closed-form gradient of `bowl`: (w₁, 10 w₂), same shape as w."""
    return w * torch.tensor(BOWL_CURVATURES, dtype=w.dtype)


@dataclass(frozen=True)
class GradientField:
    """A function and its autograd gradient sampled on a square grid.

    ``x``, ``y``, ``z``, ``dz_dx`` and ``dz_dy`` all have shape (n, n), with
    ``x`` varying along columns and ``y`` along rows (``torch.meshgrid``, "xy").
    """

    x: Tensor
    y: Tensor
    z: Tensor
    dz_dx: Tensor
    dz_dy: Tensor


def gradient_field(
    f=sin_radial, *, limit: float = 2.5, n: int = 201, dtype=torch.float64
) -> GradientField:
    """Sample f(x, y) and its autograd gradient on an n × n grid over [-limit, limit]².

    One backward pass gives the whole field: the points do not interact, so the
    gradient of the sum of f over the grid holds ∂f/∂x and ∂f/∂y at every point.
    """
    _checks.whole_number(n, "n (grid points per axis)", minimum=2)
    _checks.positive_number(limit, "limit")
    axis = torch.linspace(-limit, limit, n, dtype=dtype)
    x, y = (
        t.clone().requires_grad_() for t in torch.meshgrid(axis, axis, indexing="xy")
    )
    z = f(x, y)
    z.sum().backward()
    return GradientField(x.detach(), y.detach(), z.detach(), x.grad, y.grad)


def square(x: Tensor) -> Tensor:
    """f(x) = x²."""
    return x**2


def square_grad(x: Tensor) -> Tensor:
    """f'(x) = 2x."""
    return 2 * x


# --- f(x, y) = 6 e^(−y) / (1 + x² + y²) + 2x³ ---


class CompositeParts(NamedTuple):
    """The named intermediates of `composite`: z₁ = e^(−y), z₂ = 1 + x² + y²,
    z₃ = x³ and the output z₄ = 6 z₁ / z₂ + 2 z₃."""

    z1: Tensor
    z2: Tensor
    z3: Tensor
    z4: Tensor


def composite(x: Tensor, y: Tensor) -> Tensor:
    """f(x, y) = 6 e^(−y) / (1 + x² + y²) + 2x³ in one expression."""
    return 6 * torch.exp(-y) / (1 + x**2 + y**2) + 2 * x**3


def composite_parts(x: Tensor, y: Tensor) -> CompositeParts:
    """`composite` built from named intermediates, returned (not kept in globals).

    >>> composite_parts(torch.tensor(0.0), torch.tensor(0.0)).z4
    tensor(6.)
    """
    z1 = torch.exp(-y)
    z2 = 1 + x**2 + y**2
    z3 = x**3
    z4 = 6 * z1 / z2 + 2 * z3
    return CompositeParts(z1, z2, z3, z4)


def composite_grad(x: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
    """Closed form of (∂f/∂x, ∂f/∂y) for `composite`:

    ∂f/∂x = 6x² − 12x e^(−y) / (1+x²+y²)²,
    ∂f/∂y = −6 e^(−y) (x² + (y+1)²) / (1+x²+y²)².
    """
    denom = (1 + x**2 + y**2) ** 2
    dfdx = 6 * x**2 - 12 * x * torch.exp(-y) / denom
    dfdy = -6 * torch.exp(-y) * (x**2 + (y + 1) ** 2) / denom
    return dfdx, dfdy


def composite_node_grads(x: Tensor, y: Tensor) -> dict[str, Tensor]:
    """∂f/∂(node) for every node of `composite_parts`, in closed form in x and y:
    ∂f/∂z₁ = 6/(1+x²+y²), ∂f/∂z₂ = −6e^(−y)/(1+x²+y²)², ∂f/∂z₃ = 2, ∂f/∂z₄ = 1,
    and `composite_grad` for x and y."""
    dfdx, dfdy = composite_grad(x, y)
    q = 1 + x**2 + y**2
    return {
        "z4": torch.ones_like(q),
        "z3": 2 * torch.ones_like(q),
        "z2": -6 * torch.exp(-y) / q**2,
        "z1": 6 / q,
        "x": dfdx,
        "y": dfdy,
    }


def composite_chain_rule(x: Tensor, y: Tensor) -> dict[str, Tensor]:
    """∂f/∂(node) for every node of `composite_parts`, by the chain rule by hand.

    Each gradient is the sum, over the edges leaving the node, of the gradient of the
    node at the other end times the local derivative on that edge:
    ∂f/∂z₃ = 2, ∂f/∂z₂ = −6z₁/z₂², ∂f/∂z₁ = 6/z₂, then
    ∂f/∂x = ∂f/∂z₃ · 3x² + ∂f/∂z₂ · 2x and ∂f/∂y = ∂f/∂z₂ · 2y + ∂f/∂z₁ · (−e^(−y)).
    """
    z1, z2, _, _ = composite_parts(x, y)
    g = {"z4": torch.ones_like(z2), "z3": 2 * torch.ones_like(z2)}
    g["z2"] = -6 * z1 / z2**2
    g["z1"] = 6 / z2
    g["x"] = g["z3"] * 3 * x**2 + g["z2"] * 2 * x
    g["y"] = g["z2"] * 2 * y + g["z1"] * (-torch.exp(-y))
    return g


# --- a = x + b, y = max(a·w, 0), l = (y − t)² + w² ---


class ReluGraph(NamedTuple):
    """The nodes of `relu_graph`."""

    a: Tensor
    y: Tensor
    l: Tensor  # noqa: E741 (the loss is called l in the text)


def relu_graph(x: Tensor, b: Tensor, w: Tensor, t: Tensor) -> ReluGraph:
    """a = x + b, y = max(a·w, 0), l = (y − t)² + w²."""
    a = x + b
    y = torch.clamp(a * w, min=0)
    return ReluGraph(a, y, (y - t) ** 2 + w**2)


def relu_graph_grad_w(x: Tensor, b: Tensor, w: Tensor, t: Tensor) -> Tensor:
    """∂l/∂w = 2(y − t) · [a·w > 0] · a + 2w, by hand."""
    a, y, _ = relu_graph(x, b, w, t)
    return 2 * (y - t) * (a * w > 0).to(a.dtype) * a + 2 * w


# --- f(x, y, z) = tanh(ln(1 + z · 2x / sin y)) ---


class TanhLogParts(NamedTuple):
    """The nodes of `tanh_log_parts`: a = 2x, b = sin y, c = a/b, d = z·c,
    u = 1 + d, e = ln u, f = tanh e."""

    a: Tensor
    b: Tensor
    c: Tensor
    d: Tensor
    u: Tensor
    e: Tensor
    f: Tensor


def tanh_log_parts(x: Tensor, y: Tensor, z: Tensor) -> TanhLogParts:
    """tanh(ln(1 + z · 2x / sin y)), one simple operation per node."""
    a = 2 * x
    b = torch.sin(y)
    c = a / b
    d = z * c
    u = 1 + d
    e = torch.log(u)
    return TanhLogParts(a, b, c, d, u, e, torch.tanh(e))


def tanh_log(x: Tensor, y: Tensor, z: Tensor) -> Tensor:
    """f(x, y, z) = tanh(ln(1 + z · 2x / sin y)) in one expression."""
    return torch.tanh(torch.log(1 + z * 2 * x / torch.sin(y)))


def tanh_log_grad(x: Tensor, y: Tensor, z: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """(∂f/∂x, ∂f/∂y, ∂f/∂z) in closed form; with s = 1 + 2xz / sin y and
    f = tanh(ln s), each is (1 − f²)/s times ∂s, where
    ∂s/∂x = 2z / sin y, ∂s/∂y = −2xz cos y / sin² y, ∂s/∂z = 2x / sin y."""
    s = 1 + 2 * x * z / torch.sin(y)
    outer = (1 - torch.tanh(torch.log(s)) ** 2) / s
    return (
        outer * 2 * z / torch.sin(y),
        outer * (-2 * x * z * torch.cos(y) / torch.sin(y) ** 2),
        outer * 2 * x / torch.sin(y),
    )


# --- one tanh neuron ---

#: Points (w, b, x, target) at which the chapter "Autograd" checks the neuron's
#: gradient: the source material's, where w x + b = 0 (so ŷ = 0, tanh′ = 1) and
#: x = 1, which hide a forgotten tanh′ or factor x; and one where nothing coincides.
NEURON_POINTS = ((-0.5, 0.5, 1.0, 7.0), (0.8, -0.3, 1.5, 0.2))


def neuron(w: Tensor, b: Tensor, x: Tensor) -> Tensor:
    """A single neuron with scalar input: ŷ = tanh(w x + b)."""
    return torch.tanh(w * x + b)


def neuron_loss(w: Tensor, b: Tensor, x: Tensor, target: Tensor) -> Tensor:
    """Squared error (target − ŷ)² of `neuron`."""
    return (target - neuron(w, b, x)) ** 2


def neuron_loss_grad(
    w: Tensor, b: Tensor, x: Tensor, target: Tensor
) -> tuple[Tensor, Tensor]:
    """(∂loss/∂w, ∂loss/∂b) = (−2x(t − ŷ)(1 − ŷ²), −2(t − ŷ)(1 − ŷ²)), by hand."""
    pred = neuron(w, b, x)
    common = -2 * (target - pred) * (1 - pred**2)
    return common * x, common


def neuron_loss_grad_slips(
    w: Tensor, b: Tensor, x: Tensor, target: Tensor
) -> dict[str, tuple[Tensor, Tensor]]:
    """Two plausible slips in `neuron_loss_grad`, by name: tanh′ = 1 − ŷ² forgotten,
    and the factor x of ∂(w x + b)/∂w forgotten. Each gives (∂loss/∂w, ∂loss/∂b)."""
    pred = neuron(w, b, x)
    right = -2 * (target - pred) * (1 - pred**2)
    no_slope = -2 * (target - pred)
    return {"tanh′ forgotten": (no_slope * x, no_slope), "x forgotten": (right, right)}


# --- a sigmoid network 3 → 3 → 1 ---


def sigmoid_net(*, seed: int) -> nn.Sequential:
    """The network σ(b₂ + W₂ σ(b₁ + W₁ x)) with 3 inputs, 3 hidden units, 1 output.

    Layers are named ``linear1, sig1, linear2, sig2``; weights drawn from ``seed``.
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return nn.Sequential(
            OrderedDict(
                linear1=nn.Linear(3, 3),
                sig1=nn.Sigmoid(),
                linear2=nn.Linear(3, 1),
                sig2=nn.Sigmoid(),
            )
        )


def sigmoid_net_grads(net: nn.Sequential, x: Tensor) -> dict[str, Tensor]:
    """∂output/∂parameter for `sigmoid_net` and one input ``x`` [3], by hand.

    With h = σ(W₁x + b₁) and o = σ(W₂h + b₂): δ₂ = o(1 − o) gives ∂b₂ = δ₂ and
    ∂W₂ = δ₂ hᵀ; δ₁ = (W₂ᵀ δ₂) ⊙ h(1 − h) gives ∂b₁ = δ₁ and ∂W₁ = δ₁ xᵀ.
    Returned under the names of ``net.named_parameters()``, with their shapes.
    """
    if x.shape != (3,):
        raise ValueError(f"x must have shape (3,), got {tuple(x.shape)}")
    with torch.no_grad():
        w1, b1 = net.linear1.weight, net.linear1.bias
        w2, b2 = net.linear2.weight, net.linear2.bias
        h = torch.sigmoid(w1 @ x + b1)
        o = torch.sigmoid(w2 @ h + b2)
        delta2 = o * (1 - o)  # [1]
        delta1 = (w2.T @ delta2) * h * (1 - h)  # [3]
        return {
            "linear1.weight": torch.outer(delta1, x),
            "linear1.bias": delta1,
            "linear2.weight": torch.outer(delta2, h),
            "linear2.bias": delta2,
        }


# --- the loss of the saved-tensor example ---


def exp_loss(w: Tensor) -> Tensor:
    """l = (e^w − a)² with a = 2 + 3 built inside, as in the saved-tensor example."""
    x, b = torch.tensor(2.0, dtype=w.dtype), torch.tensor(3.0, dtype=w.dtype)
    a = x + b
    y = torch.exp(w)
    return (y - a) ** 2


def exp_loss_grad(w: Tensor) -> Tensor:
    """∂l/∂w = 2(e^w − 5) e^w."""
    return 2 * (torch.exp(w) - 5) * torch.exp(w)


# --- a tanh regression for gradient checking ---


class TanhRegression(NamedTuple):
    """Data [n, d] and targets [n] for L(w) = mean((tanh(X w) − y)²), and a start w."""

    features: Tensor
    targets: Tensor
    start: Tensor

    def loss(self, w: Tensor) -> Tensor:
        """L(w) = mean((tanh(X w) − y)²) for w [d], in the dtype of ``w``."""
        x, y = self.features.to(w.dtype), self.targets.to(w.dtype)
        return ((torch.tanh(x @ w) - y) ** 2).mean()

    def grad(self, w: Tensor) -> Tensor:
        """∇L = (2/n) Xᵀ [(tanh(Xw) − y) ⊙ (1 − tanh²(Xw))], by hand."""
        x, y = self.features.to(w.dtype), self.targets.to(w.dtype)
        p = torch.tanh(x @ w)
        return 2 / len(y) * x.T @ ((p - y) * (1 - p**2))

    def wrong_grad(self, w: Tensor) -> Tensor:
        """A plausible bug, tanh's derivative forgotten: (2/n) Xᵀ (tanh(Xw) − y)."""
        x, y = self.features.to(w.dtype), self.targets.to(w.dtype)
        return 2 / len(y) * x.T @ (torch.tanh(x @ w) - y)


def tanh_regression(n: int = 50, d: int = 8, *, seed: int) -> TanhRegression:
    """Random features, targets from a random teacher plus noise, a random start."""
    _checks.whole_number(n, "n", minimum=1)
    _checks.whole_number(d, "d", minimum=1)
    gen = torch.Generator().manual_seed(_checks.seed(seed))
    x = torch.randn(n, d, generator=gen, dtype=torch.float64)
    teacher = torch.randn(d, generator=gen, dtype=torch.float64) / d**0.5
    y = torch.tanh(x @ teacher) + 0.1 * torch.randn(n, generator=gen, dtype=x.dtype)
    start = torch.randn(d, generator=gen, dtype=torch.float64) / d**0.5
    return TanhRegression(x, y, start)


class TanhWrongBackward(torch.autograd.Function):
    """tanh whose backward forgets the factor (1 − tanh²): a bug to be caught."""

    @staticmethod
    def forward(ctx, x: Tensor) -> Tensor:
        return torch.tanh(x)

    @staticmethod
    def backward(ctx, grad_output: Tensor) -> Tensor:
        return grad_output  # should be grad_output * (1 - tanh(x)**2)


class TanhFunction(torch.autograd.Function):
    """tanh with a correct backward: it saves its output and multiplies the incoming
    gradient by tanh's derivative, 1 − tanh²."""

    @staticmethod
    def forward(ctx, x: Tensor) -> Tensor:
        out = torch.tanh(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad_output: Tensor) -> Tensor:
        (out,) = ctx.saved_tensors
        return grad_output * (1 - out**2)


# --- second derivatives ---


def tanh_second_derivative(x: Tensor) -> Tensor:
    """d²/dx² tanh x = −2 tanh x (1 − tanh² x)."""
    t = torch.tanh(x)
    return -2 * t * (1 - t**2)


def quadratic_sine(w: Tensor, a: Tensor) -> Tensor:
    """g(w) = ½ wᵀ A w + Σᵢ sin wᵢ for w [n] and a symmetric A [n, n]."""
    return 0.5 * w @ a @ w + torch.sin(w).sum()


def quadratic_sine_hvp(w: Tensor, a: Tensor, v: Tensor) -> Tensor:
    """The Hessian of `quadratic_sine` times v, in closed form: ∇g = A w + cos w, so
    H v = A v − sin(w) ⊙ v (A symmetric)."""
    return a @ v - torch.sin(w) * v


# --- a graph that depends on the input ---


#: Two inputs whose graphs of `halve_then_bend` differ: two halvings then sin, and
#: no halving then the square.
BEND_INPUTS = (3.0, -0.5)


def halve_then_bend(x: Tensor) -> Tensor:
    """Halve x while |x| > 1, then take sin if the result is positive, its square
    otherwise: Python ``while`` and ``if`` on a scalar tensor, so the recorded graph
    differs from input to input."""
    while x.abs() > 1:
        x = x / 2
    return torch.sin(x) if x > 0 else x**2


def halve_then_bend_grad(x: Tensor) -> Tensor:
    """The derivative of `halve_then_bend`: with k = the number of halvings, so that
    y = x / 2ᵏ, it is cos(y) / 2ᵏ for y > 0 and 2y / 2ᵏ otherwise."""
    k = max(0, math.ceil(math.log2(abs(float(x))))) if float(x) != 0 else 0
    y = x / 2**k
    return torch.cos(y) / 2**k if y > 0 else 2 * y / 2**k


# --- a saved tensor changed through .data ---


def exp_loss_through_data(w: Tensor) -> Tensor:
    """`exp_loss`, but e^w is halved through ``.data`` after the loss is built: the
    version counter does not see it, so backward runs and uses the halved value."""
    a = torch.tensor(2.0, dtype=w.dtype) + torch.tensor(3.0, dtype=w.dtype)
    y = torch.exp(w)
    loss = (y - a) ** 2
    y.data /= 2
    return loss
