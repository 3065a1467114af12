"""The sentences of book/computation-graphs.md that compare or explain, each as a test
that fails when the sentence stops being true. The quoted words are the chapter's.
(Every gradient the chapter shows is checked three ways in tests/test_functions.py
and tests/test_graphs.py.)"""

import gradlab
import pytest
import torch
from gradlab import functions as fn
from gradlab.graphs import autograd_dag, trace_values_and_grads
from torch.utils.flop_counter import FlopCounterMode

#: Sentences of the chapter, re-run over seeds: `make claims`, not `make unit`.
pytestmark = pytest.mark.claims

F64 = torch.float64


def _flops(step) -> int:
    with FlopCounterMode(display=False) as counter:
        step()
    return counter.get_total_flops()


def test_the_backward_pass_costs_a_small_multiple_of_the_forward_pass():
    """Claim: "for a scalar output the whole gradient, with respect to every input at
    once, costs a small constant multiple of the forward pass": counted in
    floating-point operations for networks of growing size, the ratio stays put."""
    ratios = []
    for width in (16, 64, 256):
        gen = torch.Generator().manual_seed(0)
        x = torch.randn(32, width, generator=gen)
        w1 = torch.randn(width, width, generator=gen, requires_grad=True)
        w2 = torch.randn(width, 1, generator=gen, requires_grad=True)
        loss = None

        def forward(x=x, w1=w1, w2=w2):
            nonlocal loss
            loss = (torch.tanh(x @ w1) @ w2).square().mean()

        forward_flops = _flops(forward)
        backward_flops = _flops(loss.backward)
        ratios.append(backward_flops / forward_flops)
    assert all(1 <= r <= 3 for r in ratios), ratios
    assert max(ratios) - min(ratios) < 0.5, ratios


def test_a_is_not_recorded_and_the_maximum_passes_its_input_through():
    """Claim: "a.grad_fn is None: a = x + b involves no tensor that requires a
    gradient"; "Here a w ... positive, so the maximum passes its input through with
    local derivative 1"."""
    w = torch.tensor(1.0, requires_grad=True)
    x, b, t = torch.tensor(2.0), torch.tensor(4.0), torch.tensor(3.0)
    a, y, _ = fn.relu_graph(x, b, w, t)
    assert a.grad_fn is None and not a.requires_grad
    assert float(a * w.detach()) > 0
    (dy_dw,) = torch.autograd.grad(y, w)
    assert float(dy_dw) == float(a)  # the local derivative of the maximum is 1


def test_the_drawing_is_deterministic_but_a_grad_fn_prints_its_address():
    """Claim: "its memory address, which changes from run to run; its name() does
    not"."""
    w = torch.tensor(1.0, requires_grad=True)
    losses = [fn.relu_graph(torch.tensor(2.0), torch.tensor(4.0), w, torch.tensor(3.0))]
    losses.append(
        fn.relu_graph(torch.tensor(2.0), torch.tensor(4.0), w, torch.tensor(3.0))
    )
    first, second = (r.y.grad_fn for r in losses)
    assert "0x" in repr(first) and repr(first) != repr(second)
    assert first.name() == second.name() == "ClampBackward1"
    sources = [autograd_dag(r.l, {"w": w, "l": r.l}).source for r in losses]
    assert sources[0] == sources[1] and "0x" not in sources[0]


def test_the_tanh_log_graph_has_seven_operations_on_one_path_from_x():
    """Claim: "the work splits into seven easy operations"; "the single path from x"; "e
    = ln u" is drawn as ln."""
    point = {k: torch.tensor(v, dtype=F64) for k, v in (("x", 0.5), ("y", 1), ("z", 2))}
    trace = trace_values_and_grads(fn.tanh_log_parts, **point)
    ops = [n for n in trace.nodes if n.kind == "op"]
    assert len(ops) == 7
    assert trace.by_name("e").op == "ln"
    x = trace.by_name("x").index
    assert sum(x in n.inputs for n in trace.nodes) == 1  # x feeds one node only
    # the product of the local derivatives along that path is the gradient
    v = {n: trace.by_name(n).value for n in ("b", "u", "e", "z")}
    by_path = (1 - torch.tanh(v["e"]) ** 2) / v["u"] * 1 * v["z"] / v["b"] * 2
    torch.testing.assert_close(by_path, trace.by_name("x").grad)


