import math

import pytest
import torch
from gradlab.curves import SINE_SEED, noisy_sine, wiggly, wiggly_sample
from gradlab.mixture import default_mixture
from gradlab.mlp import init_mlp, mlp_predict, wide_net
from gradlab.training import (
    MLP_EPOCHS,
    MLP_LR,
    error_rate,
    fit_module,
    hoeffding_test_size,
    train_mlp,
    width_experiment,
)
from torch import nn


@pytest.fixture(scope="module")
def data():
    m = default_mixture()
    return m, m.sample(200, seed=0), m.sample(20_000, seed=1)


def test_training_loss_falls_by_a_clear_margin(data):
    _, train, _ = data
    start = init_mlp(5, seed=0)
    run = train_mlp(start, train, lr=MLP_LR, epochs=MLP_EPOCHS)
    assert len(run.losses) == MLP_EPOCHS + 1
    assert run.final_loss < 0.8 * run.losses[0]
    assert torch.equal(start.w1, init_mlp(5, seed=0).w1)  # the start is not changed


def test_a_wide_net_gets_within_a_few_points_of_the_bayes_error(data):
    mixture, train, test = data
    result = width_experiment(
        (500,), train=train, test=test, lr=MLP_LR, epochs=MLP_EPOCHS, seed=0
    )[500]
    bayes = mixture.bayes_error()
    assert bayes - 0.01 < result.test_error < bayes + 0.03
    assert result.gap == pytest.approx(result.test_error - result.train_error)


def test_error_rate():
    assert error_rate(torch.tensor([1.0, 0, 1, 1]), torch.tensor([1.0, 1, 1, 0])) == 0.5


@pytest.mark.parametrize(
    ("eps", "delta", "n"),
    [(0.01, 0.01, 26_492), (0.05, 0.05, 738), (0.1, 0.5, 70), (0.02, 0.001, 9_502)],
)
def test_hoeffding_size(eps, delta, n):
    assert hoeffding_test_size(eps, delta) == n
    assert 2 * math.exp(-2 * n * eps**2) <= delta < 2 * math.exp(-2 * (n - 1) * eps**2)


@pytest.mark.parametrize(("eps", "delta"), [(0, 0.1), (1.5, 0.1), (0.1, 0), (0.1, 1)])
def test_hoeffding_rejects_bad_arguments(eps, delta):
    with pytest.raises(ValueError, match="must lie in"):
        hoeffding_test_size(eps, delta)


def test_train_mlp_rejects_bad_settings(data):
    _, train, _ = data
    with pytest.raises(ValueError, match="learning rate"):
        train_mlp(init_mlp(2, seed=0), train, lr=0, epochs=1)
    with pytest.raises(ValueError, match="epochs"):
        train_mlp(init_mlp(2, seed=0), train, lr=0.1, epochs=-1)


def test_fit_module_lowers_the_loss_on_the_noisy_sine():
    # The chapter's sine network and optimiser; 30 epochs take the loss to ~0.39 of
    # its start. A loop that stopped updating stays at 1, a wrong sign blows up.
    d = noisy_sine(seed=SINE_SEED)
    x, y = d.t[:, None], d.y[:, None]
    net = wide_net(512, seed=SINE_SEED)
    with torch.no_grad():
        start = float(nn.MSELoss()(net(x), y))
    sgd = torch.optim.SGD(net.parameters(), lr=0.003, momentum=0.9)
    losses = fit_module(net, x, y, loss_fn=nn.MSELoss(), optimizer=sgd, epochs=30)
    assert len(losses) == 30 and losses[0] == pytest.approx(start)
    assert losses[-1] < 0.6 * losses[0]


def test_regression_data():
    s = noisy_sine(seed=2021)
    assert s.t.shape == s.y.shape == (32,)
    assert float((s.y - torch.sin(math.pi * s.t)).std()) == pytest.approx(0.25, abs=0.1)
    w = wiggly_sample(seed=0)
    assert float(w.t.min()) >= 0 and float(w.t.max()) <= 1
    assert torch.allclose(w.y, wiggly(w.t))
    assert float(wiggly(torch.tensor(1 / 3))) == pytest.approx(-math.sqrt(3), abs=1e-5)


def test_mlp_predict_matches_probability_threshold(data):
    _, train, _ = data
    p = init_mlp(4, seed=1)
    assert set(mlp_predict(p, train.x).tolist()) <= {0.0, 1.0}
