"""The scalar engine against torch (float64) and central finite differences.

Every expression of the chapters is built in `gradlab.engine` and in torch, then
random compositions of every supported operation at random points.
"""

import math
import random

import gradlab
import pytest
import torch
from gradlab.engine import Value, closure_add, closure_mul, topological_order
from gradlab.engine_mlp import MLP, Layer
from gradlab.experiments import engine as engine_lab
from gradlab.gradcheck import numerical_gradient
from gradlab.graphs import engine_trace, trace_values_and_grads, value_grad_dag

REL = 1e-12
F64 = torch.float64


def close(a: float, b: float, rel: float = REL) -> bool:
    return a == pytest.approx(b, rel=rel, abs=rel * 1e-3)


def leaves(*numbers: float) -> tuple[list[Value], list[torch.Tensor]]:
    values = [Value(n) for n in numbers]
    tensors = [torch.tensor(n, dtype=F64, requires_grad=True) for n in numbers]
    return values, tensors


def assert_same(out: Value, ref: torch.Tensor, values, tensors) -> None:
    out.backward()
    ref.backward()
    assert close(out.data, ref.item())
    for v, t in zip(values, tensors, strict=True):
        assert close(v.grad, t.grad.item()), (v.grad, t.grad.item())


# --- the chapters' expressions ---


@pytest.mark.parametrize("point", [(2.0, 4.0), (-0.7, 0.3), (1.3, -2.1)])
def test_composite_matches_torch_and_the_closed_form(point):
    values, tensors = leaves(*point)
    nodes = engine_lab.composite_values(*values)
    assert_same(nodes["z4"], gradlab.functions.composite(*tensors), values, tensors)
    closed = gradlab.functions.composite_node_grads(*(t.detach() for t in tensors))
    for name, node in nodes.items():
        assert close(node.grad, float(closed[name]))


@pytest.mark.parametrize("point", [(0.5, 1.0, 2.0), (-0.2, 2.0, 1.5)])
def test_tanh_log_matches_torch_and_the_closed_form(point):
    values, tensors = leaves(*point)
    x, y, z = values
    out = (1 + z * (2 * x / y.sin())).log().tanh()
    assert_same(out, gradlab.functions.tanh_log(*tensors), values, tensors)
    closed = gradlab.functions.tanh_log_grad(*(t.detach() for t in tensors))
    for v, c in zip(values, closed, strict=True):
        assert close(v.grad, float(c))


@pytest.mark.parametrize("w", [1.0, -0.4, 0.3])
def test_relu_graph_matches_torch_and_the_hand_formula(w):
    x, b, t = 2.0, 4.0, 3.0
    values, tensors = leaves(w)
    loss = (((x + b) * values[0]).relu() - t) ** 2 + values[0] ** 2
    ref = gradlab.functions.relu_graph(
        *(torch.tensor(v, dtype=F64) for v in (x, b)), tensors[0], torch.tensor(t)
    ).l
    assert_same(loss, ref, values, tensors)
    hand = gradlab.functions.relu_graph_grad_w(
        *(torch.tensor(v, dtype=F64) for v in (x, b, w, t))
    )
    assert close(values[0].grad, float(hand))


def test_neuron_matches_torch_and_the_hand_formula():
    values, tensors = leaves(-0.5, 0.5)
    w, b = values
    loss = (7.0 - (w * 1.0 + b).tanh()) ** 2
    one, seven = torch.tensor(1.0, dtype=F64), torch.tensor(7.0, dtype=F64)
    assert_same(
        loss, gradlab.functions.neuron_loss(*tensors, one, seven), values, tensors
    )
    hand = gradlab.functions.neuron_loss_grad(
        *(t.detach() for t in tensors), one, seven
    )
    assert [w.grad, b.grad] == pytest.approx([float(h) for h in hand], rel=REL)


@pytest.mark.parametrize("seed", range(3))
def test_mlp_of_values_matches_torch(seed):
    layers = engine_lab.init_layers(engine_lab.TOY_SIZES, seed=seed)
    params = engine_lab.as_values(layers)
    loss = engine_lab.squared_error(params)
    loss.backward()
    tensors = [
        (w.clone().requires_grad_(), b.clone().requires_grad_()) for w, b in layers
    ]
    x = torch.tensor(engine_lab.TOY_INPUTS, dtype=F64)
    y = torch.tensor(engine_lab.TOY_TARGETS, dtype=F64)
    ref = ((engine_lab.torch_mlp(x, tensors) - y) ** 2).sum()
    ref.backward()
    assert close(loss.data, ref.item())
    for layer, (w, b) in zip(params, tensors, strict=True):
        grads = torch.cat([w.grad, b.grad[:, None]], dim=1)
        for neuron, row in zip(layer, grads, strict=True):
            for p, g in zip(neuron, row, strict=True):
                assert close(p.grad, g.item())


