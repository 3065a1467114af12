"""gradlab.generalization, and the claims of "Validation, overfitting and early
stopping" at the book's settings (computed once per module)."""

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

from tests._book import ROOT, glued_numbers


@pytest.fixture(scope="module")
def small():
    m = default_mixture()
    return m, m.sample(60, seed=5), m.sample(80, seed=6)


def test_three_splits_keep_the_chapters_sets_and_add_a_validation_set():
    s = experiments.generalization.splits()
    assert torch.equal(s.train.x, experiments.mlp.training_set().x)
    assert torch.equal(s.test.y, experiments.mlp.test_set().y)
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


# The chapter's claims. Its two experiments at the book's settings (the long run,
# twenty draws per width) take seconds, so the claims are checked on the numbers
# the built chapter computed and printed (`make book` first); the mechanisms
# behind them are tested above on small problems.


@pytest.fixture(scope="module")
def printed():
    return glued_numbers(ROOT / "book" / "generalization.md")


@pytest.mark.book
def test_validation_loss_turns_up_while_training_loss_keeps_falling(printed):
    g = printed
    assert 0 < g["gen_best"] < g["gen_epochs"] // 2  # lowest well before the end
    assert g["gen_val_end"] > g["gen_val_best"] + 0.005  # "from there it rises"
    assert g["gen_last_rise"] < 20  # "after its first few epochs ... at every epoch"
    assert g["gen_train_end"] < g["gen_train_best"]
    assert g["gen_train_err_end"] < g["gen_train_err_best"]  # keeps falling
    assert abs(g["gen_val_err_end"] - g["gen_val_err_best"]) < 2  # barely moves
    assert g["gen_val_err_end"] < g["gen_val_err_best"]  # "even ends a little lower"
    assert g["gen_epochs"] < g["gen_mlp_long"]  # "and once for ..." (the longer run)


@pytest.mark.book
def test_early_stopping_picks_the_minimum_and_loses_nothing_on_test(printed):
    g = printed
    assert g["gen_stop_best"] == g["gen_best"]  # "the minimum of the validation curve"
    assert g["gen_stopped"] == g["gen_best"] + g["gen_patience"] < g["gen_epochs"]
    assert g["gen_test_stop"] <= g["gen_test_last"]  # "stopping early lost nothing"
    paired = g["gen_test_last"] - g["gen_test_stop"]
    assert paired == pytest.approx(g["gen_paired"], abs=1e-6)
    assert 0 < g["gen_paired_z"] < 2  # "in favour of stopping early", "not proof"
    early, stop, last = (g[f"gen_disagree_{k}"] for k in ("early", "stop", "last"))
    assert stop < early and stop < last  # closest to the Bayes boundary


@pytest.mark.book
def test_the_validation_loss_rises_with_the_confidence_of_the_mistakes(printed):
    g = printed
    assert g["gen_last_wrong"] < g["gen_stop_wrong"]  # "fewer validation points wrong"
    assert g["gen_last_score"] > g["gen_stop_score"]  # "far surer of all its answers"
    assert g["gen_last_wrong_loss"] > g["gen_stop_wrong_loss"]  # a mistake costs more
    n = g["gen_n_validation"] / 100  # the counts are the curves' error rates
    assert g["gen_last_wrong"] == round(g["gen_val_err_end"] * n)
    assert g["gen_stop_wrong"] == round(g["gen_val_err_best"] * n)


@pytest.mark.book
def test_the_exercise_solutions_claims(printed):
    g = printed
    # "the validation loss rises once: a patience of 1 stops right there"
    assert g["gen_ex_kept_1"] < g["gen_best"] // 2
    assert g["gen_ex_stopped_1"] == g["gen_ex_kept_1"] + 1
    for p in (10, g["gen_patience"], 300):  # "any longer patience keeps the same"
        assert g[f"gen_ex_kept_{p}"] == g["gen_best"]
        assert g[f"gen_ex_stopped_{p}"] == g["gen_best"] + p
    assert g["gen_ex_ties"] > 10  # "many epochs tie"


@pytest.mark.book
def test_the_gap_over_draws_is_positive_and_comes_from_the_training_error(printed):
    g = printed
    bayes = g["gen_bayes"]
    for h in experiments.mlp.WIDTHS:
        assert g[f"gen_gap_{h}"] > 0  # "its median is above zero at every width"
    for h in (100, 500):
        assert g[f"gen_positive_{h}"] > g["gen_draws"] / 2  # a minority below zero
        assert g[f"gen_test_min_{h}"] > bayes  # test errors just above the Bayes line
        assert g[f"gen_train_med_{h}"] < bayes  # training errors around and below it
    assert g["gen_test_med_500"] < bayes + 2
    assert g["gen_spread_ratio"] > 1.5  # training errors scatter more widely
    # "about as noisy as sampling alone makes an error rate ... on that many points"
    assert 0.7 < g["gen_train_spread_500"] / g["gen_train_binomial"] < 1.5
    assert g["gen_draws"] == book.GAP_DRAWS >= 20
