"""gradlab.depth: hooks that record what they should, batch normalisation's
hand-written backward against nn.BatchNorm1d and central differences, layer norm."""

import math

import pytest
import torch
import torch.nn.functional as F
from gradlab import depth
from gradlab.gradcheck import max_relative_error, numerical_gradient
from torch import nn


def _batch(n=32, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, 64, generator=g), torch.randint(10, (n,), generator=g)


def test_deep_mlp_layout_and_initialisations():
    model = depth.deep_mlp(3, 16, "relu", "fan-in", seed=0, norm="batch")
    kinds = [type(m) for m in model]
    assert kinds == [nn.Linear, nn.BatchNorm1d, nn.ReLU] * 3 + [nn.Linear]
    big = depth.deep_mlp(4, 256, "tanh", "large", seed=0)
    scaled = depth.deep_mlp(4, 256, "tanh", "fan-in", seed=0)
    default = depth.deep_mlp(4, 256, "tanh", "default", seed=0)
    w = [depth.linear_layers(m)[1].weight.detach() for m in (big, scaled, default)]
    assert float(w[0].std()) == pytest.approx(1.0, rel=0.02)
    assert float(w[1].std()) == pytest.approx(5 / 3 / 16, rel=0.02)
    assert float(w[2].std()) == pytest.approx(1 / math.sqrt(3 * 256), rel=0.02)
    assert float(depth.linear_layers(scaled)[1].bias.detach().abs().max()) == 0
    same = depth.deep_mlp(4, 256, "tanh", "default", seed=0)
    assert torch.equal(same[0].weight, default[0].weight)  # seeded
    with pytest.raises(ValueError, match="init"):
        depth.deep_mlp(2, 8, "tanh", "huge", seed=0)
    with pytest.raises(ValueError, match="activation"):
        depth.deep_mlp(2, 8, "gelu", seed=0)
    with pytest.raises(ValueError, match="norm"):
        depth.deep_mlp(2, 8, "tanh", seed=0, norm="group")


def test_record_sees_every_hidden_layer_and_autograds_gradients():
    model = depth.deep_mlp(3, 8, "tanh", "fan-in", seed=0)
    x, y = _batch()
    rec = depth.record(model, x, y)
    assert len(rec.activations) == len(rec.gradients) == 3
    h = x
    acts = []
    for m in model:
        h = m(h)
        if isinstance(m, nn.Tanh):
            h.retain_grad()
            acts.append(h)
    F.cross_entropy(h, y).backward()
    for a, r, g in zip(acts, rec.activations, rec.gradients, strict=True):
        torch.testing.assert_close(r, a.detach())
        torch.testing.assert_close(g, a.grad)


def test_recorded_gradients_match_central_differences_in_float64():
    model = depth.deep_mlp(4, 8, "relu", "fan-in", seed=1).double()
    x, y = _batch(16)
    x = x.double()
    rec = depth.record(model, x, y)
    for layer in (0, 2, 3):
        for unit in ((0, 0), (7, 5), (15, 7)):
            up = depth.nudged_loss(model, x, y, layer, unit, 1e-6)
            down = depth.nudged_loss(model, x, y, layer, unit, -1e-6)
            want = rec.gradients[layer][unit].item()
            assert (up - down) / 2e-6 == pytest.approx(want, rel=1e-5, abs=1e-10)


def test_stuck_unit_counts():
    a = torch.tensor([[0.0, 0.5, 0.0], [0.0, 0.0, 1.0]])
    assert depth.dead_fraction(a) == pytest.approx(1 / 3)
    t = torch.tensor([0.99, -0.98, 0.5, 0.0])
    assert depth.saturated_fraction(t, "tanh") == 0.5
    assert depth.saturated_fraction((t + 1) / 2, "sigmoid") == 0.5
    assert depth.saturated_fraction(t, "relu") == 0.0


def test_update_ratios_and_fit_record_one_ratio_per_step_and_layer():
    model = depth.deep_mlp(2, 8, "tanh", "fan-in", seed=0)
    before = [m.weight.detach().clone() for m in depth.linear_layers(model)]
    with torch.no_grad():
        model[0].weight.mul_(1.5)
    ratios = depth.update_ratios(before, model)
    torch.testing.assert_close(ratios, torch.tensor([0.5, 0.0, 0.0]))

    class Set:
        def __init__(self, n, seed):
            self.x, self.y = _batch(n, seed)

    run = depth.fit(model, Set(40, 1), Set(10, 2), lr=0.1, epochs=2, batch_size=16,
                    seed=0)  # fmt: skip
    assert run.ratios.shape == (2 * 3, 3) and run.val_accuracy.shape == (3,)
    fast = depth.fit(model, Set(40, 1), Set(10, 2), lr=0.1, epochs=1, batch_size=16,
                     seed=0, ratios=False)  # fmt: skip
    assert fast.ratios.shape == (0, 3)
    # for plain SGD the measured ratio is lr·‖grad‖/‖W‖ (the exercise's formula)
    model = depth.deep_mlp(2, 8, "tanh", "fan-in", seed=0)
    x, y = _batch(16)
    F.cross_entropy(model(x), y).backward()
    want = torch.stack([0.1 * m.weight.grad.norm() / m.weight.norm()
                        for m in depth.linear_layers(model)])  # fmt: skip
    before = [m.weight.detach().clone() for m in depth.linear_layers(model)]
    torch.optim.SGD(model.parameters(), lr=0.1).step()
    torch.testing.assert_close(depth.update_ratios(before, model), want)