# --- random expressions ---

UNARY = {
    "exp": (lambda v: v.exp(), torch.exp, lambda a: a < 5),
    "log": (lambda v: v.log(), torch.log, lambda a: a > 0.1),
    "tanh": (lambda v: v.tanh(), torch.tanh, lambda a: True),
    "relu": (lambda v: v.relu(), torch.relu, lambda a: abs(a) > 1e-3),
    "sin": (lambda v: v.sin(), torch.sin, lambda a: True),
    "cos": (lambda v: v.cos(), torch.cos, lambda a: True),
    "neg": (lambda v: -v, torch.neg, lambda a: True),
    "square": (lambda v: v**2, lambda t: t**2, lambda a: True),
    "cube": (lambda v: v**3, lambda t: t**3, lambda a: True),
    "sqrt": (lambda v: v**0.5, lambda t: t**0.5, lambda a: a > 0.1),
    "inverse": (lambda v: v**-1, lambda t: t**-1, lambda a: abs(a) > 0.1),
}
BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
}


def random_expression(rng: random.Random, n_inputs: int = 3, n_ops: int = 10):
    """A random point and a random expression: ``(point, build)``.

    ``build(leaves, engine=...)`` applies the same plan of operations to engine
    Values or to torch tensors. Operands are drawn from all nodes so far (so nodes
    are shared), Python numbers mix in on either side, and an operation is redrawn
    where its operand is outside a safe domain at the point.
    """
    point = [rng.uniform(-1.5, 1.5) for _ in range(n_inputs)]
    plan: list[tuple] = []
    probe = [Value(p) for p in point]
    while len(plan) < n_ops:
        j = rng.randrange(len(probe))  # mostly the last node: a deep expression
        i = len(probe) - 1 if rng.random() < 0.6 else rng.randrange(len(probe))
        if rng.random() < 0.5:
            name = rng.choice(sorted(UNARY))
            step = (name, i, None, None)
            safe = UNARY[name][2](probe[i].data)
        else:
            name = rng.choice(sorted(BINARY))
            number = rng.choice([None, None, round(rng.uniform(-3, 3), 2)])
            side = rng.choice(["left", "right"])
            step = (name, i, j, None if number is None else (number, side))
            divisor = {"left": probe[i].data, "right": number}[side]
            divisor = probe[j].data if number is None else divisor
            safe = name != "div" or abs(divisor) > 0.2
        if safe and abs(apply(step, probe, engine=True).data) < 1e3:
            probe.append(apply(step, probe, engine=True))
            plan.append(step)

    def build(inputs, *, engine: bool):
        nodes = list(inputs)
        for step in plan:
            nodes.append(apply(step, nodes, engine=engine))
        return nodes[-1]

    return point, build


def apply(step, nodes, *, engine: bool):
    """One planned operation on ``nodes`` (engine Values or torch tensors)."""
    name, i, j, number = step
    if name in UNARY:
        return UNARY[name][0 if engine else 1](nodes[i])
    if number is None:
        return BINARY[name](nodes[i], nodes[j])
    value, side = number
    if side == "left":
        return BINARY[name](value, nodes[i])
    return BINARY[name](nodes[i], value)


def test_random_expressions_use_every_operation():
    used = set()
    for seed in range(40):
        point, build = random_expression(random.Random(seed))
        out = build([Value(p) for p in point], engine=True)
        used.update(v.op.split()[0] for v in topological_order(out) if v.inputs)
    assert used == {"+", "−", "×", "÷", "^", "exp", "ln", "tanh", "relu", "sin", "cos"}


@pytest.mark.parametrize("seed", range(40))
def test_random_expressions_match_torch(seed):
    point, build = random_expression(random.Random(seed))
    values, tensors = leaves(*point)
    out, ref = build(values, engine=True), build(tensors, engine=False)
    if not ref.requires_grad:  # the output does not depend on any input
        return
    out.backward()
    ref.backward()
    assert close(out.data, ref.item())
    for v, t in zip(values, tensors, strict=True):
        expected = 0.0 if t.grad is None else t.grad.item()
        assert v.grad == pytest.approx(expected, rel=REL, abs=1e-14)


