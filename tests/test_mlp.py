"""gradlab.mlp: the raw-tensor classifier, its hand backward pass, losses, nn models."""

import math

import pytest
import torch
from gradlab.data import default_mixture
from gradlab.gradcheck import max_relative_error, numerical_gradient
from gradlab.mlp import (
    PARAM_NAMES,
    MLPParams,
    autograd_gradients,
    cross_entropy_by_hand,
    gradient_check,
    init_mlp,
    mlp_backward,
    mlp_loss,
    mlp_predict,
    mlp_probability,
    mlp_scores,
    naive_nll_loss,
    nll_loss,
    tanh_mlp,
    wide_net,
)
from torch import nn


@pytest.fixture
def problem():
    data = default_mixture().sample(60, seed=5)
    params = init_mlp(7, seed=2, dtype=torch.float64)
    return params, data.x.double(), data.y.double()


def test_init_is_uniform_in_unit_box_and_seeded():
    p, q = init_mlp(50, seed=1), init_mlp(50, seed=1)
    assert all(torch.equal(a, b) for a, b in zip(p.tensors(), q.tensors(), strict=True))
    assert all(float(t.abs().max()) <= 1 for t in p.tensors())
    assert p.hidden == 50 and p.w1.shape == (50, 2)


def test_scores_follow_the_formula():
    p = MLPParams(
        torch.tensor([[1.0, 0.0], [0.0, -1.0]]),
        torch.tensor([0.0, 1.0]),
        torch.tensor([2.0, 3.0]),
        torch.tensor(-1.0),
    )
    x = torch.tensor([[0.5, 2.0]])  # hidden: max(0.5, 0) = 0.5, max(-1, 0) = 0
    assert float(mlp_scores(p, x)) == pytest.approx(2 * 0.5 - 1)
    assert float(mlp_probability(p, x)) == pytest.approx(0.5)


def test_stable_nll_equals_the_naive_one_where_that_is_finite():
    s = torch.linspace(-8, 8, 33, dtype=torch.float64)
    y = (torch.arange(33) % 2).double()
    assert float(nll_loss(s, y)) == pytest.approx(float(naive_nll_loss(s, y)), 1e-12)


def test_stable_nll_survives_huge_scores_where_the_naive_one_does_not():
    s, y = torch.tensor([800.0, -800.0]), torch.tensor([0.0, 1.0])
    assert float(nll_loss(s, y)) == pytest.approx(800.0)
    assert torch.isinf(naive_nll_loss(s, y))


def test_hand_backward_autograd_and_finite_differences_agree(problem):
    params, x, y = problem
    by_hand = mlp_backward(params, x, y)
    auto = autograd_gradients(params, x, y)
    for name in PARAM_NAMES:
        w = getattr(params, name)
        numeric = numerical_gradient(
            lambda v, n=name: mlp_loss(params.replace(n, v), x, y), w
        )
        assert max_relative_error(getattr(by_hand, name), numeric, floor=1e-6) < 1e-6
        assert max_relative_error(getattr(auto, name), numeric, floor=1e-6) < 1e-6
        assert torch.allclose(getattr(by_hand, name), getattr(auto, name), atol=1e-15)


def test_directional_check_ratio_tends_to_zero_for_every_tensor(problem):
    params, x, y = problem
    auto = autograd_gradients(params, x, y)
    checks = gradient_check(params, x, y, auto, eps=(1e-3, 1e-5, 1e-7), seed=0)
    assert set(checks) == set(PARAM_NAMES)
    for cs in checks.values():
        assert all(abs(c.ratio) < 1e-4 for c in cs)


def test_directional_check_catches_a_wrong_gradient(problem):
    params, x, y = problem
    auto = autograd_gradients(params, x, y)
    wrong = auto.replace("b1", 2 * auto.b1)
    checks = gradient_check(params, x, y, wrong, eps=(1e-3, 1e-5, 1e-7), seed=0)
    ratios = [abs(c.ratio) for c in checks["b1"]]
    assert min(ratios) > 1e-4  # stays put instead of tending to 0
    assert ratios[-1] == pytest.approx(ratios[0], rel=0.01)


def test_init_rejects_bad_widths():
    with pytest.raises(ValueError, match="hidden units"):
        init_mlp(0, seed=0)
    with pytest.raises(TypeError, match="seed"):
        init_mlp(3, seed="0")


