"""gradlab.generalization, and the claims of "Validation, overfitting and early
stopping" at the book's settings (computed once per module)."""

import math

import pytest
import torch
from gradlab import defaults as book
from gradlab import experiments
from gradlab.data import default_mixture
from gradlab.generalization import (
    bayes_disagreement,
    early_stopping,
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
    s = experiments.splits()
    assert torch.equal(s.train.x, experiments.training_set().x)
    assert torch.equal(s.test.y, experiments.test_set().y)
    assert len(s.validation) == book.VAL_SIZE
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


def stopping_point(val_loss, patience):
    """(kept, stopped): `early_stopping`'s rule applied to a recorded curve."""
    best = 0
    for epoch in range(1, len(val_loss)):
        if val_loss[epoch] < val_loss[best]:
            best = epoch
        elif epoch - best >= patience:
            return best, epoch
    return best, len(val_loss) - 1


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


# The chapter's claims, at the book's settings. Full-batch descent is deterministic,
# so early stopping's choice is read off the long run (the rule is tested above).


@pytest.fixture(scope="module")
def long_run():
    run = experiments.overfitting_run(keep=range(book.LONG_EPOCHS + 1))
    return run, stopping_point(run.curves.val_loss, book.PATIENCE)


@pytest.mark.slow
def test_validation_loss_turns_up_while_training_loss_keeps_falling(long_run):
    run, _ = long_run
    c, epochs = run.curves, book.LONG_EPOCHS
    best = c.best_epoch
    assert 0 < best < epochs // 2  # "lowest at epoch ..., and from there it rises"
    assert float(c.val_loss[-1]) > float(c.val_loss[best]) + 0.005  # clearly
    rises = (c.train_loss.diff() > 0).nonzero()
    assert int(rises.max()) + 1 < 20  # "after its first few epochs ... at every epoch"
    assert float(c.train_error[-1]) < float(c.train_error[best])  # keeps falling
    # the validation error hardly moves in comparison
    assert abs(float(c.val_error[-1] - c.val_error[best])) < 0.02


@pytest.mark.slow
def test_early_stopping_picks_the_minimum_and_beats_the_last_epoch_on_test(long_run):
    run, (kept, stopped) = long_run
    assert kept == run.curves.best_epoch  # "the minimum of the validation curve"
    assert stopped == kept + book.PATIENCE < book.LONG_EPOCHS
    test = experiments.test_set()
    early = run.snapshots[experiments.KEEP_EPOCHS[0]]
    chosen, last = run.snapshots[kept], run.trained
    at_stop, at_end = errors_of([chosen, last], test).tolist()
    assert at_stop < at_end  # "Stopping early gave the better classifier"
    d_early, d_stop, d_last = bayes_disagreement(
        [early, chosen, last], default_mixture(), test.x
    ).tolist()
    assert d_stop < d_early and d_stop < d_last  # closest to the Bayes boundary


@pytest.fixture(scope="module")
def draws():
    return experiments.gap_experiment()


@pytest.mark.slow
def test_the_gap_over_draws_is_positive_and_comes_from_the_training_error(draws):
    bayes = default_mixture().bayes_error()
    assert all(len(r.gaps) == book.GAP_DRAWS for r in draws.values())
    for r in draws.values():
        assert float(r.gaps.median()) > 0  # "its median is above zero at every width"
    for h in (100, 500):
        assert int((draws[h].gaps > 0).sum()) > book.GAP_DRAWS / 2  # a minority below
    for h in (
        100,
        500,
    ):  # test errors just above the Bayes line, training errors around
        assert bool((draws[h].test_errors > bayes).all())
        assert float(draws[h].train_errors.median()) < bayes
    wide = draws[max(draws)]
    assert float(wide.test_errors.median()) < bayes + 0.02
    assert float(wide.train_errors.std()) > 1.5 * float(wide.test_errors.std())
    assert not math.isnan(float(wide.gaps.mean()))