@pytest.mark.parametrize("seed", range(40))
def test_random_expressions_match_finite_differences(seed):
    point, build = random_expression(random.Random(seed))
    values = [Value(p) for p in point]
    out = build(values, engine=True)
    out.backward()
    for k, v in enumerate(values):

        def along(h, k=k):
            moved = [p + (float(h) if i == k else 0.0) for i, p in enumerate(point)]
            out = build([Value(m) for m in moved], engine=True)
            return torch.tensor(out.data, dtype=F64)

        numeric = numerical_gradient(along, torch.tensor(0.0, dtype=F64), eps=1e-6)
        assert v.grad == pytest.approx(float(numeric), rel=1e-6, abs=1e-7)


# --- the machine ---


def test_every_operation_mixes_with_numbers_on_either_side():
    x = Value(2.0)
    pairs = [
        (x + 1, 3.0), (1 + x, 3.0), (x - 1, 1.0), (1 - x, -1.0), (x * 3, 6.0),
        (3 * x, 6.0), (x / 4, 0.5), (4 / x, 2.0), (x**3, 8.0), (-x, -2.0),
    ]  # fmt: skip
    for out, expected in pairs:
        assert out.data == expected


def test_topological_order_visits_each_node_once_inputs_first():
    x = Value(1.5)
    y = x * x + x.sin() * x
    order = topological_order(y)
    assert len(order) == len({id(v) for v in order}) == 5
    for position, node in enumerate(order):
        for child in node.inputs:
            assert order.index(child) < position
    assert order == topological_order(y)


def test_a_long_chain_does_not_hit_the_recursion_limit():
    x = Value(0.5)
    y = x
    for _ in range(5000):
        y = y * 1.0001
    y.backward()
    assert close(x.grad, 1.0001**5000, rel=1e-10)


def test_leaves_accumulate_like_torch_and_zero_grad_resets():
    x = Value(3.0)
    y = x * x
    y.backward()
    y.backward()
    t = torch.tensor(3.0, dtype=F64, requires_grad=True)
    (t * t).backward()
    (t * t).backward()
    assert x.grad == t.grad.item() == 12.0
    y.zero_grad()
    assert x.grad == 0.0 and y.grad == 0.0


def test_bad_input_is_rejected():
    with pytest.raises(TypeError, match="real number"):
        Value("2")
    with pytest.raises(TypeError, match="exponent"):
        Value(2.0) ** Value(3.0)
    with pytest.raises(ValueError, match="positive"):
        Value(-1.0).log()
    with pytest.raises(ValueError, match="negative"):
        Value(-2.0) ** 0.5


# --- drawing: the same nodes as torch's ---


def _rows(trace):
    return sorted(
        (n.op, n.name, n.kind, round(float(n.value), 9), round(float(n.grad), 9))
        for n in trace.nodes
    )


def test_engine_graph_has_torch_nodes_values_and_gradients():
    x, y = Value(2.0), Value(4.0)
    nodes = engine_lab.composite_values(x, y)
    nodes["z4"].backward()
    engine = engine_trace(nodes["z4"], nodes)
    torch_trace = trace_values_and_grads(
        gradlab.functions.composite_parts,
        x=torch.tensor(2.0, dtype=F64),
        y=torch.tensor(4.0, dtype=F64),
    )
    assert _rows(engine) == _rows(torch_trace)
    assert engine.output.name == "z4"
    source = value_grad_dag(engine).source
    assert source == value_grad_dag(engine_trace(nodes["z4"], nodes)).source
    assert "z1 = exp" in source and "× 6" in source


def test_engine_trace_rejects_bad_input():
    with pytest.raises(TypeError, match="engine Value"):
        engine_trace(torch.tensor(1.0))
    x = Value(1.0)
    y = x
    for _ in range(70):
        y = y.sin()
    with pytest.raises(ValueError, match="max_nodes"):
        engine_trace(y)


