"""Drawing autograd graphs as Graphviz DAGs that read the same on every run.

Every drawing is made in three steps over one small record, `Node`: a *walk* lists
the nodes of a graph in a fixed topological order, named by position (``n0, n1,
...``, never by ``id()``) and pointing at their inputs by position; a *label* step
turns one node into the text and colour of its box; one *emit* step (`emit`) writes
the boxes and edges into a Graphviz object. Three walks feed it:

* `autograd_dag` wraps torchviz's ``make_dot``: the backward graph PyTorch records,
  with inputs, parameters and chosen intermediates named. torchviz names nodes by
  ``id()``; here they are renamed ``n0, n1, ...`` in a fixed topological order, so the
  DOT text of one computation is identical on every run.
* `trace_values_and_grads` runs a small computation, records every torch operation
  and its forward value, and asks autograd for the gradient of the output with
  respect to each of them; `value_grad_dag` draws that record, one node per tensor
  labelled ``{ operation | value | gradient }``.
* `engine_trace` walks a graph of the book's own scalar engine (`gradlab.engine`)
  into the same record, so `value_grad_dag` draws it exactly as it draws torch's.

Every drawing has a transparent background, grey edges and light nodes with dark
text, so it reads on a light and on a dark page; it displays inline as SVG.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import graphviz
import torch
from torch import Tensor
from torch.overrides import TorchFunctionMode

if TYPE_CHECKING:
    from gradlab.engine import Value

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


# --- the node record and the emit step ---


@dataclass(frozen=True)
class Node:
    """One node of a graph to draw, as a walk found it.

    ``index`` is its position in the walk's topological order (its DOT name is
    ``key``, ``n{index}``); ``inputs`` are the indices of the nodes it was computed
    from. ``kind`` is "input" (a leaf), "const" (a tensor made outside the recorded
    operations), "op", "saved" (a tensor a backward step saved) or "output";
    ``op`` names the operation (with its Python-number operands, e.g. ``"× 6"``),
    ``name`` is the name the caller gave it, ``value`` the tensor (or, in the drawn
    autograd graph, the tensor whose shape is shown) and ``grad`` ∂output/∂(this
    node), same shape as ``value``, or None where no gradient flows.
    """

    index: int
    kind: str
    op: str = ""
    name: str = ""
    value: Tensor | None = None
    grad: Tensor | None = None
    inputs: tuple[int, ...] = ()

    @property
    def key(self) -> str:
        """The node's DOT name, ``n{index}``."""
        return f"n{self.index}"

    @property
    def parents(self) -> tuple[str, ...]:
        """The DOT names of the nodes it was computed from."""
        return tuple(f"n{i}" for i in self.inputs)


#: The record `trace_values_and_grads` returns, under its earlier name.
TracedNode = Node

#: How an edge from a saved tensor to the step that saved it is drawn.
SAVED_EDGE = {"style": "dashed", "arrowhead": "none"}


def emit(
    nodes: Sequence[Node],
    label: Callable[[Node], tuple[str, dict[str, str]]],
    dot: graphviz.Digraph,
    *,
    prefix: str = "",
) -> graphviz.Digraph:
    """Write ``nodes`` into ``dot``: one box per node, then one edge per input.

    ``label(node)`` gives a box's text and Graphviz attributes. Boxes and edges are
    written in the order of ``nodes`` (each node's edges in the order of its
    inputs), so the same nodes give the same DOT text. ``prefix`` goes before every
    DOT name, to draw two graphs in one picture.
    """
    kinds = {node.index: node.kind for node in nodes}
    for node in nodes:
        text, attrs = label(node)
        dot.node(prefix + node.key, text, **attrs)
    for node in nodes:
        for i in node.inputs:
            style = SAVED_EDGE if kinds[i] == "saved" else {}
            dot.edge(f"{prefix}n{i}", prefix + node.key, **style)
    return dot


# --- the autograd graph, drawn deterministically ---

SAVED_PREFIX = "_saved_"


def _shape(t: Tensor) -> str:
    return "(" + ", ".join(str(s) for s in t.shape) + ")"


def _op_name(fn: object, show_attrs: bool) -> str:
    """torchviz's label of a backward node (its class, optionally its attributes)."""
    from torchviz.dot import get_fn_name

    return get_fn_name(fn, show_attrs, max_attr_chars=24)


def _saved_tensors(fn: object) -> list[tuple[str, Tensor]]:
    """(short name, tensor) for each tensor that backward node ``fn`` saved."""
    found = []
    for attr in dir(fn):
        if not attr.startswith(SAVED_PREFIX):
            continue
        value = getattr(fn, attr)
        values = value if isinstance(value, tuple) else (value,)
        tensors = [v for v in values if isinstance(v, Tensor)]
        for i, t in enumerate(tensors):
            short = attr[len(SAVED_PREFIX) :] + (f"[{i}]" if len(tensors) > 1 else "")
            found.append((short, t))
    return found