def test_cross_entropy_by_hand_equals_its_closed_forms_and_torch():
    logits = torch.tensor([[-1.0, 1.0], [-1.0, 1.0], [1.0, -1.0]], dtype=torch.float64)
    targets = torch.tensor([1, 1, 0])
    # Every point right by a margin of 2: −log σ(2) = log(1 + e⁻²) per point.
    right = cross_entropy_by_hand(logits, targets)
    assert float(right) == pytest.approx(math.log1p(math.exp(-2)), rel=1e-12)
    assert float(right) == pytest.approx(
        float(nn.CrossEntropyLoss()(logits, targets)), rel=1e-12
    )
    # No information: ln 2. Confidently wrong by 6: log(1 + e⁶).
    assert float(cross_entropy_by_hand(0 * logits, targets)) == pytest.approx(
        math.log(2), rel=1e-12
    )
    assert float(cross_entropy_by_hand(-3 * logits, targets)) == pytest.approx(
        math.log1p(math.exp(6)), rel=1e-12
    )


def test_predictions_are_the_probabilities_rounded_at_one_half():
    p = init_mlp(4, seed=1)
    x = torch.randn(500, 2, generator=torch.Generator().manual_seed(2))
    expected = (mlp_probability(p, x) > 0.5).float()
    assert torch.equal(mlp_predict(p, x), expected)
    assert 0 < float(expected.mean()) < 1  # both classes occur: the test can fail


@pytest.mark.parametrize("shift", [5.0, -100.0])
def test_cross_entropy_sees_only_differences_between_scores(shift):
    # mlp-modules.md, exercise: shifting every logit by the same number changes nothing.
    logits = torch.tensor([[-1.0, 1.0], [-1.0, 1.0], [1.0, -1.0]], dtype=torch.float64)
    targets = torch.tensor([1, 1, 0])
    ce = nn.CrossEntropyLoss()
    assert float(ce(logits + shift, targets)) == pytest.approx(
        float(ce(logits, targets)), rel=1e-12
    )
    assert float(cross_entropy_by_hand(logits + shift, targets)) == pytest.approx(
        float(ce(logits, targets)), rel=1e-12
    )


def test_binary_cross_entropy_equals_our_nll_and_two_class_cross_entropy():
    z = torch.randn(20, 2, generator=torch.Generator().manual_seed(0))
    t = torch.randint(0, 2, (20,), generator=torch.Generator().manual_seed(1))
    s, y = z[:, 1] - z[:, 0], t.float()
    bce = nn.BCEWithLogitsLoss()(s, y)
    assert float(nll_loss(s, y)) == pytest.approx(float(bce), rel=1e-6)
    assert float(nn.CrossEntropyLoss()(z, t)) == pytest.approx(float(bce), rel=1e-6)


def test_torch_models_are_seeded_and_shaped():
    a, b = wide_net(16, seed=3), wide_net(16, seed=3)
    x = torch.linspace(-1, 1, 5)[:, None]
    assert torch.equal(a(x), b(x)) and a(x).shape == (5, 1)
    deep = tanh_mlp((4, 6), seed=0)
    assert [m.out_features for m in deep if isinstance(m, nn.Linear)] == [4, 6, 1]
    torch.manual_seed(123)
    expected = torch.randn(1)
    torch.manual_seed(123)
    tanh_mlp((8,), seed=0)  # leaves the global generator alone
    assert torch.equal(torch.randn(1), expected)


def test_the_fan_in_start_is_the_uniform_one_scaled_per_layer():
    from gradlab.mlp import init_mlp

    p, q = init_mlp(50, seed=3), init_mlp(50, seed=3, scale="fan-in")
    assert torch.allclose(q.w1 * math.sqrt(2), p.w1)
    assert torch.allclose(q.b2 * math.sqrt(50), p.b2)
    with pytest.raises(ValueError, match="scale must be one of"):
        init_mlp(5, seed=0, scale="xavier")


def test_stacked_tanh_networks_compute_what_each_network_does():
    from gradlab.mlp import stacked_tanh, stacked_tanh_forward

    models = [tanh_mlp((8, 4), seed=s) for s in range(3)]
    x = torch.linspace(0, 1, 7)[:, None]
    weights, biases = stacked_tanh(models)
    out = stacked_tanh_forward(weights, biases, x)
    with torch.no_grad():
        want = torch.stack([m(x).squeeze(1) for m in models])
    assert out.shape == (3, 7) and torch.allclose(out, want, atol=1e-6)
