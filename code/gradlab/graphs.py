"""Drawing autograd graphs as Graphviz DAGs that read the same on every run.

Two drawings:

* `autograd_dag` wraps torchviz's ``make_dot``: the backward graph PyTorch records,
  with inputs, parameters and chosen intermediates named. torchviz names nodes by
  ``id()``; here they are renamed ``n0, n1, ...`` in a fixed topological order, so the
  DOT text of one computation is identical on every run.
* `trace_values_and_grads` runs a small computation, records every torch operation
  and its forward value, and asks autograd for the gradient of the output with
  respect to each of them; `value_grad_dag` draws that record, one node per tensor
  labelled ``{ operation | value | gradient }``.

Every drawing has a transparent background, grey edges and light nodes with dark
text, so it reads on a light and on a dark page; it displays inline as SVG.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import graphviz
import torch
from torch import Tensor
from torch.overrides import TorchFunctionMode

EDGE = "#777777"
TEXT = "#222222"
#: Fill colours by node kind: light, so dark text reads on them on either theme.
FILLS = {
    "op": "#e4e4e4",
    "leaf": "#cfe6f5",
    "named": "#e3d5f0",
    "output": "#d5ecc8",
    "saved": "#fbe0c3",
    "const": "#f4f4f4",
}
#: Largest number of nodes `autograd_dag` draws before asking for a smaller graph.
MAX_NODES = 60


def new_digraph(*, rankdir: str = "BT", size: str = "7,7") -> graphviz.Digraph:
    """An empty Digraph in the book's style (transparent, grey edges, dark text)."""
    return graphviz.Digraph(
        graph_attr={
            "bgcolor": "transparent",
            "rankdir": rankdir,
            "size": size,
            "fontcolor": EDGE,
            "nodesep": "0.25",
            "ranksep": "0.3",
        },
        node_attr={
            "shape": "box",
            "style": "filled,rounded",
            "fillcolor": FILLS["op"],
            "color": EDGE,
            "fontcolor": TEXT,
            "fontname": "Helvetica",
            "fontsize": "11",
            "height": "0.3",
        },
        edge_attr={"color": EDGE, "fontcolor": EDGE, "arrowsize": "0.7"},
    )


# --- the autograd graph, drawn deterministically ---

SAVED_PREFIX = "_saved_"


def _shape(t: Tensor) -> str:
    return "(" + ", ".join(str(s) for s in t.shape) + ")"


def _op_name(fn: object, show_attrs: bool) -> str:
    """torchviz's label of a backward node (its class, optionally its attributes)."""
    from torchviz.dot import get_fn_name

    return get_fn_name(fn, show_attrs, max_attr_chars=24)


def _saved_nodes(fn: object, add: Callable[[str, str], int]) -> list[int]:
    """Add a node per tensor that backward node ``fn`` saved; return their indices."""
    found = []
    for attr in dir(fn):
        if not attr.startswith(SAVED_PREFIX):
            continue
        value = getattr(fn, attr)
        values = value if isinstance(value, tuple) else (value,)
        tensors = [v for v in values if isinstance(v, Tensor)]
        for i, t in enumerate(tensors):
            short = attr[len(SAVED_PREFIX) :] + (f"[{i}]" if len(tensors) > 1 else "")
            found.append(add(f"{short}\n{_shape(t)}", FILLS["saved"]))
    return found


