import math

import gradlab
import pytest
import torch


def test_steps_follow_the_update_rule_exactly():
    h = gradlab.gradient_descent(lambda w: (w**2).sum(), [3.0], lr=0.25, steps=2)
    assert h.params.flatten().tolist() == [3.0, 1.5, 0.75]
    assert h.losses.tolist() == [9.0, 2.25, 0.5625]
    assert h.steps == 2 and not h.diverged


def test_bowl_learning_rate_regimes():
    runs = gradlab.experiments.descent.bowl_experiment()
    slow, good, bad = runs[0.01], runs[0.15], runs[0.21]
    assert not slow.diverged and slow.final_loss > 1  # barely moved in 30 steps
    assert not good.diverged and good.final_loss < 1e-3
    assert bad.diverged and bad.final_loss > bad.losses[0]
    # Each coordinate is multiplied by (1 - η·curvature) per step.
    w2 = good.params[:, 1]
    torch.testing.assert_close(w2[1:] / w2[:-1], torch.full((30,), 1 - 10 * 0.15))


def test_divergence_stops_early_and_is_reported():
    h = gradlab.gradient_descent(gradlab.bowl, [1.0, 1.0], lr=1.0, steps=10_000)
    assert h.diverged and h.steps < 10_000
    assert h.final_loss > 1e12


def test_non_finite_loss_stops_the_run():
    h = gradlab.gradient_descent(lambda w: (w / 0).sum(), [1.0], lr=0.1, steps=5)
    assert h.diverged and h.steps == 0


@pytest.mark.parametrize("lr", [0, -0.1, math.inf, math.nan])
def test_bad_learning_rates(lr):
    with pytest.raises(ValueError, match="learning rate"):
        gradlab.gradient_descent(gradlab.bowl, [1.0, 1.0], lr=lr, steps=1)


def test_bad_types_and_shapes():
    with pytest.raises(TypeError, match="number"):
        gradlab.gradient_descent(gradlab.bowl, [1.0, 1.0], lr="0.1", steps=1)
    with pytest.raises(ValueError, match="steps"):
        gradlab.gradient_descent(gradlab.bowl, [1.0, 1.0], lr=0.1, steps=-1)
    with pytest.raises(ValueError, match="scalar"):
        gradlab.gradient_descent(lambda w: w, [1.0, 1.0], lr=0.1, steps=1)


def _problem():
    x = torch.tensor([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0], [1.0, 3.0]])
    y = torch.tensor([1.0, 2.9, 5.2, 6.8])
    return gradlab.LeastSquares(x, y)


def test_least_squares_hessian_and_optimum():
    p = _problem()
    x = p.features.double()
    torch.testing.assert_close(p.hessian, 2 * x.T @ x / 4)
    # The gradient of the loss vanishes at the optimum.
    w = p.optimum.clone().requires_grad_()
    p.loss(w).backward()
    assert w.grad.abs().max() < 1e-12
    assert p.condition_number == pytest.approx(
        float(p.eigenvalues[-1] / p.eigenvalues[0])
    )


def test_predicted_losses_match_real_descent_in_float64():
    p = _problem()
    start = torch.tensor([0.0, 0.0], dtype=torch.float64)
    run = gradlab.gradient_descent(p.loss, start, lr=0.05, steps=200)
    predicted = p.predicted_losses(start, 0.05, torch.arange(201))
    torch.testing.assert_close(run.losses, predicted, rtol=1e-10, atol=1e-12)


def test_steps_to_reach_is_the_first_step_below_target():
    p = _problem()
    start = torch.tensor([0.0, 0.0], dtype=torch.float64)
    target = 1.5 * p.min_loss
    k = p.steps_to_reach(start, 0.05, target)
    assert p.predicted_losses(start, 0.05, k) <= target
    assert p.predicted_losses(start, 0.05, k - 1) > target
    with pytest.raises(ValueError, match="stability"):
        p.steps_to_reach(start, p.max_stable_lr * 1.01, target)
    with pytest.raises(ValueError, match="minimum"):
        p.steps_to_reach(start, 0.05, p.min_loss / 2)


def test_steps_for_many_learning_rates_at_once_equal_one_at_a_time():
    p = _problem()
    start = torch.tensor([0.0, 0.0], dtype=torch.float64)
    target = 1.01 * p.min_loss
    lrs = torch.linspace(0.01, 0.99, 25, dtype=torch.float64) * p.max_stable_lr
    many = p._steps_needed(start, lrs, target)
    assert many.tolist() == [p.steps_to_reach(start, float(lr), target) for lr in lrs]
    # a start that already meets the target needs no step
    assert p.steps_to_reach(p.optimum, 0.05, target) == 0


def test_fastest_lr_needs_no_more_steps_than_any_other_stable_step():
    p = _problem()
    start = torch.tensor([3.0, -2.0], dtype=torch.float64)
    target = 1.01 * p.min_loss
    lr, steps = p.fastest_lr(start, target)
    assert 0 < lr < p.max_stable_lr and steps == p.steps_to_reach(start, lr, target)
    for fraction in torch.linspace(0.02, 0.98, 49):
        other = float(fraction) * p.max_stable_lr
        assert p.steps_to_reach(start, other, target) >= steps
    with pytest.raises(ValueError, match="fractions"):
        p.fastest_lr(start, target, fractions=torch.tensor([0.5, 1.0]))


def test_least_squares_rejects_bad_shapes():
    with pytest.raises(ValueError, match="features"):
        gradlab.LeastSquares(torch.zeros(3, 2), torch.zeros(4))
