"""Experiments with the scalar engine `gradlab.engine`: the chapters' f(x, y) in
`Value`s, a tiny MLP made of `Value`s trained beside its torch twin, and the cost of
a backward pass as graphs grow.

The MLP is micrograd's: tanh hidden layers, a linear output, the summed squared
error on four points, plain gradient descent. The same starting weights go into the
engine and into torch (float64), so the two runs can be compared step by step.
"""

from __future__ import annotations

import itertools
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

from gradlab.engine import Value, topological_order
from gradlab.engine_mlp import MLP


def composite_values(x: Value, y: Value) -> dict[str, Value]:
    """f(x, y) = 6 e^(−y) / (1 + x² + y²) + 2x³ in engine Values, every node named
    as in `gradlab.functions.composite_parts` (the output is ``z4``)."""
    z1 = (-y).exp()
    z2 = 1 + x**2 + y**2
    z3 = x**3
    z4 = 6 * z1 / z2 + 2 * z3
    return {"x": x, "y": y, "z1": z1, "z2": z2, "z3": z3, "z4": z4}


def closure_mul_overwriting(a: Value, b: Value) -> Value:
    """`gradlab.engine.closure_mul` with micrograd's classic bug, ``=`` for ``+=``:
    right while every node is used once, wrong when one is reused (``x * x``), since
    the second assignment overwrites what the first passed back."""
    out = Value(a.data * b.data, (a, b), "×")

    def _backward() -> None:
        a.grad = b.data * out.grad
        b.grad = a.data * out.grad

    out._backward = _backward
    return out


def tanh_from_exp(x: Value) -> Value:
    """tanh x = (e^(2x) − 1) / (e^(2x) + 1) from the engine's exp, ×, − and ÷: the
    same function as `Value.tanh` as one operation, in more and smaller nodes."""
    e = (2 * x).exp()
    return (e - 1) / (e + 1)


#: The toy problem: four points with three features each, and their targets.
TOY_INPUTS = ((2.0, 3.0, -1.0), (3.0, -1.0, 0.5), (0.5, 1.0, 1.0), (1.0, 1.0, -1.0))
TOY_TARGETS = (1.0, -1.0, -1.0, 1.0)
#: Layer widths of the tiny MLP: 3 inputs, two hidden layers of 4, one output.
TOY_SIZES = (3, 4, 4, 1)
TOY_SEED = 0
TOY_STEPS = 30
TOY_LR = 0.05

#: A layer: weights [out, in] and biases [out].
Layer = tuple[Tensor, Tensor]


def init_layers(sizes: Sequence[int], *, seed: int) -> list[Layer]:
    """Weights and biases drawn uniformly from [−1, 1] (float64), one pair a layer."""
    if len(sizes) < 2 or any(int(s) != s or s < 1 for s in sizes):
        raise ValueError(f"sizes must be two or more positive integers, got {sizes}")
    gen = torch.Generator().manual_seed(seed)
    layers = []
    for n_in, n_out in itertools.pairwise(sizes):
        w = torch.rand(n_out, n_in, generator=gen, dtype=torch.float64) * 2 - 1
        b = torch.rand(n_out, generator=gen, dtype=torch.float64) * 2 - 1
        layers.append((w, b))
    return layers


def value_mlp(x: Sequence[float], layers: list[list[list[Value]]]) -> Value:
    """The MLP on one input, in `Value`s. ``layers[k][j]`` is neuron j of layer k:
    its weights, then its bias. Hidden layers are tanh, the output is linear."""
    h: list[Value | float] = list(x)
    for k, layer in enumerate(layers):
        h = [sum((w * v for w, v in zip(n[:-1], h, strict=True)), n[-1]) for n in layer]
        if k < len(layers) - 1:
            h = [v.tanh() for v in h]
    return h[0]


def torch_mlp(x: Tensor, layers: list[Layer]) -> Tensor:
    """The same MLP on a batch ``x`` [n, d] in torch: returns [n]."""
    h = x
    for k, (w, b) in enumerate(layers):
        h = h @ w.T + b
        if k < len(layers) - 1:
            h = torch.tanh(h)
    return h[:, 0]


def as_values(layers: list[Layer]) -> list[list[list[Value]]]:
    """Engine leaves holding the numbers of ``layers``: per neuron, weights + bias."""
    return [
        [
            [Value(float(v)) for v in (*w_row, bias)]
            for w_row, bias in zip(w, b, strict=True)
        ]
        for w, b in layers
    ]


def squared_error(layers: list[list[list[Value]]]) -> Value:
    """Σ (MLP(x) − t)² over `TOY_INPUTS` and `TOY_TARGETS`, in `Value`s."""
    return toy_loss(lambda x: value_mlp(x, layers))


