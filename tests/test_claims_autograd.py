"""The sentences of book/autograd.md that compare or explain, each as a test that
fails when the sentence stops being true. The quoted words are the chapter's.
(The chapter's gradients are checked three ways in tests/test_functions.py.)"""

import itertools
import math

import gradlab
import pytest
import torch
from gradlab import functions as fn
from gradlab.functions import NEURON_POINTS

#: Sentences of the chapter, re-run over seeds: `make claims`, not `make unit`.
pytestmark = pytest.mark.claims

F64 = torch.float64


def test_integer_tensors_may_not_require_a_gradient_float_and_complex_ones_may():
    """Claim: "an integer tensor may not require one (floating-point tensors may, and so
    may complex ones)"."""
    with pytest.raises(RuntimeError, match="floating point"):
        torch.tensor(1).requires_grad_()
    for value in (1.0, 1 + 2j):
        assert torch.tensor(value).requires_grad_().requires_grad


def _relu_loss(w):
    return fn.relu_graph(torch.tensor(2.0), torch.tensor(4.0), w, torch.tensor(3.0)).l


def test_a_second_backward_doubles_the_gradient_and_zero_grad_sets_none():
    """Claim: "Running the same forward and backward pass again doubles it"; zero_grad()
    "by default sets the gradients to None"."""
    w = torch.tensor(1.0, requires_grad=True)
    _relu_loss(w).backward()
    first = w.grad.clone()
    _relu_loss(w).backward()
    assert float(w.grad) == 2 * float(first)
    torch.optim.SGD([w], lr=0.1).zero_grad()
    assert w.grad is None


def test_an_update_outside_no_grad_sends_the_next_gradient_to_the_old_leaf():
    """Claim: "The second backward pass ran through the update back into the old leaf,
    which now holds the sum of two gradients"; the in-place update under no_grad keeps w
    a leaf."""
    w = torch.tensor(1.0, requires_grad=True)
    _relu_loss(w).backward()
    first = float(w.grad)
    w_old = w
    w = w - 0.1 * w.grad
    assert not w.is_leaf and w.grad_fn is not None
    _relu_loss(w).backward()
    second = torch.tensor(1.0 - 0.1 * first, requires_grad=True)
    _relu_loss(second).backward()
    assert float(w_old.grad) == pytest.approx(first + float(second.grad))

    w = torch.tensor(1.0, requires_grad=True)
    _relu_loss(w).backward()
    with torch.no_grad():
        w -= 0.1 * w.grad
    assert w.is_leaf and w.requires_grad


def test_the_graph_saves_what_its_backward_steps_need():
    """Claim: "ExpBackward0 saved its result e^w; PowBackward0 saved its input e^w − a";
    the in-place change is refused."""
    w = torch.tensor(1.0, requires_grad=True)
    loss = fn.exp_loss(w)
    power = loss.grad_fn
    sub = power.next_functions[0][0]
    exp = sub.next_functions[0][0]
    assert (power.name(), exp.name()) == ("PowBackward0", "ExpBackward0")
    # The saved tensors, as PyTorch's autograd notes document them (_saved_*).
    torch.testing.assert_close(exp._saved_result, torch.exp(w.detach()))
    torch.testing.assert_close(power._saved_self, torch.exp(w.detach()) - 5)

    def halved_in_place(w):
        y = torch.exp(w)
        loss = (y - 5.0) ** 2
        y /= 2
        return loss

    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        halved_in_place(torch.tensor(1.0, requires_grad=True)).backward()


def _grads(point):
    w, b = (torch.tensor(v, dtype=F64, requires_grad=True) for v in point[:2])
    x, target = (torch.tensor(v, dtype=F64) for v in point[2:])
    fn.neuron_loss(w, b, x, target).backward()
    args = (w.detach(), b.detach(), x, target)
    auto = torch.stack([w.grad, b.grad])
    formulas = {"right": fn.neuron_loss_grad(*args), **fn.neuron_loss_grad_slips(*args)}
    return auto, {k: torch.stack(v) for k, v in formulas.items()}


def test_the_source_point_is_degenerate_and_hides_both_slips():
    """Claim: "Here w x + b = 0, so ŷ = 0 and tanh′(0) = 1; and x = 1. A hand formula
    that forgot the factor 1 − ŷ², or the factor x ..., gives the very same numbers, and
    the two gradients coincide"; "both gradients are −2 yₜ"."""
    w, b, x, target = NEURON_POINTS[0]
    assert w * x + b == 0 and x == 1
    auto, formulas = _grads(NEURON_POINTS[0])
    for grads in formulas.values():
        torch.testing.assert_close(grads, auto)
    assert float(auto[0]) == float(auto[1]) == -2 * target


