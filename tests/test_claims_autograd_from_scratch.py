"""The sentences of book/autograd-from-scratch.md that compare or explain, each as a
test that fails when the sentence stops being true. The quoted words are the
chapter's. (The engine's values and gradients against torch and finite differences,
and the cost comparison, are in tests/test_engine.py.)"""

import statistics

import gradlab
import pytest
import torch
from gradlab.engine import Value, closure_add, closure_mul, topological_order
from gradlab.engine_mlp import MLP
from gradlab.experiments import engine as engine_lab
from gradlab.experiments.engine import train_twins

#: Sentences of the chapter, re-run over seeds: `make claims`, not `make unit`.
pytestmark = pytest.mark.claims

F64 = torch.float64


def test_the_twin_runs_fall_by_orders_of_magnitude_for_other_seeds_too():
    """Claim: "the loss falls from A to B (other seeds' starting weights fall as far)";
    the alt text: "falls by orders of magnitude"; "blue dots for torch sit exactly on
    the line"."""
    book = train_twins()
    book_ratio = book.engine_losses[0] / book.engine_losses[-1]
    assert book_ratio > 100
    for seed in range(1, 10):
        run = train_twins(seed=seed)
        assert run.engine_losses[0] / run.engine_losses[-1] > 100
        assert run.engine_losses == pytest.approx(run.torch_losses, rel=1e-12)


def test_nodes_are_visited_in_reverse_topological_order_each_once():
    """Claim: "every node after all the nodes that use it"; "the order is the same on
    every run"."""
    nodes = gradlab.experiments.engine.composite_values(Value(2.0), Value(4.0))
    order = topological_order(nodes["z4"])
    assert len(order) == len({id(v) for v in order})
    position = {id(v): i for i, v in enumerate(order)}
    assert all(position[id(c)] < position[id(v)] for v in order for c in v.inputs)
    again = gradlab.experiments.engine.composite_values(Value(2.0), Value(4.0))
    assert [v.op for v in topological_order(again["z4"])] == [v.op for v in order]


@pytest.mark.book
def test_engine_and_torch_agree_within_the_round_off_bound_the_page_states():
    """Claims: the gradients "differ by less than 1e-13" and "at no step do the two
    runs differ by more than 1e-13 relative"."""
    from tests._book import ROOT, glued_numbers

    g = glued_numbers(ROOT / "book" / "autograd-from-scratch.md")
    assert g["afs_grad_gap"] < g["afs_round_off"]
    assert g["afs_loss_gap"] < g["afs_round_off"]


def test_overwriting_closures_are_right_for_single_use_and_halve_x_times_x():
    """Claims: with "=" "it works as long as every value is used once, and goes wrong as
    soon as one is reused, as in x·x"; "the overwriting closure gives 3, half of it,
    and raises no error"; "+=" gives 2x."""
    x, y = Value(3.0), Value(-2.0)
    engine_lab.closure_mul_overwriting(x, y).backward()
    assert (x.grad, y.grad) == (-2.0, 3.0)
    for point in (3.0, -1.5, 0.25):
        right, wrong = Value(point), Value(point)
        closure_mul(right, right).backward()
        engine_lab.closure_mul_overwriting(wrong, wrong).backward()
        assert right.grad == 2 * point and wrong.grad == point


def test_closure_nodes_and_local_number_nodes_give_the_same_gradients():
    """Claim: "gradlab.engine accepts such nodes too (backward() runs a node's
    _backward when it has one)": closures mixed with ordinary nodes, against torch."""
    x, y = Value(0.7), Value(-1.3)
    out = closure_add(closure_mul(x, y).tanh(), closure_mul(x, x)) * y
    out.backward()
    xt = torch.tensor(0.7, dtype=F64, requires_grad=True)
    yt = torch.tensor(-1.3, dtype=F64, requires_grad=True)
    ((torch.tanh(xt * yt) + xt * xt) * yt).backward()
    assert out.data == pytest.approx(float((torch.tanh(xt * yt) + xt * xt) * yt))
    assert x.grad == pytest.approx(float(xt.grad), rel=1e-13)
    assert y.grad == pytest.approx(float(yt.grad), rel=1e-13)


def test_tanh_from_exp_has_the_same_gradient_in_more_nodes():
    """Claims: tanh built from exp gives "the same gradient" as the one-node tanh and
    torch's, "to round-off, within 1e-13"; it takes 9 nodes against 1 ("fewer nodes
    to build and walk")."""
    for point in (-1.3, 0.4, 2.1, -4.0, 0.0):
        one, built = Value(point), Value(point)
        one.tanh().backward()
        out = engine_lab.tanh_from_exp(built)
        out.backward()
        t = torch.tensor(point, dtype=F64, requires_grad=True)
        torch.tanh(t).backward()
        assert abs(one.grad - float(t.grad)) < 1e-13
        assert abs(built.grad - float(t.grad)) < 1e-13
        assert len(topological_order(out)) == 9
        assert len(topological_order(Value(point).tanh())) == 2  # the leaf and tanh


def test_gelu_is_one_node_in_torch():
    """Claim: "torch.nn.functional.gelu is one node where a hand-written formula would
    be many"."""
    x = torch.tensor(0.3, requires_grad=True)
    node = torch.nn.functional.gelu(x).grad_fn
    assert node.name() == "GeluBackward0"
    assert [type(f).__name__ for f, _ in node.next_functions] == ["AccumulateGrad"]


def test_torchs_backward_is_more_than_a_hundred_times_faster_and_mostly_overhead():
    """Claims: "For 3000 numbers, torch's backward pass is more than 100 times faster"
    (the median ratio over fresh graphs); "Torch's graph has the same few nodes for
    every n, and its backward time is mostly fixed overhead"."""
    small, large = engine_lab.backward_cost((10, 3000), repeats=7)
    assert statistics.median(large.speedups) > 100
    assert small.torch_nodes == large.torch_nodes
    assert large.torch_seconds < 5 * small.torch_seconds


def test_exercise_parameter_and_node_counts():
    """Exercise ex-autograd-from-scratch-parameters: 41 parameters, 125 nodes."""
    model = MLP(engine_lab.init_layers(engine_lab.TOY_SIZES, seed=0))
    assert len(model.parameters()) == 41
    assert len(topological_order(model(engine_lab.TOY_INPUTS[0]))) == 125
