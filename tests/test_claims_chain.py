"""The sentences of "The chain lab" and "More strings" that compare or explain, each
checked on the experiment the chapter runs, with the chapter's settings."""

from __future__ import annotations

import math

import pytest
import torch
from gradlab import chain, descent, experiments
from gradlab.defaults import CHAIN_LR, CHAIN_STEPS


@pytest.fixture(scope="module")
def run(chain_run):
    return chain_run


@pytest.fixture(scope="module")
def sweep():
    return experiments.chain.lr_sweep()


@pytest.fixture(scope="module")
def fan():
    return experiments.chain.schedule_comparison()


def test_most_of_the_loss_goes_in_the_first_fifty_steps(run):
    assert float(run.losses[50] / run.losses[0]) < 0.2


def test_the_slow_tail_falls_at_the_rate_the_softest_direction_predicts(run):
    """Over the last window the loss falls by about 1 − exp(−2W/τ), τ = 1/(η λ_min)."""
    cond = experiments.chain.conditioning()
    tail = run.losses[-descent.WINDOW - 1 :]
    fell = 1 - float(tail[-1] / tail[0])
    predicted = 1 - math.exp(-2 * descent.WINDOW / cond.time_constant(CHAIN_LR))
    assert fell == pytest.approx(predicted, rel=0.25)
    assert cond.ratio > 100  # badly conditioned: stiff one way, soft another


def test_the_sweep_brackets_the_stability_limit_and_gets_the_stated_verdicts(sweep):
    small, book, below, above, _ = sweep
    assert small < book < below < experiments.chain.conditioning().limit < above
    verdicts = [sweep[lr].status for lr in sweep]
    assert verdicts == [
        "still falling",
        "still falling",
        "converged",
        "oscillating",
        "thrashing",
    ]
    assert sweep[small].final_loss > 100 * sweep[book].final_loss  # too slow
    assert sweep[below].final_loss < sweep[book].final_loss  # the largest stable wins


def test_just_above_the_limit_the_chain_flips_between_mirror_images(sweep):
    above = sweep[experiments.chain.SWEEP_LRS[3]]
    torch.testing.assert_close(above.params[-1], -above.params[-2], atol=1e-4, rtol=0)
    tail = above.losses[-descent.WINDOW - 1 :]
    assert float(tail.max() - tail.min()) < 1e-3  # a loss curve alone looks settled


def test_far_above_the_limit_the_loss_jumps_by_most_of_its_own_size(sweep):
    tail = sweep[experiments.chain.SWEEP_LRS[-1]].losses[-descent.WINDOW - 1 :]
    assert float(tail.max() - tail.min()) > 0.5 * float(tail.mean())


def test_an_absurd_step_stays_finite_until_the_float32_product_overflows():
    start = experiments.chain.book_start()
    huge = chain.pull(chain.pull_right, start, lr=1e30, steps=10)
    assert huge.status == "thrashing" and bool(huge.losses.isfinite().all())
    absurd = chain.pull(chain.pull_right, start, lr=1e300, steps=10)
    assert absurd.status == "non-finite" and absurd.steps == 1
    in_float64 = chain.pull(chain.pull_right, start.double(), lr=1e300, steps=10)
    assert bool(in_float64.losses.isfinite().all())  # the same dynamics, no overflow


def test_pulling_x_and_y_equally_ends_along_the_diagonal():
    ((_, r),) = experiments.chain.pulled([("d", "diagonal", CHAIN_LR)]).values()
    end = chain.positions(r.params[-1])[-1]
    assert math.degrees(math.atan2(end[1], end[0])) == pytest.approx(45, abs=0.5)


def test_a_heavy_weight_thrashes_and_dividing_the_step_by_it_restores_order():
    runs = experiments.chain.pulled(experiments.chain.WEIGHTED)
    heavy, heavy_slow, light = (r for _, r in runs.values())
    assert heavy.status == "thrashing"
    assert heavy_slow.status in ("still falling", "converged")
    assert light.status in ("still falling", "converged")
    limit = experiments.chain.conditioning().limit
    assert heavy.lr > 2 * limit / chain.HEAVY  # past it