def autograd_dag(
    output: Tensor,
    names: Mapping[str, Tensor] | None = None,
    *,
    show_saved: bool = False,
    show_attrs: bool = False,
    max_nodes: int = MAX_NODES,
) -> graphviz.Digraph:
    """The backward graph of ``output`` as torchviz draws it, with positional names.

    ``names`` maps display names to tensors: leaves (inputs, parameters) label their
    blue box, intermediates (tensors with a ``grad_fn``) label the operation that made
    them (lilac), and the output labels its green box. ``show_saved`` adds the
    tensors each operation saved for the backward pass (orange, joined by dashed
    lines); ``show_attrs`` lists the operations' other saved attributes.

    The walk is torchviz's ``make_dot`` walk, redone: ``make_dot`` names nodes by
    ``id()``, so its DOT text changes from run to run (and a saved tensor built on the
    fly can reuse a freed id and merge with another node). Here nodes are named
    ``n0, n1, ...`` in a fixed topological order (inputs first, the output last), so
    the same computation gives the same DOT text on every run. Graphs with more than
    ``max_nodes`` nodes are refused: they do not read on a page.

    >>> x = torch.tensor(3.5, requires_grad=True)
    >>> print(autograd_dag(x**2, {"x": x}).source.count("->"))
    3
    """
    if not isinstance(output, Tensor):
        raise TypeError(f"output must be a tensor, got {type(output).__name__}")
    if output.grad_fn is None:
        raise ValueError(
            "output has no grad_fn: it does not depend on a tensor that requires "
            "grad, so there is no graph to draw"
        )
    names = dict(names or {})
    for name, tensor in names.items():
        if not isinstance(tensor, Tensor):
            raise TypeError(f"names[{name!r}] must be a tensor")
    leaf_names = [(t, k) for k, t in names.items() if t.grad_fn is None]
    op_names = [
        (t.grad_fn, k)
        for k, t in names.items()
        if t is not output and t.grad_fn is not None
    ]
    out_name = next((k for k, t in names.items() if t is output), "output")

    def lookup(pairs: list, obj: object) -> str | None:
        return next((k for o, k in pairs if o is obj), None)

    order: list[object] = []  # backward nodes in post-order: inputs before users
    seen: list[object] = []

    def visit(fn: object) -> None:
        if any(fn is s for s in seen):
            return
        seen.append(fn)
        for child, _ in getattr(fn, "next_functions", ()):
            if child is not None:
                visit(child)
        order.append(fn)

    visit(output.grad_fn)
    rows: list[tuple[str, str, str]] = []  # (kind, label, fill) per node
    edges: list[tuple[int, int, dict[str, str]]] = []
    position: list[tuple[object, int]] = []

    def add(label: str, fill: str) -> int:
        rows.append(("", label, fill))
        return len(rows) - 1

    def at(fn: object) -> int:
        return next(i for o, i in position if o is fn)

    for fn in order:
        saved = _saved_nodes(fn, add) if show_saved else []
        if hasattr(fn, "variable"):  # AccumulateGrad: the leaf tensor it fills
            var = fn.variable
            name = lookup(leaf_names, var) or ""
            leaf = add(f"{name}\n{_shape(var)}".strip("\n"), FILLS["leaf"])
            node = add("AccumulateGrad", FILLS["op"])
            edges.append((leaf, node, {}))
        else:
            name = lookup(op_names, fn)
            label = _op_name(fn, show_attrs)
            fill = FILLS["op"]
            if name:
                label, fill = f"{name}\n{label}", FILLS["named"]
            node = add(label, fill)
        position.append((fn, node))
        for child, _ in getattr(fn, "next_functions", ()):
            if child is not None:
                edges.append((at(child), node, {}))
        for i in saved:
            edges.append((i, node, {"style": "dashed", "arrowhead": "none"}))
    out = add(f"{out_name}\n{_shape(output)}", FILLS["output"])
    edges.append((at(output.grad_fn), out, {}))
    if len(rows) > max_nodes:
        raise ValueError(
            f"the graph has {len(rows)} nodes, more than max_nodes={max_nodes} that "
            "read on a page; draw a smaller part of the computation"
        )
    dot = new_digraph()
    for i, (_, label, fill) in enumerate(rows):
        dot.node(f"n{i}", label, fillcolor=fill)
    for tail, head, attrs in edges:
        dot.edge(f"n{tail}", f"n{head}", **attrs)
    return dot


# --- values and gradients on every node ---

#: How the recorded torch functions are shown in a node.
SYMBOLS = {
    "add": "+", "sub": "−", "mul": "×", "div": "÷", "truediv": "÷", "pow": "^",
    "neg": "−", "matmul": "@", "rsub": "−", "radd": "+", "rmul": "×",
    "rtruediv": "÷", "rdiv": "÷", "rpow": "^",
}  # fmt: skip


