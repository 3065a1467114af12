"""The sentences of "The chain lab" and "More strings" that compare or explain, each
checked on the experiment the chapter runs, with the chapter's settings."""

from __future__ import annotations

import math

import pytest
import torch
from gradlab import chain, descent, experiments
from gradlab.defaults import CHAIN_LR, CHAIN_STEPS

#: Sentences of the chapter, re-run over seeds: `make claims`, not `make unit`.
pytestmark = pytest.mark.claims


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


def test_early_on_from_other_starts_the_median_shuffle_wins_but_not_every_one():
    """From other starts: fixed order and the median shuffle beat full batch after
    5 epochs; from some starts (2, 7) some shuffles do not."""
    early, losers = 5, 0
    for seed in range(1, 9):
        fan = experiments.chain.schedule_comparison(
            start=chain.random_angles(10, seed=seed)
        )
        full = float(fan.excess("full batch")[0, early])
        shuffles = fan.excess("random order")[:, early]
        assert float(fan.excess("in order")[0, early]) < full
        assert float(shuffles.median()) < full
        losers += int((shuffles > full).sum())
    assert losers > 0


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


# The conditioning section of "The chain lab", its exercises, and "More strings".


@pytest.fixture(scope="module")
def cures():
    return experiments.chain.cures()


def _eigh(matrix):
    return torch.linalg.eigh(matrix)


def test_the_bowl_is_round_in_phi_and_stretched_by_C_in_theta():
    n = 10
    zeros = torch.zeros(n, dtype=torch.float64)
    in_theta = torch.autograd.functional.hessian(chain.pull_right, zeros)
    in_phi = torch.autograd.functional.hessian(chain.pull_right_absolute, zeros)
    c = chain.cumsum_matrix(n)
    torch.testing.assert_close(in_theta, c.T @ c, rtol=0, atol=1e-12)
    torch.testing.assert_close(in_theta, chain.straight_hessian(n), rtol=0, atol=1e-12)
    torch.testing.assert_close(in_phi, torch.eye(n, dtype=torch.float64))
    eigenvalues = torch.linalg.eigvalsh(in_theta)
    assert float((chain.straight_eigenvalues(n) - eigenvalues).abs().max()) < 1e-12
    assert float(eigenvalues[0]) > 0.25  # "just above 1/4"
    big = (4 * n + 2) ** 2 / (4 * math.pi**2)
    assert float(eigenvalues[-1]) == pytest.approx(big, rel=0.01)


def test_the_softest_direction_zigzags_and_the_stiffest_curls():
    _, directions = _eigh(chain.straight_hessian(10))
    soft, stiff = directions[:, 0], directions[:, -1]
    assert bool((soft[1:] * soft[:-1] < 0).all())  # every bend undoes the last
    stiff = stiff * stiff.sign()[0]
    assert bool((stiff > 0).all()) and bool((stiff.diff() < 0).all())  # most near 0


def test_descent_on_phi_is_preconditioned_descent_on_theta_at_every_chain():
    for seed in range(5):
        theta = chain.random_angles(7, seed=seed).double().requires_grad_()
        chain.pull_right(theta).backward()
        c = chain.cumsum_matrix(7)
        step = theta.detach() - 0.3 * torch.linalg.solve(c.T @ c, theta.grad)
        phi = theta.detach().cumsum(0)
        back = torch.linalg.solve(c, phi - 0.3 * phi.sin())
        torch.testing.assert_close(step, back, rtol=0, atol=1e-12)


def test_the_straight_chain_is_the_stiffest_chain():
    """The bent-Hessian exercise: λ_max(Cᵀ diag(cos φ) C) ≤ λ_max(CᵀC) anywhere."""
    top = float(chain.straight_eigenvalues(10)[-1])
    for seed in range(20):
        bent = chain.random_angles(10, seed=seed).double()
        hessian = torch.autograd.functional.hessian(chain.pull_right, bent)
        assert float(torch.linalg.eigvalsh(hessian)[-1]) <= top + 1e-9


def test_phi_beats_the_heavy_ball_beats_plain_descent_from_every_start(cures):
    plain, ball, absolute = (cures.steps_to(m) for m in cures.losses)
    assert len(cures.seeds) >= 5 and cures.seeds[0] == 0  # the chapter's start first
    assert bool((absolute < ball).all()) and bool((ball < plain).all())
    assert int(plain.max()) < cures.losses[experiments.chain.PLAIN].shape[1]  # reached
    other = experiments.chain.cures(seeds=range(100, 109))  # and from other starts
    steps = [other.steps_to(m) for m in other.losses]
    assert bool((steps[2] < steps[1]).all()) and bool((steps[1] < steps[0]).all())


