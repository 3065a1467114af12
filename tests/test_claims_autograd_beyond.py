"""The sentences of book/autograd-beyond.md that compare or explain, each as a test
that fails when the sentence stops being true. The quoted words are the chapter's.
(Most are in tests/test_jacobians.py, next to the module they exercise; these are the
rest.)"""

import math
import statistics
import time

import pytest
import torch
from gradlab import functions as fn
from gradlab import jacobians
from gradlab.graphs import autograd_dag
from torch.utils.flop_counter import FlopCounterMode

#: Sentences of the chapter, re-run over seeds: `make claims`, not `make unit`.
pytestmark = pytest.mark.claims

F64 = torch.float64


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


def test_jacrev_and_jacfwd_are_the_vjps_and_jvps_batched_by_vmap():
    """Claim: "torch.func.vmap ... the m VJPs run as one backward pass on the stack of
    unit vectors. torch.func.jacrev is exactly that, and torch.func.jacfwd the same
    with JVPs"."""
    point = torch.tensor([0.5, -1.2, 0.8], dtype=F64)
    _, vjp_fn = torch.func.vjp(jacobians.two_outputs, point)
    rows = torch.func.vmap(vjp_fn)(torch.eye(2, dtype=F64))[0]
    assert torch.equal(rows, jacobians.jacobian_by_vjps(jacobians.two_outputs, point))
    closed = jacobians.two_outputs_jacobian(point)
    torch.testing.assert_close(torch.func.jacrev(jacobians.two_outputs)(point), closed)
    torch.testing.assert_close(torch.func.jacfwd(jacobians.two_outputs)(point), closed)
    columns = jacobians.jacobian_by_jvps(jacobians.two_outputs, point)
    torch.testing.assert_close(columns, closed)


def test_forward_mode_does_n_times_the_arithmetic_for_the_loss_reverse_for_the_curve():
    """Claim: "For the loss, forward mode does n times the arithmetic of reverse mode,
    one pass per input; for the curve it is the other way round. Those counts are the
    same on every machine"."""
    loss, curve = jacobians.mode_costs(repeats=1)
    assert loss.forward_flops == loss.n * loss.reverse_flops
    assert curve.reverse_flops == curve.m * curve.forward_flops
    again = jacobians.mode_costs(repeats=1, seed=3)
    assert (again[0].forward_flops, again[1].reverse_flops) == (
        loss.forward_flops,
        curve.reverse_flops,
    )


def test_the_times_follow_the_flops_for_the_loss_over_repeats():
    """Claim: "The times follow them for the loss, where reverse mode is many times
    faster" (medians over the repeats, each of several runs)."""
    ratios = []
    for _ in range(3):
        loss, _ = jacobians.mode_costs(repeats=5)
        ratios.append(
            statistics.median(loss.forward_seconds)
            / statistics.median(loss.reverse_seconds)
        )
    assert statistics.median(ratios) > 3


def test_autograd_differentiates_the_branch_that_ran_across_the_jump():
    """Claims: at x = 1 and 1.0001 "f falls from 0.8415 to 0.4795", "autograd's slopes
    are modest numbers of the same sign, cos 1 and cos(½)/2 (the closed forms of the
    two branches); the central difference with h = 0.001, whose two points straddle the
    jump, is large and negative"."""
    h = 1e-3
    slopes = []
    for start, closed in ((1.0, math.cos(1.0)), (1.0001, math.cos(1.0001 / 2) / 2)):
        x = torch.tensor(start, dtype=F64, requires_grad=True)
        out = fn.halve_then_bend(x)
        out.backward()
        assert float(x.grad) == pytest.approx(closed, rel=1e-12)
        across = (
            fn.halve_then_bend(x.detach() + h) - fn.halve_then_bend(x.detach() - h)
        ) / (2 * h)
        assert float(across) < -100
        slopes.append(float(x.grad))
    assert all(0 < s < 1 for s in slopes)
    left, right = (
        float(fn.halve_then_bend(torch.tensor(v, dtype=F64))) for v in (1.0, 1.0001)
    )
    assert (round(left, 4), round(right, 4)) == (0.8415, 0.4795)


def test_exercise_jump_at_two():
    """Exercise ex-autograd-beyond-jump: at x = 2 one halving, f = sin 1, f' = cos(1)/2;
    at 2.0001 two, f = sin(x/4), f' = cos(x/4)/4."""
    for start, halvings in ((2.0, 1), (2.0001, 2)):
        x = torch.tensor(start, dtype=F64, requires_grad=True)
        out = fn.halve_then_bend(x)
        out.backward()
        y = start / 2**halvings
        assert out.item() == pytest.approx(math.sin(y), rel=1e-12)
        assert float(x.grad) == pytest.approx(math.cos(y) / 2**halvings, rel=1e-12)


def test_exercise_passes_forward_mode_does_n_over_m_times_the_work():
    """Exercise ex-autograd-beyond-passes: "Forward mode does n/m times the work of
    reverse mode here" (n = 200 inputs, m = 10 logits)."""
    gen = torch.Generator().manual_seed(0)
    first = torch.randn(10, 200, generator=gen, dtype=F64)
    net = jacobians.deep_tanh(10, 2, seed=0)
    x = torch.randn(200, generator=gen, dtype=F64)
    flops = {}
    for mode in (torch.func.jacfwd, torch.func.jacrev):
        with FlopCounterMode(display=False) as counter:
            mode(lambda v: net(first @ v))(x)
        flops[mode.__name__] = counter.get_total_flops()
    assert flops["jacfwd"] == 20 * flops["jacrev"]


def test_a_python_loop_of_passes_mostly_measures_python():
    """Claim: "A Python loop of n passes mostly measures Python": for a cheap function
    the loop of n JVPs takes several times as long as the same n JVPs batched by vmap
    (jacfwd), which do the same arithmetic (medians over repeats)."""
    k = torch.arange(1, 201, dtype=F64)
    x = torch.randn(200, generator=torch.Generator().manual_seed(0), dtype=F64)

    def loss(v):
        return (torch.tanh(v * k) ** 2).sum().reshape(1)

    def median_seconds(run):
        times = []
        for _ in range(5):
            start = time.perf_counter()
            run()
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    looped = median_seconds(lambda: jacobians.jacobian_by_jvps(loss, x))
    batched = median_seconds(lambda: torch.func.jacfwd(loss)(x))
    torch.testing.assert_close(
        jacobians.jacobian_by_jvps(loss, x), torch.func.jacfwd(loss)(x)
    )
    assert looped > 5 * batched