@dataclass(frozen=True)
class TracedNode:
    """One tensor of a traced computation.

    ``key`` is positional (``n0, n1, ...`` in execution order); ``kind`` is "input",
    "const" (a tensor made outside the recorded operations) or "op"; ``op`` names the
    operation with its Python-number operands (e.g. ``"× 6"``); ``grad`` is
    ∂output/∂(this tensor), same shape as ``value``, or None where no gradient flows.
    """

    key: str
    name: str
    kind: str
    op: str
    value: Tensor
    grad: Tensor | None
    parents: tuple[str, ...]


@dataclass(frozen=True)
class ValueGradTrace:
    """Every tensor of a small computation, in execution (topological) order."""

    nodes: tuple[TracedNode, ...]

    @property
    def output(self) -> TracedNode:
        """The last node: the scalar whose gradient was taken."""
        return self.nodes[-1]

    def by_name(self, name: str) -> TracedNode:
        """The node given ``name`` (an input name or a returned intermediate's)."""
        for node in self.nodes:
            if node.name == name:
                return node
        raise KeyError(f"no node named {name!r}")


class _Recorder(TorchFunctionMode):
    """Records every torch call that returns a new tensor: (function, args, result)."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, tuple, Tensor]] = []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        result = func(*args, **(kwargs or {}))
        name = getattr(func, "__name__", str(func))
        if name.endswith("_") and not name.endswith("__"):
            raise ValueError(f"in-place operation {name} cannot be traced")
        if isinstance(result, Tensor) and "__get__" not in str(func):
            if not any(result is r for _, _, r in self.calls) and not any(
                result is a for a in args
            ):
                self.calls.append(
                    (name, tuple(args) + tuple((kwargs or {}).values()), result)
                )
        return result


def _op_label(name: str, args: tuple) -> str:
    core = name.strip("_")
    symbol = SYMBOLS.get(core, core)
    numbers = [format(a, "g") for a in args if isinstance(a, int | float)]
    return " ".join([symbol, *numbers])


def trace_values_and_grads(
    fn: Callable[..., Tensor | Mapping[str, Tensor] | tuple], **inputs: Tensor
) -> ValueGradTrace:
    """Run ``fn(**inputs)`` recording each operation, its value and ∂output/∂value.

    ``fn`` returns the scalar output, or a mapping or named tuple of named tensors
    whose last entry is the output (the others name intermediates in the drawing).
    Inputs are copied, so their ``.grad`` is left alone; gradients come from
    ``torch.autograd.grad``. Only small computations without in-place operations.

    >>> t = trace_values_and_grads(lambda x: x**2, x=torch.tensor(3.5))
    >>> float(t.by_name("x").grad), float(t.output.value)
    (7.0, 12.25)
    """
    leaves = {}
    for name, value in inputs.items():
        if not isinstance(value, Tensor) or not value.is_floating_point():
            raise TypeError(f"input {name!r} must be a floating-point tensor")
        leaves[name] = value.detach().clone().requires_grad_()
    recorder = _Recorder()
    with recorder:
        returned = fn(**leaves)
    named = returned._asdict() if hasattr(returned, "_asdict") else returned
    if isinstance(named, Tensor):
        named = {}
        output = returned
    elif isinstance(named, Mapping) and named:
        output = list(named.values())[-1]
    else:
        raise TypeError(
            "fn must return a tensor, or a non-empty mapping or named "
            "tuple of tensors whose last entry is the output"
        )
    if output.numel() != 1:
        raise ValueError(
            f"the output must be a scalar, got shape {tuple(output.shape)}"
        )

    tensors: list[Tensor] = []
    meta: list[tuple[str, str, str, tuple[int, ...]]] = []

    def index(t: Tensor, kind: str = "const") -> int:
        for i, seen in enumerate(tensors):
            if seen is t:
                return i
        tensors.append(t)
        meta.append(("", kind, "", ()))
        return len(tensors) - 1

    for name, leaf in leaves.items():
        index(leaf, "input")
        meta[-1] = (name, "input", name, ())
    for func, args, result in recorder.calls:
        parents = tuple(index(a) for a in args if isinstance(a, Tensor))
        position = index(result)
        kind = "op" if parents or result.requires_grad else "const"
        meta[position] = ("", kind, _op_label(func, args), parents)
    if not any(output is t for t in tensors):
        raise ValueError("the output was not produced by a recorded torch operation")
    for name, tensor in named.items():
        for i, seen in enumerate(tensors):
            if seen is tensor:
                meta[i] = (name, *meta[i][1:])
    # Drop recorded tensors the output does not depend on (e.g. shape helpers).
    needed = {next(i for i, t in enumerate(tensors) if t is output)}
    for i in range(len(tensors) - 1, -1, -1):
        if i in needed:
            needed.update(meta[i][3])
    keep = sorted(needed | {i for i, m in enumerate(meta) if m[1] == "input"})
    wanted = [i for i in keep if tensors[i].requires_grad]
    grads = torch.autograd.grad(output, [tensors[i] for i in wanted], allow_unused=True)
    grad_of = dict(zip(wanted, grads, strict=True))
    key = {old: f"n{new}" for new, old in enumerate(keep)}
    nodes = []
    for i in keep:
        name, kind, op, parents = meta[i]
        grad = grad_of.get(i)
        if grad is None and tensors[i].requires_grad:
            grad = torch.zeros_like(tensors[i])
        nodes.append(
            TracedNode(
                key=key[i],
                name=name,
                kind=kind,
                op=op or ("const" if kind == "const" else ""),
                value=tensors[i].detach().clone(),
                grad=None if grad is None else grad.detach(),
                parents=tuple(key[p] for p in parents if p in key),
            )
        )
    # The output comes last even if fn returned it before another intermediate.
    out_key = key[next(i for i, t in enumerate(tensors) if t is output)]
    nodes.sort(key=lambda n: n.key == out_key)
    return ValueGradTrace(tuple(nodes))


def format_values(t: Tensor, fmt: str = ".4g", max_items: int = 4) -> str:
    """A short text for a tensor: one number, a short list, or its shape."""
    flat = t.detach().reshape(-1)
    if flat.numel() == 1:
        return format(float(flat[0]), fmt)
    if flat.numel() <= max_items:
        return "[" + ", ".join(format(float(v), fmt) for v in flat) + "]"
    return "shape " + "×".join(str(s) for s in t.shape)


def _escape(text: str) -> str:
    return re.sub(r"([{}|<>\\])", r"\\\1", text)


def value_grad_dag(trace: ValueGradTrace, *, fmt: str = ".4g") -> graphviz.Digraph:
    """Draw a `ValueGradTrace`: ``{ name or operation | value | gradient }`` boxes.

    Inputs are blue, named intermediates lilac, the output green; nodes and edges
    are emitted in the trace's order, so the DOT text is the same on every run.
    """
    dot = new_digraph(rankdir="LR", size="9,6")
    for node in trace.nodes:
        title = (
            node.op
            if not node.name
            else (node.name if node.kind == "input" else f"{node.name} = {node.op}")
        )
        grad = "—" if node.grad is None else format_values(node.grad, fmt)
        fields = (title, f"value {format_values(node.value, fmt)}", f"grad {grad}")
        label = " | ".join(_escape(s) for s in fields)  # stacked, left to right
        fill = FILLS["op"]
        if node.kind == "input":
            fill = FILLS["leaf"]
        elif node.kind == "const":
            fill = FILLS["const"]
        elif node is trace.output:
            fill = FILLS["output"]
        elif node.name:
            fill = FILLS["named"]
        dot.node(node.key, label, shape="record", style="filled", fillcolor=fill)
    for node in trace.nodes:
        for parent in node.parents:
            dot.edge(parent, node.key)
    return dot