def backward_order(root: object) -> list[object]:
    """The backward nodes ``root`` reaches, in post-order: inputs before users."""
    order: list[object] = []
    seen: list[object] = []

    def visit(fn: object) -> None:
        if any(fn is s for s in seen):
            return
        seen.append(fn)
        for child, _ in getattr(fn, "next_functions", ()):
            if child is not None:
                visit(child)
        order.append(fn)

    visit(root)
    return order


def _autograd_walk(
    output: Tensor, names: Mapping[str, Tensor], show_saved: bool, show_attrs: bool
) -> list[Node]:
    """The walk step of `autograd_dag`: leaves, backward steps, saved tensors and
    the output as `Node` records, in a fixed topological order."""
    leaf_names = [(t, k) for k, t in names.items() if t.grad_fn is None]
    step_names = [
        (t.grad_fn, k)
        for k, t in names.items()
        if t is not output and t.grad_fn is not None
    ]
    nodes: list[Node] = []
    made: list[tuple[object, int]] = []  # (backward step, the index of its node)

    def add(kind: str, **fields: object) -> int:
        nodes.append(Node(len(nodes), kind, **fields))
        return len(nodes) - 1

    for fn in backward_order(output.grad_fn):
        saved = [
            add("saved", op=short, value=t)
            for short, t in (_saved_tensors(fn) if show_saved else ())
        ]
        steps = getattr(fn, "next_functions", ())
        inputs = [_paired(made, child) for child, _ in steps if child is not None]
        if hasattr(fn, "variable"):  # AccumulateGrad: the leaf tensor it fills
            var = fn.variable
            leaf = add("input", name=_paired(leaf_names, var, ""), value=var)
            node = add("op", op="AccumulateGrad", inputs=(leaf, *inputs, *saved))
        else:
            op, name = _op_name(fn, show_attrs), _paired(step_names, fn, "")
            node = add("op", op=op, name=name, inputs=(*inputs, *saved))
        made.append((fn, node))
    out_name = next((k for k, t in names.items() if t is output), "output")
    add("output", name=out_name, value=output, inputs=(_paired(made, output.grad_fn),))
    return nodes


def _paired(pairs: Sequence[tuple[object, object]], key: object, default=None):
    """The value paired with ``key`` itself (compared by identity) in ``pairs``."""
    return next((value for k, value in pairs if k is key), default)


def _box_label(node: Node) -> tuple[str, dict[str, str]]:
    """The label step of `autograd_dag`: a box's text and fill for one node."""
    if node.kind == "input":
        text, fill = f"{node.name}\n{_shape(node.value)}".strip("\n"), "leaf"
    elif node.kind in ("saved", "output"):
        text, fill = f"{node.op or node.name}\n{_shape(node.value)}", node.kind
    elif node.name:
        text, fill = f"{node.name}\n{node.op}", "named"
    else:
        text, fill = node.op, "op"
    return text, {"fillcolor": FILLS[fill]}


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
    names = _checked_dag_inputs(output, names)
    nodes = _autograd_walk(output, names, show_saved, show_attrs)
    if len(nodes) > max_nodes:
        raise ValueError(
            f"the graph has {len(nodes)} nodes, more than max_nodes={max_nodes} that "
            "read on a page; draw a smaller part of the computation"
        )
    return emit(nodes, _box_label, new_digraph())


def _checked_dag_inputs(
    output: object, names: Mapping[str, object] | None
) -> dict[str, Tensor]:
    """``names`` as a dict, after checking that ``output`` has a graph to draw and
    that every name is given a tensor."""
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
    return names


# --- values and gradients on every node ---

#: How the recorded torch functions are shown in a node.
SYMBOLS = {
    "add": "+", "sub": "−", "mul": "×", "div": "÷", "truediv": "÷", "pow": "^",
    "neg": "−", "matmul": "@", "rsub": "−", "radd": "+", "rmul": "×",
    "rtruediv": "÷", "rdiv": "÷", "rpow": "^", "log": "ln",
}  # fmt: skip