def test_both_inputs_of_the_composite_feed_more_than_one_path():
    """Claim: "Both inputs feed more than one path to the output"; "x reaches the output
    through z3 and z2, and y through z2 and z1"."""
    trace = trace_values_and_grads(
        fn.composite_parts,
        x=torch.tensor(2.0, dtype=F64),
        y=torch.tensor(4.0, dtype=F64),
    )
    index = {n.name: n.index for n in trace.nodes if n.name}

    def reaches(start: int, goal: int) -> bool:
        frontier = {start}
        for node in trace.nodes:  # topological order: inputs before their users
            if frontier & set(node.inputs):
                frontier.add(node.index)
        return goal in frontier

    assert reaches(index["x"], index["z3"]) and reaches(index["x"], index["z2"])
    assert not reaches(index["x"], index["z1"])
    assert reaches(index["y"], index["z2"]) and reaches(index["y"], index["z1"])
    assert not reaches(index["y"], index["z3"])


def test_the_y_gradient_is_tiny_because_exp_minus_four_is():
    """Claim: "The gradient of y is tiny because e^(−4) is: the first term hardly
    depends on y there"."""
    dfdx, dfdy = fn.composite_grad(
        torch.tensor(2.0, dtype=F64), torch.tensor(4.0, dtype=F64)
    )
    assert abs(float(dfdy)) < 1e-2 < 1e3 * abs(float(dfdy)) < abs(float(dfdx))
    # the same function with e^(−y) replaced by 1 has a y-gradient far larger
    y = torch.tensor(4.0, dtype=F64, requires_grad=True)
    (6 / (1 + 2.0**2 + y**2)).backward()
    assert abs(float(y.grad)) > 10 * abs(float(dfdy))


def test_the_inputs_grad_stays_none_and_parameter_grads_have_their_shapes():
    """Claim: "every parameter has a gradient of its own shape"; "the input's .grad
    stays None"."""
    net = fn.sigmoid_net(seed=0)
    x = torch.randn(3, generator=torch.Generator().manual_seed(1))
    net(x).sum().backward()
    assert x.grad is None
    assert all(p.grad.shape == p.shape for p in net.parameters())
    assert (
        gradlab.functions.sigmoid_net_grads(net, x).keys()
        == dict(net.named_parameters()).keys()
    )


# --- torchviz beside autograd_dag ---


def test_torchviz_names_nodes_by_address_and_the_renumbered_drawing_is_stable():
    """Claim: "torchviz names each node by its memory address, which changes on every
    run (we replaced them by numbers above ...)"; it "names only parameters"; the
    value-and-gradient drawing "writes the forward value and the gradient into every
    box, which make_dot does not"."""
    import re

    import torchviz
    from gradlab.figures.computation_graphs import (
        _square_output_and_input,
        make_dot_numbered,
    )

    pairs = [_square_output_and_input() for _ in range(2)]
    raw = [torchviz.make_dot(y, params={"x": x}).source for y, x in pairs]
    addresses = [set(re.findall(r"\b\d{6,}\b", s)) for s in raw]
    assert addresses[0] and addresses[0] != addresses[1]
    y, x = pairs[0]
    assert {str(id(x)), str(id(y.grad_fn))} <= addresses[0]
    numbered = [make_dot_numbered(p).source for p in pairs]
    assert numbered[0] == numbered[1] and not re.search(r"\d{6,}", numbered[0])
    assert '"x\n ()"' in numbered[0] and 'label="\n ()"' in numbered[0]
    assert "12.25" not in numbered[0] and "3.5" not in numbered[0]  # no values


def test_the_value_grad_boxes_agree_with_the_table():
    """Claim: the x box shows ∂f/∂x "to the five significant digits the boxes show (so
    that it is not rounded up to 24)"."""
    trace = trace_values_and_grads(
        fn.composite_parts, x=torch.tensor(2.0), y=torch.tensor(4.0)
    )
    grad = float(trace.by_name("x").grad)
    assert f"{grad:.4g}" == "24" and f"{grad:.5g}" == "23.999"
    assert f"{grad:.4f}" == "23.9990"  # the table's digits
    source = gradlab.value_grad_dag(trace, fmt=".5g").source
    assert "23.999" in source


# --- the kink ---

CONVENTIONS = {
    "clamp": lambda u: u.clamp(min=0),
    "relu": torch.relu,
    "maximum": lambda u: torch.maximum(u, torch.zeros((), dtype=u.dtype)),
}


def _kinked(max0):
    return lambda w: ((max0(6.0 * w) - 3.0) ** 2 + w**2).sum()


