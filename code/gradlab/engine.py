"""A scalar reverse-mode autograd engine, small enough to read in one sitting.

After Andrej Karpathy's micrograd. A `Value` holds one number, ``data``, and
``grad``, the derivative of a final output with respect to it. An operation on values
makes a new `Value` that remembers its inputs and the *local* derivative of its
result with respect to each input, computed in the forward pass. `Value.backward`
walks the graph once, output first, and applies the chain rule on every edge: a node
hands its gradient times the local derivative to each input, and each input adds up
what it receives. Python numbers mix in on either side (``2 * x``, ``1 - x``).

A node may instead carry a closure, ``_backward``, as micrograd's nodes do: it adds
the node's gradient, times the local derivatives, into its inputs' gradients (a
vector-Jacobian product for one node). `closure_mul` and `closure_add` build nodes
that way; `Value.backward` runs a node's closure when it has one.
"""

from __future__ import annotations

import math
from collections.abc import Callable

Number = int | float


class Value:
    """One scalar node of a computation graph: ``data``, ``grad`` and its history.

    ``inputs`` are the values it was computed from, ``local`` the derivatives
    ∂self/∂input, one per input, and ``op`` the operation: "" for a leaf you create,
    "const" for a Python number mixed into an operation. ``_backward``, if set, is a
    closure that replaces the ``local`` numbers: it adds this node's ``grad`` times
    ∂self/∂input into each input's ``grad``.

    >>> x = Value(3.0)
    >>> y = x * x + 1
    >>> y.backward()
    >>> y.data, x.grad
    (10.0, 6.0)
    """

    def __init__(
        self,
        data: Number,
        inputs: tuple[Value, ...] = (),
        op: str = "",
        local: tuple[float, ...] = (),
    ) -> None:
        if isinstance(data, bool) or not isinstance(data, Number):
            raise TypeError(f"a Value holds a real number, not {type(data).__name__}")
        self.data = float(data)
        self.grad = 0.0
        self.inputs = inputs
        self.op = op
        self.local = local
        self._backward: Callable[[], None] | None = None

    def __repr__(self) -> str:
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g})"

    # Each operation: the result, and ∂result/∂input for each input.

    def __add__(self, other: Value | Number) -> Value:
        other = _lift(other)
        return Value(self.data + other.data, (self, other), "+", (1.0, 1.0))

    def __sub__(self, other: Value | Number) -> Value:
        other = _lift(other)
        return Value(self.data - other.data, (self, other), "−", (1.0, -1.0))

    def __mul__(self, other: Value | Number) -> Value:
        other = _lift(other)
        a, b = self.data, other.data
        return Value(a * b, (self, other), "×", (b, a))

    def __truediv__(self, other: Value | Number) -> Value:
        other = _lift(other)
        a, b = self.data, other.data
        return Value(a / b, (self, other), "÷", (1 / b, -a / b**2))

    def __pow__(self, n: Number) -> Value:
        _check_exponent(self.data, n)
        a = self.data
        return Value(a**n, (self,), f"^ {n:g}", (n * a ** (n - 1),))

    def __neg__(self) -> Value:
        return Value(-self.data, (self,), "−", (-1.0,))

    def exp(self) -> Value:
        e = math.exp(self.data)
        return Value(e, (self,), "exp", (e,))

    def log(self) -> Value:
        if self.data <= 0:
            raise ValueError(f"log needs a positive number, got {self.data:g}")
        return Value(math.log(self.data), (self,), "ln", (1 / self.data,))

    def tanh(self) -> Value:
        t = math.tanh(self.data)
        return Value(t, (self,), "tanh", (1 - t * t,))

    def relu(self) -> Value:
        on = self.data > 0
        return Value(self.data if on else 0.0, (self,), "relu", (float(on),))

    def sin(self) -> Value:
        return Value(math.sin(self.data), (self,), "sin", (math.cos(self.data),))

    def cos(self) -> Value:
        return Value(math.cos(self.data), (self,), "cos", (-math.sin(self.data),))

    # A number on the left: 2 * x calls x.__rmul__(2), and so on.

    def __radd__(self, other: Number) -> Value:
        return _lift(other) + self

    def __rsub__(self, other: Number) -> Value:
        return _lift(other) - self

    def __rmul__(self, other: Number) -> Value:
        return _lift(other) * self

    def __rtruediv__(self, other: Number) -> Value:
        return _lift(other) / self

    # The backward pass.

    def backward(self) -> None:
        """Set each node's ``grad`` to ∂self/∂node; leaves add it to what they hold.

        Nodes are visited once, in reverse topological order, so a node's gradient
        is complete (every path from the output summed) before it is passed on.
        """
        order = topological_order(self)
        for node in order:
            if node.inputs:  # intermediate results start from zero every pass
                node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):
            if node._backward is not None:
                node._backward()
                continue
            for child, local in zip(node.inputs, node.local, strict=True):
                child.grad += local * node.grad

    def zero_grad(self) -> None:
        """Set ``grad`` to 0 on every node this value depends on (leaves included)."""
        for node in topological_order(self):
            node.grad = 0.0


def closure_mul(a: Value, b: Value) -> Value:
    """a × b as micrograd builds it: no local numbers, a closure run by `backward`.

    >>> x = Value(3.0)
    >>> y = closure_mul(x, x)
    >>> y.backward()
    >>> x.grad
    6.0
    """
    out = Value(a.data * b.data, (a, b), "×")

    def _backward() -> None:
        a.grad += b.data * out.grad
        b.grad += a.data * out.grad

    out._backward = _backward
    return out


def closure_add(a: Value, b: Value) -> Value:
    """a + b as micrograd builds it: the closure adds the gradient to both inputs."""
    out = Value(a.data + b.data, (a, b), "+")

    def _backward() -> None:
        a.grad += out.grad
        b.grad += out.grad

    out._backward = _backward
    return out


def topological_order(root: Value) -> list[Value]:
    """Every node ``root`` depends on, each after all of its inputs, ``root`` last.

    Depth first, inputs in the order the operation took them, so the order is the
    same on every run; an explicit stack, so a long chain does not hit Python's
    recursion limit. Visited nodes are kept in a dict (ordered), not in a set.
    """
    order: list[Value] = []
    seen: dict[Value, None] = {}
    stack: list[tuple[Value, bool]] = [(root, False)]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
        elif node not in seen:
            seen[node] = None
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(node.inputs))
    return order


def _lift(x: Value | Number) -> Value:
    """``x`` itself if it is a Value, else a constant leaf holding the number."""
    return x if isinstance(x, Value) else Value(x, op="const")


def _check_exponent(base: float, n: object) -> None:
    if isinstance(n, bool) or not isinstance(n, Number):
        raise TypeError(f"the exponent must be a number, not {type(n).__name__}")
    if base < 0 and not float(n).is_integer():
        raise ValueError("a negative number has no real power with this exponent")
    if base == 0 and n < 1:
        raise ValueError(f"0 ** {n:g} has no finite derivative")