@dataclass(frozen=True)
class ValueGradTrace:
    """Every tensor of a small computation, in execution (topological) order."""

    nodes: tuple[Node, ...]

    @property
    def output(self) -> Node:
        """The last node: the scalar whose gradient was taken."""
        return self.nodes[-1]

    def by_name(self, name: str) -> Node:
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
    leaves = _leaf_copies(inputs)
    recorder = _Recorder()
    with recorder:
        returned = fn(**leaves)
    named, output = _named_output(returned)
    tensors, found = _recorded_nodes(leaves, recorder.calls)
    if not any(output is t for t in tensors):
        raise ValueError("the output was not produced by a recorded torch operation")
    for name, tensor in named.items():
        for i, seen in enumerate(tensors):
            if seen is tensor:
                found[i] = replace(found[i], name=name)
    out = next(i for i, t in enumerate(tensors) if t is output)
    keep = _needed(found, out)
    nodes = _with_values_and_grads(found, tensors, keep, output)
    # The output comes last even if fn returned it before another intermediate.
    nodes.sort(key=lambda n: n.index == keep.index(out))
    return ValueGradTrace(tuple(nodes))


def _leaf_copies(inputs: Mapping[str, Tensor]) -> dict[str, Tensor]:
    """Copies of the inputs that require grad (the caller's tensors are left alone)."""
    leaves = {}
    for name, value in inputs.items():
        if not isinstance(value, Tensor) or not value.is_floating_point():
            raise TypeError(f"input {name!r} must be a floating-point tensor")
        leaves[name] = value.detach().clone().requires_grad_()
    return leaves


def _named_output(returned: object) -> tuple[Mapping[str, Tensor], Tensor]:
    """What the traced function returned, as (named tensors, the scalar output)."""
    named = returned._asdict() if hasattr(returned, "_asdict") else returned
    if isinstance(named, Tensor):
        named, output = {}, returned
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
    return named, output


def _recorded_nodes(
    leaves: Mapping[str, Tensor], calls: list[tuple[str, tuple, Tensor]]
) -> tuple[list[Tensor], list[Node]]:
    """Every tensor the inputs and the recorded calls hold, in order of first
    appearance, and a `Node` for each (``found[i]`` describes ``tensors[i]``); a
    tensor made outside the recorded calls is a "const"."""
    tensors: list[Tensor] = []
    found: list[Node] = []

    def index(t: Tensor) -> int:
        for i, seen in enumerate(tensors):
            if seen is t:
                return i
        tensors.append(t)
        found.append(Node(len(found), "const"))
        return len(tensors) - 1

    for name, leaf in leaves.items():
        i = index(leaf)
        found[i] = Node(i, "input", op=name, name=name)
    for func, args, result in calls:
        inputs = tuple(index(a) for a in args if isinstance(a, Tensor))
        i = index(result)
        kind = "op" if inputs or result.requires_grad else "const"
        found[i] = Node(i, kind, op=_op_label(func, args), inputs=inputs)
    return tensors, found


def _needed(found: Sequence[Node], out: int) -> list[int]:
    """The positions of the inputs and of every node the output ``out`` depends on,
    in order: recorded tensors it does not depend on (shape helpers, say) drop out."""
    needed = {out}
    for i in range(len(found) - 1, -1, -1):
        if i in needed:
            needed.update(found[i].inputs)
    return sorted(needed | {n.index for n in found if n.kind == "input"})


def _with_values_and_grads(
    found: Sequence[Node], tensors: Sequence[Tensor], keep: list[int], output: Tensor
) -> list[Node]:
    """The nodes at positions ``keep``, renumbered 0, 1, ..., with their values and
    ∂output/∂value (zeros for a tensor that requires grad but does not reach the
    output, None for one that does not require grad)."""
    wanted = [i for i in keep if tensors[i].requires_grad]
    grads = torch.autograd.grad(output, [tensors[i] for i in wanted], allow_unused=True)
    grad_of = dict(zip(wanted, grads, strict=True))
    new = {old: position for position, old in enumerate(keep)}
    nodes = []
    for i in keep:
        grad = grad_of.get(i)
        if grad is None and tensors[i].requires_grad:
            grad = torch.zeros_like(tensors[i])
        node = found[i]
        nodes.append(
            replace(
                node,
                index=new[i],
                op=node.op or ("const" if node.kind == "const" else ""),
                value=tensors[i].detach().clone(),
                grad=None if grad is None else grad.detach(),
                inputs=tuple(new[p] for p in node.inputs if p in new),
            )
        )
    return nodes


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