def test_each_convention_picks_one_slope_at_the_kink():
    """Claim: "clamp takes the slope from the right, 1; relu the one from the left, 0;
    maximum ... splits the gradient" (½); ∂ℓ/∂w = −36, 0 or −18 while the formula says
    0; the one-sided derivatives are 0 and −36; "clamp reports the right derivative,
    relu the left one and maximum their average"; the conventions "agree wherever the
    function has a derivative"."""
    slopes, grads = {}, {}
    for name, max0 in CONVENTIONS.items():
        u = torch.tensor(0.0, dtype=F64, requires_grad=True)
        (slopes[name],) = torch.autograd.grad(max0(u), u)
        w = torch.zeros(1, dtype=F64, requires_grad=True)
        (grads[name],) = torch.autograd.grad(_kinked(max0)(w), w)
        for at in (-0.7, -1e-3, 1e-3, 0.9):  # away from the kink: all the same
            v = torch.tensor(at, dtype=F64, requires_grad=True)
            (g,) = torch.autograd.grad(max0(v), v)
            assert float(g) == (1.0 if at > 0 else 0.0)
    assert [float(s) for s in slopes.values()] == [1.0, 0.0, 0.5]
    assert [float(g) for g in grads.values()] == [-36.0, 0.0, -18.0]
    formula = fn.relu_graph_grad_w(
        *(torch.tensor(v, dtype=F64) for v in (2.0, 4.0, 0.0, 3.0))
    )
    assert float(formula) == 0.0
    ell, h, w0 = _kinked(torch.relu), 1e-6, torch.zeros(1, dtype=F64)
    left = float((ell(w0) - ell(w0 - h)) / h)
    right = float((ell(w0 + h) - ell(w0)) / h)
    assert abs(left) < 1e-4 and abs(right + 36) < 1e-4
    assert float(grads["clamp"]) == round(right) and float(grads["relu"]) == 0
    assert float(grads["maximum"]) == (round(left) + round(right)) / 2


def test_every_slope_between_the_one_sided_ones_is_a_subgradient_of_the_max():
    """Claim: for max(u, 0) "every slope between the left and the right derivative,
    here every g ∈ [0, 1], is a subgradient: the line through the kink with that slope
    stays below the graph"; slopes outside do not."""
    u = torch.linspace(-3, 3, 601, dtype=F64)
    for g in (0.0, 0.3, 0.5, 1.0):
        assert bool((u.clamp(min=0) >= g * u).all())
    for g in (-0.1, 1.1):
        assert not bool((u.clamp(min=0) >= g * u).all())


def test_relus_convention_never_leaves_the_kink_while_the_others_descend():
    """Claim: "With relu's convention the gradient at w = 0 is exactly zero, so
    gradient descent never moves ...; The other two conventions step off the kink and
    lower it"; "although ℓ falls to the right"."""
    runs = {
        name: gradlab.gradient_descent(_kinked(m), [0.0], lr=0.01, steps=100)
        for name, m in CONVENTIONS.items()
    }
    assert bool((runs["relu"].params == 0).all())
    assert runs["relu"].final_loss == runs["relu"].losses[0] == 9.0
    for name in ("clamp", "maximum"):
        assert runs[name].final_loss < 0.1 * runs[name].losses[0]
        assert float(runs[name].params[-1, 0]) > 0
    ell = _kinked(torch.relu)
    assert float(ell(torch.tensor([1e-3]))) < float(ell(torch.zeros(1)))


# --- backprop on a batch ---


def test_the_gate_patterns():
    """Claim: "Add distributes", "Multiply swaps and scales", "Max routes ... (a tie
    splits it)", and gradients from several uses of one value "add up"."""
    gen = torch.Generator().manual_seed(0)
    for _ in range(5):
        p, q, up = torch.randn(3, generator=gen, dtype=F64)
        p.requires_grad_(), q.requires_grad_()
        for gate, want in (
            (torch.add, (up, up)),
            (torch.mul, (up * q, up * p)),
            (torch.maximum, (up * (p > q), up * (q > p))),
        ):
            got = torch.autograd.grad(gate(p, q), (p, q), up)
            torch.testing.assert_close(got, tuple(w.to(F64) for w in want))
        (twice,) = torch.autograd.grad(torch.sin(p) + p * q, p)
        torch.testing.assert_close(twice, torch.cos(p) + q)
    p = torch.tensor(1.0, requires_grad=True)
    assert [float(g) for g in torch.autograd.grad(torch.maximum(p, p * 1), p)] == [1.0]