def test_the_second_point_catches_both_slips():
    """Claim: "at the second, ... only the right one does"; "choose one where no factor
    is 0 or 1"."""
    w, b, x, _ = NEURON_POINTS[1]
    pred = math.tanh(w * x + b)
    assert w * x + b != 0 and pred**2 > 0.1 and abs(x - 1) > 0.1  # tanh′, x ≠ 1
    auto, formulas = _grads(NEURON_POINTS[1])
    torch.testing.assert_close(formulas["right"], auto)
    for slip in ("tanh′ forgotten", "x forgotten"):
        assert gradlab.gradcheck.max_relative_error(formulas[slip], auto) > 0.1
    assert abs(float(auto[0] - auto[1])) > 0.1  # the two gradients differ


@pytest.mark.parametrize(
    "seed", [gradlab.experiments.gradcheck.GRADCHECK_SEED, 1, 2, 3]
)
def test_each_hundredfold_smaller_eps_cuts_the_difference_about_a_millionfold(seed):
    """Claim: "each hundredfold smaller ε cuts the difference by about a million, the ε³
    law" (at the chapter's ε = 10⁻¹, 10⁻³, 10⁻⁵)."""
    problem = fn.tanh_regression(seed=seed)
    w = problem.start
    direction = gradlab.gradcheck.random_direction(
        w, generator=torch.Generator().manual_seed(seed)
    )
    errors = [
        abs(
            gradlab.gradcheck.directional_check(
                problem.loss, w, problem.grad(w), eps=eps, direction=direction
            ).error
        )
        for eps in (1e-1, 1e-3, 1e-5)
    ]
    for big, small in itertools.pairwise(errors):
        assert 2e5 < big / small < 5e6


@pytest.mark.parametrize(
    "seed", [gradlab.experiments.gradcheck.GRADCHECK_SEED, 1, 2, 3]
)
def test_the_sweep_has_the_shape_the_figure_shows(seed):
    """Claim (caption): "Right of each V, where ε is large, truncation error dominates
    and grows like ε² as ε grows; left of it, round-off error dominates and grows like
    1/ε as ε shrinks"; float32's minimum is "far higher and at a larger epsilon",
    and "for the smallest epsilons its error sits at 1, where the two rounded losses are
    equal"; "The wrong gradient's error stays flat, far above both minima, whatever
    ε"."""
    # the book's seed and others
    sweeps = gradlab.experiments.gradcheck.epsilon_sweep(seed=seed)

    def curve(label):
        eps = torch.tensor([c.eps for c in sweeps[label]], dtype=F64)
        rel = torch.tensor(
            [abs(c.error / c.directional_derivative) for c in sweeps[label]], dtype=F64
        )
        return eps, rel

    eps, rel = curve("float64")
    best = int(rel.argmin())

    def slope(i, j):
        return float((rel[j].log() - rel[i].log()) / (eps[j].log() - eps[i].log()))

    assert 1.6 < slope(2, best - 2) < 2.4  # truncation: ε² (eps falls with the index)
    assert -1.5 < slope(best + 2, len(eps) - 1) < -0.5  # round-off: 1/ε
    eps32, rel32 = curve("float32")
    assert rel32.min() > 1e4 * rel.min() and eps32[rel32.argmin()] > 50 * eps[best]
    smallest = [c for c in sweeps["float32"] if c.eps < 1e-9]
    assert smallest and all(c.finite_difference == 0 for c in smallest)
    assert all(float(r) == pytest.approx(1.0) for r in rel32[-len(smallest) :])
    _, wrong = curve("float64, wrong gradient")
    assert wrong.min() > 1e5 * rel.min()  # far above the right gradient's floor
    assert wrong[2:-2].max() < 5 * wrong[2:-2].min()  # flat, whatever ε