def _record_label(node: Node, is_output: bool, fmt: str) -> tuple[str, dict]:
    """The label step of `value_grad_dag`: ``title | value | grad`` and a fill."""
    title = (
        node.op
        if not node.name
        else (node.name if node.kind == "input" else f"{node.name} = {node.op}")
    )
    grad = "—" if node.grad is None else format_values(node.grad, fmt)
    fields = (title, f"value {format_values(node.value, fmt)}", f"grad {grad}")
    text = " | ".join(_escape(s) for s in fields)  # stacked, left to right
    fill = FILLS["op"]
    if node.kind == "input":
        fill = FILLS["leaf"]
    elif node.kind == "const":
        fill = FILLS["const"]
    elif is_output:
        fill = FILLS["output"]
    elif node.name:
        fill = FILLS["named"]
    return text, {"shape": "record", "style": "filled", "fillcolor": fill}


def value_grad_dag(trace: ValueGradTrace, *, fmt: str = ".4g") -> graphviz.Digraph:
    """Draw a `ValueGradTrace`: ``{ name or operation | value | gradient }`` boxes.

    Inputs are blue, named intermediates lilac, the output green; nodes and edges
    are emitted in the trace's order, so the DOT text is the same on every run.
    """
    last = trace.output.index
    return emit(
        trace.nodes,
        lambda node: _record_label(node, node.index == last, fmt),
        new_digraph(rankdir="LR", size="9,6"),
    )


# --- the book's own engine, drawn by the same steps ---


def engine_trace(
    output: Value,
    names: Mapping[str, Value] | None = None,
    *,
    max_nodes: int = MAX_NODES,
) -> ValueGradTrace:
    """The graph of a `gradlab.engine.Value` as a `ValueGradTrace`, the walk step
    for the engine: `value_grad_dag` then draws it as it draws torch's.

    Call it after ``output.backward()``. ``names`` names leaves and intermediates.
    Named leaves come first, in the order of ``names``, then the other nodes in the
    engine's topological order; Python numbers mixed in are folded into the label
    of the operation that used them (``"× 6"``), as `trace_values_and_grads` shows
    them. Values and gradients become float64 tensors.

    >>> from gradlab.engine import Value
    >>> x = Value(3.5)
    >>> y = x**2
    >>> y.backward()
    >>> [n.op for n in engine_trace(y, {"x": x}).nodes]
    ['x', '^ 2']
    """
    from gradlab.engine import Value

    if not isinstance(output, Value):
        raise TypeError(f"output must be an engine Value, got {type(output).__name__}")
    names = dict(names or {})
    walk = _engine_walk(output, names, max_nodes)
    return ValueGradTrace(tuple(_engine_node(i, walk, names) for i in range(len(walk))))


def _engine_node(i: int, walk: Sequence[Value], names: Mapping[str, Value]) -> Node:
    """The `Node` of ``walk[i]``, its inputs pointing at their positions in ``walk``."""
    value = walk[i]
    name = next((k for k, v in names.items() if v is value), "")
    numbers = [format(c.data, "g") for c in value.inputs if c.op == "const"]
    inputs = [c for c in value.inputs if c.op != "const"]
    return Node(
        i,
        "op" if value.inputs else "input",
        op=" ".join([value.op, *numbers]) if value.inputs else name or "leaf",
        name=name,
        value=torch.tensor(value.data, dtype=torch.float64),
        grad=torch.tensor(value.grad, dtype=torch.float64),
        inputs=tuple(next(j for j, w in enumerate(walk) if w is c) for c in inputs),
    )


def _engine_walk(
    output: Value, names: Mapping[str, Value], max_nodes: int
) -> list[Value]:
    """The engine values ``output`` depends on (Python numbers left out), named
    leaves first in the order of ``names``, then the rest in topological order."""
    from gradlab.engine import topological_order

    walk = [v for v in topological_order(output) if v.op != "const"]
    if len(walk) > max_nodes:
        raise ValueError(
            f"the graph has {len(walk)} nodes, more than max_nodes={max_nodes}"
        )
    first = [v for v in names.values() if not v.inputs and any(v is w for w in walk)]
    return first + [v for v in walk if not any(v is f for f in first)]


def side_by_side(
    traces: Mapping[str, ValueGradTrace], *, fmt: str = ".4g"
) -> graphviz.Digraph:
    """Several `ValueGradTrace` drawings in one picture, one titled frame each.

    Each frame is `value_grad_dag`'s drawing, its DOT names prefixed ``g0_``,
    ``g1_``, ... in the order of ``traces``.
    """
    dot = new_digraph(rankdir="LR", size="9,9")
    for i, (title, trace) in enumerate(traces.items()):
        last = trace.output.index
        with dot.subgraph(name=f"cluster_{i}") as frame:
            frame.attr(label=title, color=EDGE, style="rounded", fontname="Helvetica")
            emit(
                trace.nodes,
                lambda node, last=last: _record_label(node, node.index == last, fmt),
                frame,
                prefix=f"g{i}_",
            )
    return dot
