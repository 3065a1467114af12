"""gradlab.generalization: three splits, validation curves, early stopping, draws."""

import pytest
import torch
from gradlab import defaults, experiments
from gradlab.data import default_mixture
from gradlab.exercises.generalization import stopping_point
from gradlab.generalization import (
    bayes_disagreement,
    bayes_loss,
    early_stopping,
    early_stopping_draws,
    errors_of,
    three_splits,
    train_draws,
    validation_curves,
)
from gradlab.mlp import init_mlp, mlp_predict
from gradlab.training import error_rate, train_mlp


@pytest.fixture(scope="module")
def small():
    m = default_mixture()
    return m, m.sample(60, seed=5), m.sample(80, seed=6)


def test_three_splits_keep_the_chapters_sets_and_add_a_validation_set():
    s = experiments.generalization.splits()
    assert torch.equal(s.train.x, experiments.mlp.training_set().x)
    assert torch.equal(s.test.y, experiments.mlp.test_set().y)
    assert len(s.validation) == defaults.VAL_SIZE
    assert not torch.equal(s.validation.x[:10], s.test.x[:10])
    with pytest.raises(ValueError, match="three different seeds"):
        three_splits(default_mixture(), seeds=(0, 0, 1))


def test_validation_curves_follow_train_mlp(small):
    _, train, val = small
    start = init_mlp(6, seed=1)
    run = validation_curves(start, train, val, lr=0.3, epochs=12, keep=(0, 5))
    reference = train_mlp(start, train, lr=0.3, epochs=12)
    for a, b in zip(run.trained.tensors(), reference.trained.tensors(), strict=True):
        torch.testing.assert_close(a, b)
    torch.testing.assert_close(
        run.curves.train_loss, reference.losses.double(), rtol=1e-6, atol=1e-7
    )
    assert torch.equal(run.snapshots[0].w1, start.w1) and set(run.snapshots) == {0, 5}
    p5 = run.snapshots[5]
    assert float(run.curves.val_error[5]) == pytest.approx(
        error_rate(mlp_predict(p5, val.x), val.y), abs=1e-6
    )
    assert float(run.curves.train_error[-1]) == pytest.approx(
        error_rate(mlp_predict(run.trained, train.x), train.y), abs=1e-6
    )


def test_early_stopping_keeps_the_lowest_validation_loss_and_waits_patience(small):
    _, train, val = small
    start = init_mlp(30, seed=2)
    curves = validation_curves(start, train, val, lr=0.5, epochs=300).curves
    stop = early_stopping(start, train, val, lr=0.5, patience=20, max_epochs=300)
    seen = curves.val_loss[: stop.stopped + 1]
    assert stop.best_epoch == int(seen.argmin())
    assert stop.best_loss == pytest.approx(float(seen.min()), rel=1e-6)
    assert stop.stopped == stop.best_epoch + 20 or stop.stopped == 300
    # With no patience left to wait, it runs to the end and keeps the overall best.
    never = early_stopping(start, train, val, lr=0.5, patience=1000, max_epochs=40)
    assert never.stopped == 40 and never.best_epoch == int(
        curves.val_loss[:41].argmin()
    )
    with pytest.raises(ValueError, match="patience"):
        early_stopping(start, train, val, lr=0.5, patience=0, max_epochs=3)


def test_train_draws_is_train_mlp_for_each_draw(small):
    mixture, train, _ = small
    sets = [train, mixture.sample(60, seed=7), mixture.sample(60, seed=8)]
    trained = train_draws(9, sets, lr=0.2, epochs=15, seeds=[3, 4, 5])
    for p, data, seed in zip(trained, sets, (3, 4, 5), strict=True):
        ref = train_mlp(init_mlp(9, seed=seed), data, lr=0.2, epochs=15).trained
        for a, b in zip(p.tensors(), ref.tensors(), strict=True):
            torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)
    errors = errors_of(trained, sets)
    assert errors.tolist() == pytest.approx(
        [
            error_rate(mlp_predict(p, d.x), d.y)
            for p, d in zip(trained, sets, strict=True)
        ]
    )
    with pytest.raises(ValueError, match="same number of points"):
        train_draws(
            3, [train, mixture.sample(10, seed=1)], lr=0.1, epochs=1, seeds=[0, 1]
        )


def test_bayes_disagreement_counts_different_predictions(small):
    mixture, train, _ = small
    p = init_mlp(4, seed=0)
    expected = (mlp_predict(p, train.x) != mixture.bayes_predict(train.x)).double()
    assert float(bayes_disagreement([p], mixture, train.x)[0]) == pytest.approx(
        float(expected.mean())
    )


def test_the_rule_on_a_recorded_curve_is_early_stopping(small):
    _, train, val = small
    start = init_mlp(30, seed=2)
    curves = validation_curves(start, train, val, lr=0.5, epochs=300).curves
    for patience in (1, 5, 20):
        stop = early_stopping(
            start, train, val, lr=0.5, patience=patience, max_epochs=300
        )
        assert stopping_point(curves.val_loss, patience) == (
            stop.best_epoch,
            stop.stopped,
        )


def test_early_stopping_draws_is_early_stopping_and_the_long_run_per_run(small):
    m, train, val = small
    other = m.sample(60, seed=7)
    starts = [init_mlp(30, seed=s) for s in (2, 3, 4)]
    trains = [train, other, train]
    for patience in (5, 20):
        done = early_stopping_draws(
            starts, trains, val, lr=0.5, patience=patience, max_epochs=120
        )
        for k, (start, data) in enumerate(zip(starts, trains, strict=True)):
            one = early_stopping(
                start, data, val, lr=0.5, patience=patience, max_epochs=120
            )
            assert int(done.best_epochs[k]) == one.best_epoch
            for a, b in zip(
                done.stopped[k].tensors(), one.trained.tensors(), strict=True
            ):
                torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)
            last = validation_curves(start, data, val, lr=0.5, epochs=120).trained
            for a, b in zip(done.last[k].tensors(), last.tensors(), strict=True):
                torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)


def test_bayes_loss_is_the_posteriors_cross_entropy(small):
    m, train, _ = small
    p = m.posterior(train.x.double())
    want = torch.nn.functional.binary_cross_entropy(p, train.y.double())
    assert bayes_loss(m, train) == pytest.approx(float(want), rel=1e-9)
    flipped = type(train)(train.x, 1 - train.y)  # the posterior is sure of the labels
    assert bayes_loss(m, flipped) > bayes_loss(m, train)