def test_side_by_side_draws_both_graphs_in_frames():
    x = Value(3.5)
    y = x**2
    y.backward()
    both = gradlab.graphs.side_by_side(
        {
            "torch": trace_values_and_grads(lambda x: x**2, x=torch.tensor(3.5)),
            "engine": engine_trace(y, {"x": x}),
        }
    ).source
    assert "subgraph cluster_0" in both and "subgraph cluster_1" in both
    assert "g0_n0 -> g0_n1" in both and "g1_n0 -> g1_n1" in both


# --- the chapter's experiments ---


@pytest.mark.parametrize("seed", range(4))
def test_twins_train_to_the_same_numbers_and_the_loss_falls(seed):
    run = engine_lab.train_twins(seed=seed)
    for a, b in zip(run.engine_losses, run.torch_losses, strict=True):
        assert close(a, b, rel=1e-12)
    assert run.engine_losses[-1] < 0.05 * run.engine_losses[0]
    assert all(math.isfinite(v) for v in run.engine_losses)


def test_backward_cost_grows_with_the_nodes_in_the_engine_only():
    rows = engine_lab.backward_cost((10, 1000), repeats=3)
    small, large = rows
    assert large.engine_nodes == 5 * large.n + 1
    assert small.torch_nodes == large.torch_nodes
    # the claims of the chapter, with wide margins
    assert large.engine_seconds > 10 * large.torch_seconds
    assert large.engine_seconds > 10 * small.engine_seconds
    assert large.torch_seconds < 10 * small.torch_seconds


def test_backward_cost_keeps_one_ratio_per_repeat():
    (row,) = engine_lab.backward_cost((50,), repeats=4)
    assert len(row.speedups) == 4 and all(r > 0 for r in row.speedups)


def test_closure_nodes_accumulate_and_the_overwriting_ones_do_not():
    x = Value(2.5)
    closure_add(closure_mul(x, x), x).backward()  # d(x² + x)/dx = 2x + 1
    assert x.grad == 6.0
    x = Value(2.5)
    engine_lab.closure_mul_overwriting(x, x).backward()
    assert x.grad == 2.5  # the bug: half of 2x


def test_engine_mlp_matches_the_list_mlp_and_torch():
    layers = engine_lab.init_layers((3, 4, 2, 1), seed=2)
    model = MLP(layers)
    assert len(model.parameters()) == 4 * 4 + 2 * 5 + 1 * 3
    x = engine_lab.TOY_INPUTS[1]
    out = model(x)
    ref = engine_lab.torch_mlp(torch.tensor([x], dtype=torch.float64), layers)
    assert close(out.data, float(ref[0]), rel=1e-13)
    twin = engine_lab.value_mlp(x, engine_lab.as_values(layers))
    assert out.data == twin.data
    out.backward()
    params = [
        (w.clone().requires_grad_(), b.clone().requires_grad_()) for w, b in layers
    ]
    engine_lab.torch_mlp(
        torch.tensor([x], dtype=torch.float64), params
    ).sum().backward()
    # per neuron: its weights, then its bias, as MLP.parameters() lists them
    torch_grads = torch.cat(
        [torch.cat([w.grad, b.grad[:, None]], 1).flatten() for w, b in params]
    )
    pairs = zip(model.parameters(), torch_grads.tolist(), strict=True)
    assert all(close(p.grad, g, rel=1e-12) for p, g in pairs)
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())
    assert len(model.layers[0](x)) == 4


def test_engine_mlp_layers_reject_mismatched_biases():
    with pytest.raises(ValueError, match="biases"):
        Layer([[1.0, 2.0]], [0.0, 1.0])


def test_bad_settings_are_rejected():
    with pytest.raises(ValueError, match="sizes"):
        engine_lab.init_layers((3,), seed=0)
    with pytest.raises(ValueError, match="steps"):
        engine_lab.train_twins(steps=0)


def test_exercise_gradients_and_accumulation():
    # autograd-from-scratch.md, exercise 2: ∂(xy + x)/∂x = y + 1, ∂/∂y = x, and a
    # second backward() adds them again; torch refuses a second pass without
    # retain_graph.
    x, y = Value(3.0), Value(-2.0)
    out = x * y + x
    out.backward()
    assert (x.grad, y.grad) == (-1.0, 3.0)
    out.backward()
    assert (x.grad, y.grad) == (-2.0, 6.0)
    xt = torch.tensor(3.0, requires_grad=True)
    ref = xt * torch.tensor(-2.0, requires_grad=True) + xt
    ref.backward()
    with pytest.raises(RuntimeError, match="second time"):
        ref.backward()
