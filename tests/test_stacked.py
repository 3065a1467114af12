"""gradlab.stacked: S copies trained as one give what S separate trainings give."""

import pytest
import torch
from gradlab.data import default_mixture
from gradlab.mlp import init_mlp, nll_loss, relu_mlp
from gradlab.stacked import (
    Stack,
    concat,
    copy_errors,
    copy_losses,
    shufflers,
    stack_modules,
    stack_params,
    train_stacked,
    unstack,
    vmapped_scores,
)
from gradlab.training import batches, train_epoch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


@pytest.fixture(scope="module")
def train():
    return default_mixture().sample(60, seed=3)


def test_stacked_scores_are_each_models_scores_and_vmaps(train):
    models = [relu_mlp((7, 5), seed=s) for s in range(3)]
    stack = stack_modules(models)
    assert stack.copies == 3 and [w.shape for w in stack.weights] == [
        (3, 7, 2),
        (3, 5, 7),
        (3, 1, 5),
    ]
    with torch.no_grad():
        by_model = torch.stack([m(train.x) for m in models])
        torch.testing.assert_close(stack.scores(train.x), by_model)
        torch.testing.assert_close(vmapped_scores(models, train.x), by_model)
        per_copy = train.x.expand(3, *train.x.shape)  # (S, N, d): one set per copy
        torch.testing.assert_close(stack.scores(per_copy), by_model)
    assert all(t.is_leaf and t.requires_grad for t in stack.parameters())


def test_raw_parameters_stack_and_unstack(train):
    params = [init_mlp(4, seed=s) for s in range(2)]
    stack = stack_params(params)
    for k, p in enumerate(params):
        back = unstack(stack, k)
        for a, b in zip(back.tensors(), p.tensors(), strict=True):
            assert torch.equal(a, b)
        with torch.no_grad():
            scores = stack.scores(train.x)[k]
            torch.testing.assert_close(
                copy_losses(scores[None], train.y)[0], nll_loss(scores, train.y)
            )


def test_copy_losses_is_each_copys_bce_and_copy_errors_chunks(train, monkeypatch):
    models = [relu_mlp((6,), seed=s) for s in range(2)]
    stack = stack_modules(models)
    with torch.no_grad():
        losses = copy_losses(stack.scores(train.x), train.y)
        for k, m in enumerate(models):
            assert float(losses[k]) == pytest.approx(
                float(nn.BCEWithLogitsLoss()(m(train.x), train.y)), rel=1e-6
            )
        whole = copy_errors(stack, train.x, train.y)
        monkeypatch.setattr("gradlab.stacked.CHUNK", 7 * 2 * 6)  # 7 rows a chunk
        torch.testing.assert_close(copy_errors(stack, train.x, train.y), whole)
        wrong = [((m(train.x) > 0).float() != train.y).double().mean() for m in models]
        torch.testing.assert_close(whole, torch.stack(wrong))


def test_the_shuffle_is_the_dataloaders(train):
    loaders = shufflers(len(train), [5])
    reference = DataLoader(
        TensorDataset(torch.arange(len(train))),
        batch_size=8,
        shuffle=True,
        generator=torch.Generator().manual_seed(5),
    )
    for _ in range(2):  # two epochs: each draws a fresh order
        order = torch.cat(list(loaders[0]))
        dealt = torch.cat([b for (b,) in reference])
        assert torch.equal(order, dealt)


@pytest.mark.parametrize(
    "make",
    [
        lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9),
        lambda ps: torch.optim.Adam(ps, lr=0.01),
    ],
    ids=["momentum", "adam"],
)
def test_stacked_training_is_separate_dataloader_training(train, make):
    seeds, batch_size, epochs = (0, 1), 16, 2
    models = [relu_mlp((6,), seed=s) for s in seeds]
    stack = stack_modules(models)
    losses = train_stacked(
        [stack],
        [make(stack.parameters())],
        train.x,
        train.y,
        batch_size=batch_size,
        epochs=epochs,
        seeds=seeds,
    )
    assert losses.shape == (1, 2, epochs + 1)
    loss_fn = nn.BCEWithLogitsLoss()
    for k, (model, seed) in enumerate(zip(models, seeds, strict=True)):
        optimizer = make(model.parameters())
        loader = batches(train, batch_size, seed=seed)
        for epoch in range(epochs):
            train_epoch(model, loader, loss_fn=loss_fn, optimizer=optimizer)
            with torch.no_grad():
                full = loss_fn(model(train.x), train.y)
            assert float(losses[0, k, epoch + 1]) == pytest.approx(
                float(full), abs=1e-5
            )
    separate = stack_modules(models)
    for a, b in zip(stack.parameters(), separate.parameters(), strict=True):
        torch.testing.assert_close(a.detach(), b.detach(), rtol=1e-5, atol=1e-6)


def test_stacks_trained_together_get_only_their_own_gradients(train):
    models = [relu_mlp((5,), seed=s) for s in range(2)]
    a, b = stack_modules(models), stack_modules(models)
    frozen = torch.optim.SGD(b.parameters(), lr=0.0)
    moving = torch.optim.SGD(a.parameters(), lr=0.5)
    losses = train_stacked(
        [a, b],
        [moving, frozen],
        train.x,
        train.y,
        batch_size=20,
        epochs=1,
        seeds=(0, 1),
    )
    assert torch.equal(losses[1, :, 0], losses[1, :, 1])  # b did not move
    assert bool((losses[0, :, 1] != losses[0, :, 0]).all())
    assert concat([a]) is a and concat([a, b]).copies == 4


def test_bad_input_is_refused(train):
    with pytest.raises(ValueError, match="at least one"):
        stack_modules([])
    with pytest.raises(TypeError, match="Linear, ReLU"):
        stack_modules([nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))])
    stack = stack_modules([relu_mlp((3,), seed=0)])
    with pytest.raises(ValueError, match="one copy per seed"):
        train_stacked(
            [stack], [], train.x, train.y, batch_size=4, epochs=1, seeds=(0, 1)
        )
    with pytest.raises(ValueError, match="one-hidden-layer"):
        unstack(Stack(stack.weights * 2, stack.biases * 2), 0)