def _bn_inputs(n=12, c=4, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = 3 * torch.randn(n, c, generator=g, dtype=torch.float64) + 2
    gamma = torch.randn(c, generator=g, dtype=torch.float64)
    beta = torch.randn(c, generator=g, dtype=torch.float64)
    return x, gamma, beta


def test_batch_norm_forward_and_backward_match_pytorch():
    x, gamma, beta = _bn_inputs()
    upstream = torch.randn(12, 4, dtype=torch.float64)
    x.requires_grad_()
    ours = depth.batch_norm_train(x, gamma.requires_grad_(), beta.requires_grad_())
    ref = nn.BatchNorm1d(4).double()
    with torch.no_grad():
        ref.weight.copy_(gamma)
        ref.bias.copy_(beta)
    theirs = ref(x)
    torch.testing.assert_close(ours, theirs)
    a = torch.autograd.grad(ours, (x, gamma, beta), upstream)
    b = torch.autograd.grad(theirs, (x, ref.weight, ref.bias), upstream)
    for p, q in zip(a, b, strict=True):
        torch.testing.assert_close(p, q)


def test_batch_norm_backward_matches_central_differences_and_a_wrong_one_fails():
    x, gamma, beta = _bn_inputs(6, 3, seed=1)
    w = torch.randn(6, 3, generator=torch.Generator().manual_seed(5), dtype=x.dtype)

    def loss(v):
        return (w * depth.batch_norm_train(v, gamma, beta)).sum()

    x.requires_grad_()
    (grad,) = torch.autograd.grad(loss(x), x)
    fd = numerical_gradient(loss, x)
    assert max_relative_error(grad, fd) < 1e-6
    x_hat = (x.detach() - x.detach().mean(0)) / (x.detach().var(0, unbiased=False)
                                                 + 1e-5).sqrt()  # fmt: skip
    wrong = gamma * w / (x.detach().var(0, unbiased=False) + 1e-5).sqrt()  # no mean
    assert max_relative_error(wrong, fd) > 1e-2  # the check catches a wrong backward
    assert x_hat.mean(0).abs().max() < 1e-12
    assert torch.autograd.gradcheck(
        depth.batch_norm_train, (x, gamma.requires_grad_(), beta.requires_grad_())
    )


def test_batch_norm_module_tracks_running_statistics_like_pytorch():
    ours, theirs = depth.BatchNorm(3), nn.BatchNorm1d(3)
    g = torch.Generator().manual_seed(0)
    for _ in range(5):
        xs = 2 * torch.randn(8, 3, generator=g) + 1
        torch.testing.assert_close(ours(xs), theirs(xs))
    torch.testing.assert_close(ours.running_mean, theirs.running_mean)
    torch.testing.assert_close(ours.running_var, theirs.running_var)
    ours.eval(), theirs.eval()
    xs = torch.randn(4, 3, generator=g)
    torch.testing.assert_close(ours(xs), theirs(xs))
    ours.train()
    one = ours(xs[:1])  # a batch of one: every feature is its own mean
    torch.testing.assert_close(one, ours.beta.detach()[None])
    with pytest.raises(ValueError, match="batch"):
        depth.batch_norm_train(torch.zeros(3), torch.ones(3), torch.zeros(3))


def test_train_mode_scores_are_the_scores_of_a_model_left_in_training_mode():
    model = depth.deep_mlp(3, 8, "tanh", seed=0, norm="batch")
    x, _ = _batch(37)
    saved = {k: v.clone() for k, v in model.state_dict().items()}
    got = depth.train_mode_scores(model, x, 8)
    for k, v in model.state_dict().items():
        assert torch.equal(v, saved[k])  # nothing updated
    model.train()
    with torch.no_grad():
        want = torch.cat([model(xb) for xb in x.split(8)])
    torch.testing.assert_close(got, want)


def test_layer_norm_matches_pytorch_and_needs_no_batch():
    x, gamma, beta = _bn_inputs(5, 6)
    gamma, beta = gamma[:6], beta[:6]
    want = F.layer_norm(x, (6,), gamma, beta, 1e-5)
    torch.testing.assert_close(depth.layer_norm(x, gamma, beta), want)
    torch.testing.assert_close(depth.layer_norm(x[2:3], gamma, beta), want[2:3])
