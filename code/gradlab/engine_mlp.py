"""Neuron, Layer and MLP made of engine `Value`s, as micrograd's ``nn.py`` has them.

A `Neuron` holds its weights and bias as leaf values and computes
tanh(Σᵢ wᵢ xᵢ + b) (or the bare sum, for a linear output); a `Layer` is a list of
neurons on the same input; an `MLP` chains layers, tanh in the hidden ones and linear
at the output. Each has ``parameters()``, the leaves gradient descent moves.
"""

from __future__ import annotations

from collections.abc import Sequence

from torch import Tensor

from gradlab.engine import Value

Number = int | float


class Neuron:
    """tanh(Σᵢ wᵢ xᵢ + b) on a list of inputs, or Σᵢ wᵢ xᵢ + b if not ``nonlinear``.

    >>> n = Neuron([0.5, -1.0], 0.25, nonlinear=False)
    >>> n([2.0, 1.0]).data
    0.25
    """

    def __init__(
        self, weights: Sequence[Number], bias: Number, *, nonlinear: bool = True
    ) -> None:
        self.w = [Value(float(v)) for v in weights]
        self.b = Value(float(bias))
        self.nonlinear = nonlinear

    def __call__(self, x: Sequence[Value | Number]) -> Value:
        act = sum((wi * xi for wi, xi in zip(self.w, x, strict=True)), self.b)
        return act.tanh() if self.nonlinear else act

    def parameters(self) -> list[Value]:
        return [*self.w, self.b]


class Layer:
    """Neurons that read the same input: ``weights`` [out, in], ``biases`` [out]."""

    def __init__(
        self,
        weights: Sequence[Sequence[Number]],
        biases: Sequence[Number],
        *,
        nonlinear: bool = True,
    ) -> None:
        if len(weights) != len(biases):
            raise ValueError(f"{len(weights)} weight rows but {len(biases)} biases")
        self.neurons = [
            Neuron(row, b, nonlinear=nonlinear)
            for row, b in zip(weights, biases, strict=True)
        ]

    def __call__(self, x: Sequence[Value | Number]) -> list[Value]:
        return [n(x) for n in self.neurons]

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in n.parameters()]


class MLP:
    """Layers in a chain, tanh in the hidden ones, linear at the output.

    ``layers`` gives the starting numbers, one (weights [out, in], biases [out])
    pair a layer, e.g. from `gradlab.experiments.engine.init_layers`, so that a
    torch twin can start from the same weights.
    """

    def __init__(self, layers: Sequence[tuple[Tensor, Tensor]]) -> None:
        last = len(layers) - 1
        self.layers = [
            Layer(w.tolist(), b.tolist(), nonlinear=k < last)
            for k, (w, b) in enumerate(layers)
        ]

    def __call__(self, x: Sequence[Value | Number]) -> Value | list[Value]:
        h = x
        for layer in self.layers:
            h = layer(h)
        return h[0] if len(h) == 1 else h

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def zero_grad(self) -> None:
        """Set every parameter's ``grad`` to 0 (leaves accumulate, as in torch)."""
        for p in self.parameters():
            p.grad = 0.0
