"""The sentences of "Validation, overfitting and early stopping" that compare or
explain. The chapter's two experiments at the book's settings (the long run, twenty
draws per width) take seconds, so the claims are checked on the numbers the built
chapter computed and printed (`make book` first); the mechanisms behind them are
tested on small problems in tests/test_generalization.py."""

import pytest
from gradlab import defaults, experiments
from gradlab.data import default_mixture

from tests._book import ROOT, glued_numbers

#: Sentences of the chapter, re-run over seeds: `make claims`, not `make unit`.
pytestmark = pytest.mark.claims


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


def test_early_stopping_over_starts_is_more_often_better_and_once_clearly_worse():
    lab = experiments.generalization
    stop, run = lab.stopped_run(), lab.overfitting_run()
    repeats = lab.stopping_runs(first=(stop, run))
    tally = repeats.tally()
    assert len(repeats.starts) >= 5 and tally["tied"] == 0  # "from ... and more from"
    assert tally["better"] > tally["worse"] >= 1
    z = [p.difference / p.standard_error for p in repeats.paired]
    assert min(z) < -2  # "from one start clearly worse"
    assert sum(x < -2 for x in z) == 1
    assert repeats.best_epochs[0] == stop.best_epoch  # "the first is the run above"
    assert all(
        e + defaults.PATIENCE < defaults.LONG_EPOCHS / 3 for e in repeats.best_epochs
    )
    # start 0 reused is start 0 recomputed, stacked
    again = lab.stopping_runs(starts=2)
    assert again.best_epochs == repeats.best_epochs[:2]
    for a, b in zip(again.paired, repeats.paired, strict=False):
        assert abs(a.difference - b.difference) < 3e-4  # a few points of 26,492


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
    # "the standard deviation is sqrt(p(1 - p)/n)": the simulation agrees
    assert abs(g["gen_ex_sim_sd"] / g["gen_ex_formula_sd"] - 1) < 0.05
    # "the minimum of many noisy estimates sits well below their common mean"
    assert g["gen_ex_lowest"] < 0.11 - 0.02 and g["gen_ex_below"] > 0.9


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
    assert g["gen_draws"] == defaults.GAP_DRAWS >= 20


def test_on_other_draws_the_gap_stays_positive_and_shrinks_at_the_middle_widths():
    """The page: "the median gap stays above zero at every width, and clearly so at the
    widest, but at 10 and 100 units it falls to a fraction of a point, with barely
    more than half of the draws positive": 20 draws the page does not use."""
    other = experiments.generalization.gap_experiment(first_seed=5_000, first_start=100)
    gap = {h: 100 * r.gap for h, r in other.items()}
    assert all(float(g.median()) > 0 for g in gap.values())
    assert float(gap[500].median()) > 1 and int((gap[500] > 0).sum()) > 15
    for h in (10, 100):
        assert float(gap[h].median()) < 1
        assert int((gap[h] > 0).sum()) <= 0.65 * len(gap[h])


def test_on_another_training_set_early_stopping_is_again_more_often_better():
    """The page: "on another training set, too, stopping early is better more often than
    worse, but the kept epoch can come much later, and the run stops after more
    than a third of the epochs"."""
    other = default_mixture().sample(defaults.MLP_TRAIN_SIZE, seed=21)
    runs = experiments.generalization.stopping_runs(starts=4, train=other)
    tally = runs.tally()
    assert tally["better"] > tally["worse"]
    latest = max(runs.best_epochs) + defaults.PATIENCE
    assert latest > defaults.LONG_EPOCHS / 3
