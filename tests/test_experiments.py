import gradlab
import pytest
import torch
from gradlab.data import default_mixture
from gradlab.mlp import mlp_predict
from gradlab.training import error_rate


@pytest.fixture(scope="module")
def result(parabola):
    return parabola


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


def test_the_raw_prediction_falls_from_the_raw_start(result):
    # (The chapter's sentences about the step counts: tests/test_claims_gradients.py.)
    k, losses = result.raw_prediction(1000)
    assert k[0] == 1 and k[-1] == 1000 and bool((losses[1:] <= losses[:-1]).all())
    start = float(result.raw.problem.loss(result.raw.start))
    assert losses[0] < start


def test_step_counts_and_the_fastest_rate_are_what_plain_descent_does():
    """LeastSquares predicts by a formula how many steps a rate needs to reach a
    target and which rate needs the fewest; plain gradient descent (float64) agrees."""
    data = gradlab.data.linear_data(seed=0)
    design = torch.cat([data.x, torch.ones(len(data.y), 1)], dim=1).double()
    fit = gradlab.LeastSquares(design, data.y.double())
    start, target = torch.zeros(3, dtype=torch.float64), 1.001 * fit.min_loss

    def steps_taken(lr: float) -> int:
        run = gradlab.gradient_descent(fit.loss, start, lr=lr, steps=300)
        return int((run.losses <= target).nonzero()[0])

    lr, needed = fit.fastest_lr(start, target)
    assert steps_taken(lr) == needed
    for fraction in (0.3, 0.6, 0.9, 0.99):
        rate = fraction * fit.max_stable_lr
        taken = steps_taken(rate)
        assert fit.steps_to_reach(start, rate, target) == taken >= needed


def test_rescaled_start_is_the_raw_start_rewritten():
    raw = gradlab.experiments.descent.parabola_setup(seed=3)
    scaled = gradlab.experiments.descent.parabola_setup(seed=3, rescaled=True)
    torch.testing.assert_close(
        scaled.start, gradlab.data.rescale_quadratic(raw.start, raw.series.t)
    )
    # the noise comes from the seed, the start from seed + 1
    again = torch.randn(3, generator=torch.Generator().manual_seed(4))
    torch.testing.assert_close(raw.start, again)


def test_speedups_over_seeds_include_the_chapters_draw(result):
    seed = gradlab.defaults.PARABOLA_SEED
    speedups = gradlab.experiments.descent.rescaling_speedups([1, seed])
    assert list(speedups) == [1, seed] and speedups[seed] == result.speedup
    assert speedups[1] != speedups[seed]  # another draw, another problem
    assert all(v > 1e3 for v in speedups.values())


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
    sweeps = gradlab.experiments.gradcheck.epsilon_sweep()
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


def test_a_wide_net_gets_within_a_few_points_of_the_bayes_error(mlp_widths):
    mixture = default_mixture()
    test = mixture.sample(20_000, seed=1)
    trained = mlp_widths[500].run.trained
    test_error = error_rate(mlp_predict(trained, test.x), test.y)
    bayes = mixture.bayes_error()
    assert bayes - 0.01 < test_error < bayes + 0.03
