"""The sentences of book/computation-graphs.md that compare or explain, each as a test
that fails when the sentence stops being true. The quoted words are the chapter's.
(Every gradient the chapter shows is checked three ways in tests/test_functions.py
and tests/test_graphs.py.)"""

import gradlab
import torch
from gradlab import functions as fn
from gradlab.graphs import autograd_dag, trace_values_and_grads
from torch.utils.flop_counter import FlopCounterMode

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
