"""The sentences of book/autograd-beyond.md that compare or explain, each as a test
that fails when the sentence stops being true. The quoted words are the chapter's.
(Most are in tests/test_jacobians.py, next to the module they exercise; these are the
rest.)"""

import pytest
import torch
from gradlab import functions as fn
from gradlab.graphs import autograd_dag


def test_inference_tensors_cannot_be_saved_for_a_later_backward():
    """Claim: "which a later graph may not save for its backward pass: a no_grad result
    can be multiplied by a tensor that requires a gradient, an inference tensor cannot";
    "to use one in training, clone it first"."""
    w = torch.tensor(2.0, requires_grad=True)
    with torch.inference_mode():
        frozen = torch.ones(3) * 3
    with pytest.raises(RuntimeError, match="Inference tensors cannot be saved"):
        (frozen * w).sum().backward()
    (frozen.clone() * w).sum().backward()
    assert float(w.grad) == 9.0


def test_an_optimizer_leaves_frozen_parameters_alone():
    """Claim: "their .grad stays None, and an optimizer given them leaves them
    alone"."""
    net = fn.sigmoid_net(seed=0)
    net.linear1.requires_grad_(False)
    before = {k: v.clone() for k, v in net.state_dict().items()}
    opt = torch.optim.SGD(net.parameters(), lr=0.5)
    net(torch.randn(3, generator=torch.Generator().manual_seed(1))).sum().backward()
    opt.step()
    after = net.state_dict()
    assert torch.equal(after["linear1.weight"], before["linear1.weight"])
    assert torch.equal(after["linear1.bias"], before["linear1.bias"])
    assert not torch.equal(after["linear2.weight"], before["linear2.weight"])


def test_the_loop_runs_twice_for_the_first_input_and_never_for_the_second():
    """Claim: "the loop runs twice and the sine is taken"; "the loop never runs and the
    square is taken"."""
    first, second = fn.BEND_INPUTS
    for start, halvings, last in (
        (first, 2, "SinBackward0"),
        (second, 0, "PowBackward0"),
    ):
        x = torch.tensor(start, requires_grad=True)
        out = fn.halve_then_bend(x)
        assert out.grad_fn.name() == last
        assert autograd_dag(out, {"x": x}).source.count("DivBackward0") == halvings
