"""gradlab.classify: the digits network, its loops, and S copies stacked as one."""

import math

import pytest
import torch
from gradlab import classify
from gradlab.digits import load
from torch import nn


@pytest.fixture(scope="module")
def digits():
    return load(0)


def test_mlp_shapes_layers_and_seed():
    model = classify.mlp((32, 16), seed=3, dropout=0.2)
    assert model(torch.zeros(5, 64)).shape == (5, 10)
    assert sum(isinstance(m, nn.Dropout) for m in model) == 2
    again = classify.mlp((32, 16), seed=3, dropout=0.2)
    for a, b in zip(model.parameters(), again.parameters(), strict=True):
        assert torch.equal(a, b)
    assert not torch.equal(model[0].weight, classify.mlp((32, 16), seed=4)[0].weight)
    with pytest.raises(ValueError, match="dropout"):
        classify.mlp(seed=0, dropout=1.0)


def test_loader_is_seeded_and_the_unseeded_one_keeps_the_order(digits):
    first = [y for _, y in classify.loader(digits.train, 100, seed=1)]
    second = [y for _, y in classify.loader(digits.train, 100, seed=1)]
    assert all(torch.equal(a, b) for a, b in zip(first, second, strict=True))
    ordered = torch.cat([y for _, y in classify.loader(digits.val, 100)])
    assert torch.equal(ordered, digits.val.y)


def test_train_epoch_trains_and_evaluate_is_eval_mode_without_a_graph(digits):
    model = classify.mlp(seed=0, dropout=0.5)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    before = classify.evaluate(model, classify.loader(digits.val, 128))
    loss = classify.train_epoch(
        model, classify.loader(digits.train, 64, seed=0), optimizer
    )
    assert model.training and math.isfinite(loss)
    after = classify.evaluate(model, classify.loader(digits.val, 128))
    assert not model.training and after.correct > before.correct
    again = classify.evaluate(model, classify.loader(digits.val, 59))  # dropout off
    assert again.correct == after.correct
    assert again.loss == pytest.approx(after.loss, rel=1e-5)
    assert after.accuracy == after.correct / len(digits.val)
    with torch.no_grad():
        model.eval()
        want = nn.functional.cross_entropy(model(digits.val.x), digits.val.y).item()
    assert after.loss == pytest.approx(want, rel=1e-5)


def test_confusion_matrix_counts_pairs():
    g = torch.Generator().manual_seed(0)
    y, p = (
        torch.randint(0, 10, (200,), generator=g),
        torch.randint(0, 10, (200,), generator=g),
    )
    want = torch.zeros(10, 10, dtype=torch.int64)
    for a, b in zip(y.tolist(), p.tolist(), strict=True):
        want[a, b] += 1
    assert torch.equal(classify.confusion_matrix(p, y), want)
    with pytest.raises(ValueError, match="shapes differ"):
        classify.confusion_matrix(p[:3], y)


def test_stacked_copies_compute_and_differentiate_as_the_separate_networks(digits):
    seeds = (0, 1, 2)
    models = [classify.mlp((16,), seed=s).double() for s in seeds]
    stack = classify.StackedMLP(models).double()
    x, y = digits.val.x[:20].double(), digits.val.y[:20]
    torch.testing.assert_close(stack(x), torch.stack([m(x) for m in models]))
    classify.copy_losses(stack(x), y).sum().backward()
    for k, m in enumerate(models):
        nn.functional.cross_entropy(m(x), y).backward()
        torch.testing.assert_close(stack.weights[0].grad[k], m[0].weight.grad)
        torch.testing.assert_close(stack.biases[1].grad[k], m[2].bias.grad)


def test_clip_per_copy_matches_clip_grad_norm_of_each_network(digits):
    models = [classify.mlp((16,), seed=s).double() for s in (0, 1)]
    stack = classify.StackedMLP(models).double()
    x, y = digits.val.x[:30].double(), digits.val.y[:30]
    (10 * classify.copy_losses(stack(x), y)).sum().backward()
    norms = classify.clip_per_copy_(stack, 0.5)
    for k, m in enumerate(models):
        (10 * nn.functional.cross_entropy(m(x), y)).backward()
        norm = nn.utils.clip_grad_norm_(m.parameters(), 0.5)
        assert float(norms[k]) == pytest.approx(float(norm))
        torch.testing.assert_close(stack.weights[0].grad[k], m[0].weight.grad)


def test_stacked_batches_are_each_copys_own_permutation():
    batches = list(classify.stacked_batches(10, 4, (0, 1), epoch=0))
    assert [b.shape for b in batches] == [(2, 4), (2, 4), (2, 2)]
    orders = torch.cat(batches, 1)
    assert all(torch.equal(o.sort().values, torch.arange(10)) for o in orders)
    assert not torch.equal(orders[0], orders[1])
    later = torch.cat(list(classify.stacked_batches(10, 4, (0, 1), epoch=1)), 1)
    assert not torch.equal(orders, later)


def test_train_stacked_records_every_epoch_and_learns(digits):
    stack = classify.stacked((0, 1), (16,))
    opt = torch.optim.SGD(stack.parameters(), lr=0.1, momentum=0.9)
    run = classify.train_stacked(
        stack, opt, digits.train, digits.val, epochs=3, batch_size=128, seeds=(0, 1)
    )
    assert run.train_loss.shape == run.val_correct.shape == (2, 4)
    assert bool((run.train_loss[:, -1] < run.train_loss[:, 0] / 3).all())
    assert bool((run.val_correct[:, -1] > 300).all())


def test_train_stacked_draws_the_same_dropout_masks_whatever_ran_before(digits):
    def run():
        stack = classify.stacked((0, 1), (16,), dropout=0.5)
        opt = torch.optim.SGD(stack.parameters(), lr=0.1)
        return classify.train_stacked(
            stack, opt, digits.train, digits.val, epochs=1, batch_size=256, seeds=(0, 1)
        )

    first = run()
    torch.rand(7)  # the global generator moves on
    torch.testing.assert_close(run().train_loss, first.train_loss)
