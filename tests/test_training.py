"""gradlab.training: the classifier's descent, the nn.Module loop, error rates."""

import math

import pytest
import torch
from gradlab.data import SINE_SEED, default_mixture, noisy_sine
from gradlab.defaults import MLP_EPOCHS, MLP_LR
from gradlab.mlp import init_mlp, mlp_loss, wide_net
from gradlab.training import error_rate, fit_module, hoeffding_test_size, train_mlp
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


def test_train_mlp_is_gradient_descent_on_the_flat_parameters(data):
    # Two epochs by hand, tensor by tensor, give the same parameters and losses.
    _, train, _ = data
    train = type(train)(train.x.double(), train.y.double())
    p = init_mlp(3, seed=2, dtype=torch.float64)
    run = train_mlp(p, train, lr=0.5, epochs=2)
    tensors = [t.clone().requires_grad_() for t in p.tensors()]
    losses = []
    for _ in range(2):
        loss = mlp_loss(type(p)(*tensors), train.x, train.y)
        losses.append(float(loss.detach()))
        grads = torch.autograd.grad(loss, tensors)
        tensors = [
            (t - 0.5 * g).detach().requires_grad_()
            for t, g in zip(tensors, grads, strict=True)
        ]
    for mine, theirs in zip(run.trained.tensors(), tensors, strict=True):
        torch.testing.assert_close(mine, theirs.detach(), rtol=1e-12, atol=1e-12)
    assert run.losses[:2].tolist() == pytest.approx(losses, rel=1e-12)
    assert run.params.shape == (2, sum(t.numel() for t in p.tensors()))


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
    with pytest.raises(ValueError, match="learning rate must be a finite number > 0"):
        train_mlp(init_mlp(2, seed=0), train, lr=math.inf, epochs=1)
    with pytest.raises(TypeError, match="learning rate must be a number, got str"):
        train_mlp(init_mlp(2, seed=0), train, lr="0.1", epochs=1)


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
