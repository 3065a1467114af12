"""gradlab.initialization: the schemes draw what they promise; the loss at chance."""

import math

import pytest
import torch
from gradlab.initialization import (
    SCHEMES,
    activation_spread,
    chance_loss,
    first_layer_gradients,
    initialize_,
)
from gradlab.mlp import relu_mlp
from gradlab.stacked import stack_modules
from torch import nn


def layer(scheme: str, fan_in: int = 400, fan_out: int = 300) -> nn.Linear:
    with torch.random.fork_rng(devices=[]):
        torch.default_generator.manual_seed(0)
        linear = initialize_(nn.Sequential(nn.Linear(fan_in, fan_out)), scheme)[0]
    return linear.requires_grad_(False)


def test_each_scheme_draws_from_its_distribution():
    n_in, n_out = 400, 300
    uniform = layer("uniform")
    assert float(uniform.weight.abs().max()) <= 1
    assert float(uniform.weight.std()) == pytest.approx(1 / math.sqrt(3), rel=0.02)
    assert float(uniform.bias.abs().max()) > 0.9
    default = layer("default")
    assert float(default.weight.abs().max()) <= 1 / math.sqrt(n_in)
    assert float(default.bias.abs().max()) <= 1 / math.sqrt(n_in)
    kaiming = layer("kaiming")
    assert float(kaiming.weight.std()) == pytest.approx(math.sqrt(2 / n_in), rel=0.02)
    assert not kaiming.bias.any()
    xavier = layer("xavier")
    bound = math.sqrt(6 / (n_in + n_out))
    assert float(xavier.weight.abs().max()) <= bound
    assert float(xavier.weight.std()) == pytest.approx(bound / math.sqrt(3), rel=0.02)
    assert not xavier.bias.any()
    with pytest.raises(ValueError, match="unknown scheme"):
        initialize_(nn.Linear(2, 2), "orthogonal")


def test_relu_mlp_is_seeded_and_leaves_the_global_generator_alone():
    state = torch.random.get_rng_state()
    a, b = (
        relu_mlp((8, 8), seed=3, init="kaiming"),
        relu_mlp((8, 8), seed=3, init="kaiming"),
    )
    assert torch.equal(torch.random.get_rng_state(), state)
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(p, q)
    assert not torch.equal(a[0].weight, relu_mlp((8, 8), seed=4)[0].weight)
    assert a(torch.zeros(5, 2)).shape == (5,)
    assert set(SCHEMES) == {"uniform", "default", "kaiming", "xavier"}


def test_chance_loss_is_the_loss_of_predicting_the_label_frequency():
    assert chance_loss(torch.tensor([0.0, 1.0, 1.0, 0.0])) == pytest.approx(math.log(2))
    y = torch.tensor([1.0, 0.0, 0.0, 0.0])
    q = torch.full((4,), math.log(0.25 / 0.75))  # the score of p = 1/4 everywhere
    bce = nn.BCEWithLogitsLoss()(q, y).item()
    assert chance_loss(y) == pytest.approx(bce, rel=1e-6)
    assert chance_loss(torch.zeros(3)) == 0


def test_activation_spread_is_the_spread_across_points_within_each_unit():
    stack = stack_modules([relu_mlp((6, 4), seed=s) for s in range(2)])
    x = torch.randn(50, 2)
    with torch.no_grad():
        acts = stack.activations(x)
    spread = activation_spread(acts)
    assert spread.shape == (2,)
    assert float(spread[1]) == pytest.approx(float(acts[1].std(1).mean()))
    offsets = [10 * torch.rand(a.shape[0], 1, a.shape[2]) for a in acts]
    shifted = [a + o for a, o in zip(acts, offsets, strict=True)]  # same for all points
    torch.testing.assert_close(activation_spread(shifted), spread)
    assert float(shifted[1].std()) > 2 * float(acts[1].std())  # pooled, it counts


def test_first_layer_gradients_are_each_copys_own():
    models = [relu_mlp((6, 4), seed=s) for s in range(2)]
    x, y = torch.randn(30, 2), (torch.rand(30) > 0.5).float()
    norms = first_layer_gradients(stack_modules(models), x, y)
    for model, norm in zip(models, norms, strict=True):
        nn.BCEWithLogitsLoss()(model(x).squeeze(-1), y).backward()
        assert float(norm) == pytest.approx(
            float(model[0].weight.grad.norm()), rel=1e-5
        )