def test_the_wrong_gradients_error_depends_on_the_draw():
    """Claim: "at least 0.63 at every ε ... for another draw it can be far smaller, but
    it stays far above the right gradient's floor"."""

    def floors(seed):
        sweeps = gradlab.experiments.gradcheck.epsilon_sweep(seed=seed)
        return [
            min(abs(c.error / c.directional_derivative) for c in sweeps[label])
            for label in ("float64", "float64, wrong gradient")
        ]

    _, book_wrong = floors(gradlab.experiments.gradcheck.GRADCHECK_SEED)
    assert book_wrong > 0.5
    others = [floors(seed) for seed in range(1, 10)]
    assert any(wrong < 0.1 * book_wrong for _, wrong in others)
    assert all(wrong > 1e5 * right for right, wrong in others)


@pytest.mark.book
def test_the_finite_difference_minima_are_inside_the_bounds_the_page_states():
    """Claim: "In float64 the error bottoms out below 1e-09 ...; in float32 it never
    gets below 1e-06" (bounds, since the minima are round-off)."""
    from tests._book import ROOT, glued_numbers

    g = glued_numbers(ROOT / "book" / "autograd.md")
    assert g["ag_best64_err"] < g["ag_bound64"]
    assert g["ag_best32_err"] > g["ag_bound32"]
    assert g["ag_best32_eps"] >= g["ag_eps32_bound"] > g["ag_best64_eps"]


def test_the_graph_is_recorded_in_the_forward_pass_and_freed_by_backward():
    """Claim: "The graph is recorded during the forward pass ... as the grad_fn printout
    above showed before any backward()"; "backward() walks that recorded graph and then
    frees the tensors it saved"."""
    w = torch.tensor(1.0, requires_grad=True)
    loss = _relu_loss(w)
    assert loss.grad_fn is not None and w.grad is None  # recorded, nothing run yet
    loss.backward()
    with pytest.raises(RuntimeError, match="second time"):
        loss.backward()


def test_a_detached_target_is_held_fixed_and_the_moving_one_cancels_here():
    """Claim: "the held target gives −13.5, the moving one 0: at this point the moving
    target cancels the gradient entirely (2w − 3 = 0), the held one does not. Both
    match their closed forms"; and held ≠ moving at other points too."""
    for point in (1.5, -0.7, 2.2):
        w = torch.tensor(point, dtype=F64, requires_grad=True)
        (held,) = torch.autograd.grad((w**2 - (3 * w).detach()) ** 2, w)
        (moving,) = torch.autograd.grad((w**2 - 3 * w) ** 2, w)
        wd = w.detach()
        torch.testing.assert_close(held, 2 * (wd**2 - 3 * wd) * 2 * wd)
        torch.testing.assert_close(moving, 2 * (wd**2 - 3 * wd) * (2 * wd - 3))
        if point == 1.5:
            assert float(moving) == 0.0 and float(held) == -13.5
        else:
            assert abs(float(held - moving)) > 0.1


def test_each_row_of_the_eps_table_agrees_in_about_four_more_digits():
    """Claim: "the two columns agree in about four more significant digits on each
    row" (at the book's seed and others)."""
    for seed in (gradlab.experiments.gradcheck.GRADCHECK_SEED, 1, 2, 3):
        problem = fn.tanh_regression(seed=seed)
        w = problem.start
        gen = torch.Generator().manual_seed(seed)
        direction = gradlab.gradcheck.random_direction(w, generator=gen)
        digits = []
        for eps in (1e-1, 1e-3, 1e-5):
            c = gradlab.gradcheck.directional_check(
                problem.loss, w, problem.grad(w), eps=eps, direction=direction
            )
            digits.append(-math.log10(abs(c.error / c.directional_derivative)))
        for fewer, more in itertools.pairwise(digits):
            assert 3.3 < more - fewer < 4.7


def test_the_error_model_gets_the_order_of_magnitude_of_both_bottoms():
    """Claim (exercise ex-autograd-best-epsilon): ε* ~ u^(1/3) and the error ~ u^(2/3)
    predicts the best ε "to within a small factor", and the floors "lie near the model's
    u^(2/3) in both formats" (this run: within 1.5 times; the bound leaves room for a
    float32 floor ten times lower on another processor)."""
    sweeps = gradlab.experiments.gradcheck.epsilon_sweep()
    for dtype, label in ((torch.float32, "float32"), (torch.float64, "float64")):
        u = torch.finfo(dtype).eps
        best = min(sweeps[label], key=lambda c: abs(c.error / c.directional_derivative))
        assert 0.1 < best.eps / u ** (1 / 3) < 10
        error = abs(best.error / best.directional_derivative)
        assert 0.03 < error / u ** (2 / 3) < 30