def test_the_stiff_chain_chatters_a_little_and_spreads_the_elbow(middle_run):
    ((_, stiff),) = experiments.chain.pulled([("s", "stiff", CHAIN_LR)]).values()
    middle = middle_run
    assert stiff.status == "oscillating"
    tail = stiff.losses[-descent.WINDOW - 1 :]
    assert float(tail.max() - tail.min()) < 0.01 * float(tail.mean())
    assert stiff.params[-1].abs().max() < middle.params[-1].abs().max()
    angles = stiff.params[-descent.WINDOW - 1 :]  # "the shape has settled"
    drift = (angles.max(0).values - angles.min(0).values).max()
    moved = (stiff.params[-1] - stiff.params[0]).abs().max()  # over the whole run
    assert float(drift) < 0.05 * float(moved)


def test_early_on_one_string_at_a_time_beats_full_batch_per_epoch(fan):
    early = 5
    full = float(fan.excess("full batch")[0, early])
    assert float(fan.excess("in order")[0, early]) < full
    assert bool((fan.excess("random order")[:, early] < full).all())


def test_at_a_constant_step_full_batch_ends_lowest(fan):
    full = float(fan.tail_excess("full batch")[0])
    assert full < float(fan.tail_excess("in order")[0])
    assert bool((fan.tail_excess("random order") > full).all())
    last = fan.excess("full batch")[0, -fan.tail :]
    assert bool((last.diff() < 0).all())  # and is still falling


def test_the_schedules_start_together_and_the_decaying_median_ends_lowest(fan):
    starts = torch.cat([fan.excess(name)[:, 0] for name in fan.runs])
    assert bool((starts == starts[0]).all())  # "all four start at the same loss"
    ends = {name: float(fan.excess(name)[:, -1].median()) for name in fan.runs}
    decaying = ends.pop(experiments.chain.DECAYING)
    assert decaying < min(ends.values())


def test_fixed_order_cycles(fan):
    """Every epoch ends at nearly the same loss: a cycle, not a descent."""
    last = fan.excess("in order")[0, -fan.tail :]
    assert float(last.max() - last.min()) < 0.01 * float(last.mean())


def test_a_decaying_step_lets_random_order_settle_below_full_batch(fan):
    decaying = fan.tail_excess(experiments.chain.DECAYING)
    assert bool((decaying < float(fan.tail_excess("full batch")[0])).all())
    assert bool((decaying < 0.1 * fan.tail_excess("random order")).all())


def test_the_chapter_runs_the_book_settings(run):
    assert run.steps == CHAIN_STEPS and run.lr == CHAIN_LR


def test_full_batch_at_twice_the_step_still_ends_above_the_decaying_random_order(fan):
    double = chain.pull_by_strings(
        fan.strings,
        experiments.chain.book_start(),
        schedule="full batch",
        lr=2 * fan.runs["full batch"].lr,
        epochs=fan.runs["full batch"].losses.shape[1] - 1,
    )
    excess = float(double.tail_mean(fan.tail)[0]) - fan.minimum
    assert excess < float(fan.tail_excess("full batch")[0])  # the larger step helps
    assert bool((fan.tail_excess(experiments.chain.DECAYING) < excess).all())


def test_just_above_the_limit_a_short_chain_oscillates_too():
    """The stability-limit exercise: 0.9 × the limit converges, 1.1 × oscillates."""
    short = chain.random_angles(5, seed=3)
    limit = chain.stability_limit(chain.pull_right, torch.zeros(5))
    assert chain.pull(chain.pull_right, short, lr=0.9 * limit, steps=1000).converged
    above = chain.pull(chain.pull_right, short, lr=1.1 * limit, steps=1000)
    assert above.status == "oscillating"
