import math

import pytest
import torch
from gradlab.data import (
    GaussianMixture,
    default_mixture,
    noisy_sine,
    wiggly,
    wiggly_sample,
)


def test_sample_is_seeded_and_balanced():
    m = default_mixture()
    a, b = m.sample(2000, seed=3), m.sample(2000, seed=3)
    assert torch.equal(a.x, b.x) and torch.equal(a.y, b.y)
    assert a.x.shape == (2000, 2) and set(a.y.tolist()) == {0.0, 1.0}
    assert abs(float(a.y.mean()) - 0.5) < 0.05
    assert not torch.equal(a.x, m.sample(2000, seed=4).x)


def test_class_density_integrates_to_one_and_matches_a_single_gaussian():
    one = GaussianMixture(torch.zeros(1, 2), torch.ones(1, 2), 0.5)
    x = torch.tensor([[0.3, -0.2]], dtype=torch.float64)
    closed = math.exp(-(0.09 + 0.04) / (2 * 0.25)) / (2 * math.pi * 0.25)
    assert float(one.class_density(x, 0)) == pytest.approx(closed, rel=1e-12)
    # Two far-apart classes: the Bayes error is the Gaussian tail beyond the midpoint.
    far = GaussianMixture(torch.tensor([[-1.0, 0.0]]), torch.tensor([[1.0, 0.0]]), 1.0)
    tail = 0.5 * math.erfc(1 / math.sqrt(2))
    assert far.bayes_error() == pytest.approx(tail, abs=1e-4)


def test_bayes_error_agrees_with_the_bayes_classifier_on_many_samples():
    m = default_mixture()
    big = m.sample(200_000, seed=11)
    empirical = float((m.bayes_predict(big.x) != big.y).float().mean())
    assert empirical == pytest.approx(m.bayes_error(), abs=0.003)


def test_posterior_is_a_probability():
    p = default_mixture().posterior(torch.randn(100, 2))
    assert bool(((p >= 0) & (p <= 1)).all())


@pytest.mark.parametrize(
    ("n", "error"), [(0, ValueError), (-3, ValueError), (2.5, TypeError)]
)
def test_bad_sizes_are_rejected(n, error):
    with pytest.raises(error, match="n must be"):
        default_mixture().sample(n, seed=0)


def test_seed_must_be_an_int():
    with pytest.raises(TypeError, match="seed must be a whole number"):
        default_mixture().sample(5, seed=1.5)


def test_regression_data():
    s = noisy_sine(seed=2021)
    assert s.t.shape == s.y.shape == (32,)
    assert float((s.y - torch.sin(math.pi * s.t)).std()) == pytest.approx(0.25, abs=0.1)
    w = wiggly_sample(seed=0)
    assert float(w.t.min()) >= 0 and float(w.t.max()) <= 1
    assert torch.allclose(w.y, wiggly(w.t))
    assert float(wiggly(torch.tensor(1 / 3))) == pytest.approx(-math.sqrt(3), abs=1e-5)


def test_rescale_quadratic_gives_the_same_curve_in_the_rescaled_input():
    from gradlab.data import quadratic_features, rescale, rescale_quadratic

    t = torch.arange(20.0, dtype=torch.float64)
    coefficients = torch.tensor([-0.9, 0.4, 2.5], dtype=torch.float64)
    same = rescale_quadratic(coefficients, t)
    torch.testing.assert_close(
        quadratic_features(rescale(t)) @ same, quadratic_features(t) @ coefficients
    )
    with pytest.raises(ValueError, match="shape"):
        rescale_quadratic(torch.ones(2), t)
    with pytest.raises(ValueError, match="distinct"):
        rescale_quadratic(coefficients, torch.ones(3))