def toy_loss(model: Callable[[Sequence[float]], Value]) -> Value:
    """Σ (model(x) − t)² over `TOY_INPUTS` and `TOY_TARGETS`, in `Value`s."""
    errors = [(model(x) - t) ** 2 for x, t in zip(TOY_INPUTS, TOY_TARGETS, strict=True)]
    return sum(errors[1:], errors[0])


def train_values(layers: list[Layer], *, steps: int, lr: float) -> list[float]:
    """Gradient descent on the toy problem with an engine `MLP`; the loss before
    each step. ``layers`` gives the starting weights (it is not changed)."""
    model = MLP(layers)
    losses = []
    for _ in range(steps):
        loss = toy_loss(model)
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= lr * p.grad
        losses.append(loss.data)
    return losses


def train_torch(layers: list[Layer], *, steps: int, lr: float) -> list[float]:
    """`train_values` in torch (float64): the loss before each step."""
    x = torch.tensor(TOY_INPUTS, dtype=torch.float64)
    y = torch.tensor(TOY_TARGETS, dtype=torch.float64)
    params = [
        (w.clone().requires_grad_(), b.clone().requires_grad_()) for w, b in layers
    ]
    losses = []
    for _ in range(steps):
        loss = ((torch_mlp(x, params) - y) ** 2).sum()
        loss.backward()
        with torch.no_grad():
            for p in itertools.chain.from_iterable(params):
                p -= lr * p.grad
                p.grad = None
        losses.append(loss.item())
    return losses


@dataclass(frozen=True)
class TwinRun:
    """Losses before each step of the same training in the engine and in torch."""

    engine_losses: list[float]
    torch_losses: list[float]


def train_twins(
    *,
    steps: int = TOY_STEPS,
    lr: float = TOY_LR,
    seed: int = TOY_SEED,
    sizes: Sequence[int] = TOY_SIZES,
) -> TwinRun:
    """Train the toy MLP from the same weights (``seed``) with the engine and with
    torch; the loss is the summed squared error on `TOY_INPUTS`."""
    if steps < 1 or lr <= 0:
        raise ValueError(f"steps must be ≥ 1 and lr > 0, got {steps}, {lr}")
    layers = init_layers(sizes, seed=seed)
    return TwinRun(
        train_values(layers, steps=steps, lr=lr),
        train_torch(layers, steps=steps, lr=lr),
    )


# --- the cost of a backward pass ---

#: Numbers of scalars in the cost comparison.
COST_SIZES = (10, 100, 1000, 3000)


@dataclass(frozen=True)
class BackwardCost:
    """One size of `backward_cost`: graph sizes and median backward times."""

    n: int
    engine_nodes: int
    torch_nodes: int
    engine_seconds: float
    torch_seconds: float
    #: engine time / torch time for each pair of fresh graphs, one per repeat
    speedups: tuple[float, ...] = ()


def _times(make, run, repeats: int) -> list[float]:
    """Seconds of ``run(make())``, one per fresh graph, ``repeats`` of them."""
    run(make())  # one untimed warm-up: the first call pays for loading and caches
    times = []
    for _ in range(repeats):
        graph = make()
        start = time.perf_counter()
        run(graph)
        times.append(time.perf_counter() - start)
    return times


def backward_cost(
    sizes: Sequence[int] = COST_SIZES, *, repeats: int = 5, seed: int = 0
) -> list[BackwardCost]:
    """Time one backward pass of L(w) = Σᵢ tanh(wᵢ xᵢ) for n scalars, built from
    engine `Value`s (one node per scalar operation) and from torch tensors (one node
    per tensor operation); medians over ``repeats`` fresh graphs, and the ratio of
    the two times in each repeat."""
    from gradlab.graphs import backward_order

    rows = []
    for n in sizes:
        gen = torch.Generator().manual_seed(seed)
        w0, x = torch.randn(2, n, generator=gen, dtype=torch.float64)
        ws, xs = w0.tolist(), x.tolist()

        def engine_graph(ws=ws, xs=xs) -> Value:
            return sum((Value(w) * xi).tanh() for w, xi in zip(ws, xs, strict=True))

        def torch_graph(w0=w0, x=x) -> Tensor:
            return torch.tanh(w0.clone().requires_grad_() * x).sum()

        engine_times = _times(engine_graph, Value.backward, repeats)
        torch_times = _times(torch_graph, Tensor.backward, repeats)
        rows.append(
            BackwardCost(
                n=n,
                engine_nodes=len(topological_order(engine_graph())),
                torch_nodes=len(backward_order(torch_graph().grad_fn)),
                engine_seconds=statistics.median(engine_times),
                torch_seconds=statistics.median(torch_times),
                speedups=tuple(
                    e / t for e, t in zip(engine_times, torch_times, strict=True)
                ),
            )
        )
    return rows