def test_the_linear_backward_and_the_two_layer_backprop_match_autograd():
    """Claim: the three gradients "have the shapes of X, W and b and match autograd's
    to round-off (largest difference below 1e-12)"; the hand-written backward pass
    "agrees with autograd to round-off ... and the batch's gradient is the mean of the
    one-example gradients"."""
    from gradlab.batched import linear_backward, two_layer, two_layer_backprop

    gen = torch.Generator().manual_seed(0)
    x, w, b, delta = (
        torch.randn(*s, generator=gen, dtype=F64)
        for s in ((4, 3), (3, 2), (2,), (4, 2))
    )
    leaves = [v.clone().requires_grad_() for v in (x, w, b)]
    (leaves[0] @ leaves[1] + leaves[2]).backward(delta)
    for hand, leaf in zip(linear_backward(x, w, delta), leaves, strict=True):
        assert hand.shape == leaf.shape
        assert float((hand - leaf.grad).abs().max()) < 1e-12
    net = two_layer(3, 5, 2, seed=0)
    gen = torch.Generator().manual_seed(1)
    xb, tb = (torch.randn(8, k, generator=gen, dtype=F64) for k in (3, 2))
    hand = two_layer_backprop(net, xb, tb)
    params = {k: v.clone().requires_grad_() for k, v in vars(net).items()}
    type(net)(**params).loss(xb, tb).backward()
    for k in hand:
        assert float((hand[k] - params[k].grad).abs().max()) < 1e-12
        one_by_one = [
            two_layer_backprop(net, xb[n : n + 1], tb[n : n + 1])[k] for n in range(8)
        ]
        assert float((hand[k] - sum(one_by_one) / 8).abs().max()) < 1e-12


def test_saved_activations_grow_with_depth_times_batch_and_exceed_the_weights():
    """Claim: "Each entry is exactly (depth + 1) × batch × width × 4 bytes"; "The
    memory grows in proportion to the depth times the batch size"; "the saved
    activations take N times the bytes of its weight matrices" (N > 1)."""
    from gradlab.experiments.batched import MEMORY_WIDTH, activation_memory

    saved = activation_memory()
    for (depth, batch), v in saved.items():
        assert v == (depth + 1) * batch * MEMORY_WIDTH * 4
    assert saved[4, 64] / saved[4, 16] == 4 and saved[8, 64] > 1.5 * saved[4, 64]
    deepest, largest = max(d for d, _ in saved), max(n for _, n in saved)
    assert saved[deepest, largest] > 2 * deepest * MEMORY_WIDTH**2 * 4


def test_inference_saves_nothing_and_checkpointing_trades_compute_for_memory():
    """Claim: under no_grad "nothing is saved", one output alive, "the memory no longer
    grows with depth"; the plain step keeps the tanh outputs alive and frees the Linear
    outputs; checkpointing saves fewer bytes "at the price of" more forward passes, and
    "the gradients are identical"."""
    from gradlab.batched import live_outputs, tanh_stack
    from gradlab.experiments.batched import checkpointing

    trade = checkpointing()
    assert trade.saved["no_grad"] == 0 and trade.alive["no_grad"] == 1
    assert trade.alive["plain"] == trade.modules // 2  # the tanh outputs
    assert trade.saved["checkpointed"] < trade.saved["plain"]
    assert trade.forward_calls["checkpointed"] > trade.forward_calls["plain"]
    assert trade.forward_calls["plain"] == trade.modules
    # "the N modules of all pieces but the last run twice" (review r1: the count once
    # missed the last module of each piece, where checkpointing stops recomputing)
    from gradlab.experiments.batched import CKPT_SEGMENTS

    recomputed = trade.modules * (CKPT_SEGMENTS - 1) // CKPT_SEGMENTS
    assert trade.forward_calls["checkpointed"] == trade.modules + recomputed
    assert trade.grad_gap == 0.0
    x = torch.randn(16, 8, generator=torch.Generator().manual_seed(0))
    for depth in (2, 4, 8):
        with torch.no_grad():
            assert live_outputs(tanh_stack(depth, 8, seed=0), x) == 1
        assert live_outputs(tanh_stack(depth, 8, seed=0), x) == depth


def test_a_dead_relu_unit_gets_no_gradient():
    """Claim: a "dead" ReLU unit, "whose input is negative for every example, so that
    no gradient ever reaches its weights"."""
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(32, 4, generator=gen, dtype=F64)
    w = torch.randn(4, generator=gen, dtype=F64).requires_grad_()
    b = torch.tensor(-100.0, dtype=F64, requires_grad=True)  # negative for all x
    out = torch.relu(x @ w + b)
    (out * torch.randn(32, generator=gen, dtype=F64)).sum().backward()
    assert bool((x @ w + b < 0).all())
    assert bool((w.grad == 0).all()) and float(b.grad) == 0
