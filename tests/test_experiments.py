import gradlab
import pytest
import torch
from gradlab.data import default_mixture
from gradlab.experiments import RAW_MEASURED_STEPS, RESCALED_STEPS, width_experiment


@pytest.fixture(scope="module")
def result():
    """The chapter's comparison without its measured raw run: nothing else depends on
    that run's 5,000 steps, and the one test that reads it runs them itself."""
    return gradlab.experiments.parabola_comparison(raw_steps=0)


def test_data_is_seeded_and_shaped_like_the_chapter_says():
    a, b = gradlab.data.noisy_parabola(seed=1), gradlab.data.noisy_parabola(seed=1)
    torch.testing.assert_close(a.y, b.y)
    assert a.t.tolist() == list(range(20))
    clean = 0.75 * (a.t - 9.5) ** 2 + 1
    assert 1.5 < float((a.y - clean).std()) < 4.5  # noise of scale 3


def test_raw_features_are_badly_conditioned_and_rescaling_fixes_it(result):
    assert result.raw.problem.condition_number > 1e5
    assert result.rescaled.problem.condition_number < 20
    # Same function class, so the same best loss.
    assert result.rescaled.problem.min_loss == pytest.approx(
        result.raw.problem.min_loss, rel=1e-6
    )


@pytest.mark.slow  # the chapter's 5,000 autograd steps on raw inputs: about 1 s
def test_measured_raw_run_agrees_with_the_closed_form():
    result = gradlab.experiments.parabola_comparison()
    assert result.raw_run.steps == RAW_MEASURED_STEPS
    predicted = result.raw.problem.predicted_losses(
        result.raw.start, gradlab.experiments.RAW_LR, result.raw_run.steps
    )
    assert result.raw_run.final_loss == pytest.approx(float(predicted), rel=1e-4)


def test_the_orders_of_magnitude_the_chapter_states(result):
    p, start = result.raw.problem, result.raw.start
    # Still above 200 after 200,000 raw steps; hundreds of thousands more needed.
    assert p.predicted_losses(start, gradlab.experiments.RAW_LR, 200_000) > 200
    assert result.raw_steps_needed > 500_000
    # Rescaled inputs reach the same target within 100 steps, as the run confirms.
    assert result.rescaled_steps_needed <= RESCALED_STEPS
    assert result.rescaled_run.losses[result.rescaled_steps_needed] <= result.target
    assert result.raw_steps_needed / result.rescaled_steps_needed > 1e4
    # The source lecture's milestone, a loss of 22: ~10⁶ raw steps, < 100 rescaled.
    to_22 = p.steps_to_reach(start, gradlab.experiments.RAW_LR, 22.0)
    assert 500_000 < to_22 < 1_000_000
    scaled = result.rescaled
    assert scaled.problem.steps_to_reach(scaled.start, result.rescaled_lr, 22.0) < 100


def test_rescale_maps_onto_minus_one_one():
    s = gradlab.data.rescale(torch.arange(20.0))
    assert s[0] == -1 and s[-1] == 1
    with pytest.raises(ValueError, match="distinct"):
        gradlab.data.rescale(torch.ones(3))


def test_linear_data_exercise_recovers_the_truth():
    data = gradlab.data.linear_data(seed=0)
    design = torch.cat([data.x, torch.ones(len(data.y), 1)], dim=1)
    fit = gradlab.LeastSquares(design, data.y)
    run = gradlab.gradient_descent(fit.loss, torch.zeros(3), lr=0.5, steps=200)
    torch.testing.assert_close(run.params[-1].double(), fit.optimum, atol=1e-4, rtol=0)
    truth = torch.tensor([*data.weights.tolist(), data.bias], dtype=torch.float64)
    torch.testing.assert_close(fit.optimum, truth, atol=0.05, rtol=0)
    with pytest.raises(TypeError, match="seed"):
        gradlab.data.linear_data(seed=1.5)


def test_epsilon_sweep_shows_truncation_and_round_off():
    sweeps = gradlab.experiments.epsilon_sweep()
    assert list(sweeps) == ["float32", "float64", "float64, wrong gradient"]

    def rel(check):
        return abs(check.error) / abs(check.directional_derivative)

    for dtype, floor in (("float32", 1e-3), ("float64", 1e-8)):
        errors = [rel(c) for c in sweeps[dtype]]
        best = min(range(len(errors)), key=errors.__getitem__)
        assert errors[best] < floor
        assert errors[0] > 100 * errors[best]  # truncation at large ε
        assert errors[-1] > 100 * errors[best]  # round-off at tiny ε
    best64 = min(rel(c) for c in sweeps["float64"])
    best32 = min(rel(c) for c in sweeps["float32"])
    assert best64 < best32 / 1000
    assert min(rel(c) for c in sweeps["float64, wrong gradient"]) > 0.1


def test_a_wide_net_gets_within_a_few_points_of_the_bayes_error():
    mixture = default_mixture()
    test = mixture.sample(20_000, seed=1)
    result = width_experiment((500,), test=test)[500]
    bayes = mixture.bayes_error()
    assert bayes - 0.01 < result.test_error < bayes + 0.03
