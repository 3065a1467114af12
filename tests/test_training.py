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


def test_training_step_returns_the_loss_before_one_sgd_update():
    # f(x) = w x on x = (1, 2), targets 0: MSE 2.5 w², gradient 5 w. From w = 2 at
    # lr 0.1 the step returns 10 and leaves w = 2 - 0.1 × 10 = 1.
    from gradlab.training import training_step

    model = nn.Linear(1, 1, bias=False)
    with torch.no_grad():
        model.weight.fill_(2.0)
    x, y = torch.tensor([[1.0], [2.0]]), torch.zeros(2, 1)
    sgd = torch.optim.SGD(model.parameters(), lr=0.1)
    loss = training_step(model, x, y, loss_fn=nn.MSELoss(), optimizer=sgd)
    assert loss == pytest.approx(10.0) and model.weight.item() == pytest.approx(1.0)
    # The second step's gradient is 5, not 5 + 10: the first one's was cleared.
    again = training_step(model, x, y, loss_fn=nn.MSELoss(), optimizer=sgd)
    assert again == pytest.approx(2.5) and model.weight.item() == pytest.approx(0.5)


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


def test_steps_per_epoch_and_the_batches_a_dataloader_deals(data):
    from gradlab.training import batches, steps_per_epoch

    _, train, _ = data
    assert steps_per_epoch(200, 10) == 20 and steps_per_epoch(201, 10) == 21
    loader = batches(train, 64, seed=3)
    dealt = list(loader)
    assert [len(y) for _, y in dealt] == [64, 64, 64, 8]  # the last batch is smaller
    xs = torch.cat([x for x, _ in dealt])
    assert sorted(xs[:, 0].tolist()) == sorted(train.x[:, 0].tolist())  # all, once
    again = torch.cat([x for x, _ in batches(train, 64, seed=3)])
    assert torch.equal(xs, again)  # seeded
    assert not torch.equal(xs, torch.cat([x for x, _ in loader]))  # a new order
    with pytest.raises(ValueError, match="batch_size"):
        steps_per_epoch(10, 0)


def test_train_epoch_steps_once_per_batch_and_evaluate_scores_all(data):
    from gradlab.mlp import relu_mlp
    from gradlab.training import batches, evaluate, train_epoch

    _, train, _ = data
    model, loss_fn = relu_mlp((8,), seed=0), nn.BCEWithLogitsLoss()
    sgd = torch.optim.SGD(model.parameters(), lr=0.1)
    before, _ = evaluate(model, train, loss_fn=loss_fn)
    losses = train_epoch(
        model, batches(train, 50, seed=0), loss_fn=loss_fn, optimizer=sgd
    )
    after, error = evaluate(model, train, loss_fn=loss_fn)
    assert len(losses) == 4 and after < before
    with torch.no_grad():
        assert error == error_rate((model(train.x) > 0).float(), train.y)


def test_first_epoch_below_and_tail_jitter():
    from gradlab.training import first_epoch_below, tail_jitter

    losses = torch.tensor([[1.0, 0.4, 0.6, 0.3], [1.0, 0.9, 0.8, 0.7]])
    assert first_epoch_below(losses, 0.5).tolist() == [1, -1]
    assert tail_jitter(losses, 2).tolist() == pytest.approx([0.25, 0.1])
    with pytest.raises(ValueError, match="more than"):
        tail_jitter(losses, 4)


def test_train_copies_matches_one_training_at_a_time():
    from gradlab.data import default_mixture
    from gradlab.mlp import init_mlp
    from gradlab.stacked import unstack
    from gradlab.training import train_copies, train_mlp

    data = default_mixture().sample(40, seed=3)
    starts = [init_mlp(6, seed=s, dtype=torch.float64) for s in (0, 1)]
    x, y = data.x.double(), data.y.double()
    kept = train_copies(starts, x, y, lr=0.1, epochs=20, keep=(5,))
    assert set(kept) == {5, 20}
    for k, start in enumerate(starts):
        alone = train_mlp(start, type(data)(x, y), lr=0.1, epochs=20).trained
        together = unstack(kept[20], k)
        for a, b in zip(alone.tensors(), together.tensors(), strict=True):
            assert torch.allclose(a, b, atol=1e-10)
