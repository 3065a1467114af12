"""The sentences of book/autograd-from-scratch.md that compare or explain, each as a
test that fails when the sentence stops being true. The quoted words are the
chapter's. (The engine's values and gradients against torch and finite differences,
and the cost comparison, are in tests/test_engine.py.)"""

import gradlab
import pytest
from gradlab.engine import Value, topological_order
from gradlab.experiments.engine import train_twins


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