def test_the_heavy_balls_gain_is_of_order_root_kappa_and_smaller_from_the_start(cures):
    cond = cures.conditioning
    root = cond.ratio**0.5
    predicted = cond.decade(experiments.chain.PLAIN) / cond.decade(
        experiments.chain.HEAVY_BALL
    )
    assert predicted == pytest.approx(root, rel=0.02)
    measured = [cures.steps_per_decade(m, 1e-3, 1e-6).median() for m in cures.losses]
    gain = float(measured[0] / measured[1])
    assert 0.5 * root < gain < root  # "of the order the theory promises, a little less"
    whole = [cures.steps_to(m).median() for m in cures.losses]
    assert float(whole[0] / whole[1]) < gain  # "smaller still"


def test_tuned_settings_are_the_textbook_ones(cures):
    cond = cures.conditioning
    lr, mu = cond.heavy_ball
    assert lr == pytest.approx(0.0772, abs=1e-4) and mu == pytest.approx(
        0.739, abs=1e-3
    )
    assert cond.best_lr < cond.limit  # plain descent's best step is a stable one


def test_rescaling_each_angle_by_its_curvature_does_not_round_the_bowl():
    hessian = chain.straight_hessian(10)
    scale = hessian.diag().rsqrt()
    eig = torch.linalg.eigvalsh(scale[:, None] * hessian * scale[None, :])
    assert float(eig[-1] / eig[0]) > experiments.chain.conditioning().ratio  # worse


def test_ascent_creeps_towards_2n_and_gets_there_just_below_the_limit():
    start = experiments.chain.book_start()

    def up(a):
        return -chain.pull_right(a)

    slow = chain.pull(up, start, lr=CHAIN_LR, steps=500)
    assert slow.status == "still falling"
    assert float(chain.pull_right(slow.params[-1])) < 20 - 0.1  # short of 2n
    fast = chain.pull(up, start, lr=0.04, steps=1000)
    assert fast.converged and float(chain.pull_right(fast.params[-1])) > 20 - 1e-3
    top = torch.zeros(10, dtype=torch.float64)
    top[0] = math.pi  # the chain pointing left: −L has the Hessian CᵀC there
    hessian = torch.autograd.functional.hessian(up, top)
    torch.testing.assert_close(hessian, chain.straight_hessian(10), rtol=0, atol=1e-12)


def test_the_light_pull_turns_the_chain_without_slowing_it():
    runs = experiments.chain.pulled(experiments.chain.WEIGHTED)
    _, light = runs["x × 0.1"]
    plain = chain.pull()
    end = chain.positions(light.params[-1])[-1]
    turned = math.degrees(math.atan2(end[1], end[0]))
    assert turned == pytest.approx(math.degrees(math.atan(1 / chain.LIGHT)), abs=0.5)
    for step in (
        100,
        500,
        CHAIN_STEPS,
    ):  # the loss falls as fast, relative to its start
        light_left = float(light.losses[step] / light.losses[0])
        plain_left = float(plain.losses[step] / plain.losses[0])
        assert light_left < 2 * plain_left
    upright = torch.zeros(10, dtype=torch.float64)
    upright[0] = math.atan2(1.0, chain.LIGHT)
    light_h = torch.autograd.functional.hessian(chain.loss_variant("x-light"), upright)
    ratio = torch.linalg.eigvalsh(light_h) / chain.straight_eigenvalues(10)
    torch.testing.assert_close(ratio, torch.full_like(ratio, math.hypot(0.1, 1.0)))


def test_the_elastic_penalty_converges_where_the_max_penalty_chatters():
    middle = chain.loss_variant("middle")
    smooth = chain.pull(
        lambda a: middle(a) + (a**2).sum(), experiments.chain.book_start()
    )
    assert smooth.converged
    ((_, stiff),) = experiments.chain.pulled([("s", "stiff", CHAIN_LR)]).values()
    assert stiff.status == "oscillating"


def test_the_middle_pull_ends_at_the_exact_elbows_loss(middle_run):
    n = 10
    assert middle_run.final_loss == pytest.approx(n * (1 - 1 / math.sqrt(2)), abs=1e-3)


def test_from_start_nine_the_middle_pull_winds_a_joint_and_the_penalty_traps_it():
    """The stiff chain's wrap-around from an ordinary start: one joint past 180° under
    the two strings, and with the max penalty a loss far above the chapter's run."""
    runs = experiments.chain.pulled(
        [("middle", "middle", CHAIN_LR), ("stiff", "stiff", CHAIN_LR)],
        chain.random_angles(10, seed=9),
    )
    middle, stiff = (r for _, r in runs.values())
    assert float(middle.params[-1].abs().max()) > math.pi  # the long way round
    assert middle.final_loss == pytest.approx(10 * (1 - 1 / math.sqrt(2)), abs=0.05)
    ((_, book),) = experiments.chain.pulled([("s", "stiff", CHAIN_LR)]).values()
    assert stiff.final_loss > 2 * book.final_loss  # stuck in a curl
    largest = float(stiff.params[-1].abs().max())
    assert largest > math.radians(80) > 2 * float(book.params[-1].abs().max())
