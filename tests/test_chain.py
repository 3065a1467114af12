"""The chain lab: positions, gradients, pulling and the `chain` command line."""

import math

import pytest
import torch
from gradlab import chain, experiments
from gradlab.chain import (
    CHAIN_LINKS,
    CHAIN_LR,
    CHAIN_SEED,
    CHAIN_STEPS,
    ChainLoss,
    Pull,
    end_point_jacobian,
    fan_minimum,
    fan_of_strings,
    loss_variant,
    positions,
    pull,
    pull_by_strings,
    pull_each,
    pull_right,
    random_angles,
    stability_limit,
    take_turns,
)
from gradlab.gradcheck import max_relative_error, numerical_gradient


def start() -> torch.Tensor:
    return random_angles(CHAIN_LINKS, seed=CHAIN_SEED)


def test_a_straight_chain_lies_along_x():
    p = positions(torch.zeros(4))
    assert p.shape == (5, 2)
    assert torch.allclose(p, torch.tensor([[k, 0.0] for k in range(5)]))


def test_right_angles_walk_round_a_square():
    p = positions(torch.full((4,), math.pi / 2, dtype=torch.float64))
    expected = torch.tensor([[0, 0], [0, 1], [-1, 1], [-1, 0], [0, 0]])
    assert torch.allclose(p, expected.double(), atol=1e-12)


def test_bad_angles_are_rejected():
    with pytest.raises(ValueError, match="shape"):
        positions(torch.zeros(2, 2))
    with pytest.raises(ValueError, match="links must be >= 1"):
        random_angles(0, seed=0)


def end_grad(angles: torch.Tensor, coordinate: int) -> torch.Tensor:
    a = angles.clone().requires_grad_()
    positions(a)[-1, coordinate].backward()
    return a.grad


def test_one_link_gradient_matches_the_closed_form():
    theta = torch.tensor([0.7], dtype=torch.float64)
    assert torch.allclose(end_grad(theta, 0), -torch.sin(theta))
    assert torch.allclose(end_grad(theta, 1), torch.cos(theta))


def test_two_link_gradient_matches_the_closed_form():
    t1, t2 = 0.3, -1.1
    theta = torch.tensor([t1, t2], dtype=torch.float64)
    dx = torch.tensor([-math.sin(t1) - math.sin(t1 + t2), -math.sin(t1 + t2)])
    dy = torch.tensor([math.cos(t1) + math.cos(t1 + t2), math.cos(t1 + t2)])
    assert torch.allclose(end_grad(theta, 0), dx.double())
    assert torch.allclose(end_grad(theta, 1), dy.double())
    jacobian = end_point_jacobian(theta)
    assert torch.allclose(jacobian, torch.stack([dx, dy], dim=1).double())


@pytest.mark.parametrize("coordinate", [0, 1])
def test_ten_link_gradient_matches_finite_differences(coordinate):
    theta = start().double()

    def end(a):
        return positions(a)[-1, coordinate]

    auto = end_grad(theta, coordinate)
    assert max_relative_error(auto, numerical_gradient(end, theta)) < 1e-7
    assert max_relative_error(auto, end_point_jacobian(theta)[:, coordinate]) < 1e-12


def test_finite_differences_catch_a_wrong_gradient():
    theta = start().double()
    wrong = end_point_jacobian(theta)[:, 1]  # y's gradient passed off as x's
    numeric = numerical_gradient(lambda a: positions(a)[-1, 0], theta)
    assert max_relative_error(wrong, numeric) > 0.1


@pytest.mark.parametrize("name", ["diagonal", "middle", "stiff"])
def test_variant_gradients_match_finite_differences(name):
    theta = start().double().requires_grad_()
    loss = loss_variant(name)
    loss(theta).backward()
    numeric = numerical_gradient(loss, theta)
    assert max_relative_error(theta.grad, numeric) < 1e-6


def test_the_pull_right_loss_is_zero_straight_and_at_most_2n():
    assert float(pull_right(torch.zeros(5))) == 0.0
    assert float(pull_right(torch.tensor([math.pi, 0, 0]))) == pytest.approx(6.0)
    assert float(Pull(-1, (2.0, 0.0)).loss(positions(torch.zeros(3)))) == 0.0


def test_the_chapters_run_cuts_the_loss_by_999_permille_yet_is_still_falling(chain_run):
    run = chain_run  # pull() with the chapter's settings
    assert run.params.shape == (CHAIN_STEPS + 1, CHAIN_LINKS)
    torch.testing.assert_close(run.params[0], start(), rtol=0, atol=0)
    assert run.lr == CHAIN_LR
    assert run.final_loss < 0.001 * float(run.losses[0])
    assert run.status == "still falling" and not run.converged


def test_learning_rates_get_the_right_verdicts():
    # The verdicts at the book's settings, from below the stability limit to far
    # above it: tests/test_claims_chain.py (the sweep).
    limit = stability_limit(pull_right, torch.zeros(CHAIN_LINKS))
    assert 0.04 < limit < 0.05
    absurd = pull(pull_right, start(), lr=1e300, steps=10)
    assert absurd.status == "non-finite" and absurd.steps < 10


def test_the_middle_string_makes_an_elbow(middle_run):
    best = 2 * 5 * (1 - 1 / math.sqrt(2))
    assert middle_run.final_loss == pytest.approx(best, abs=0.05)
    assert float(middle_run.params[-1][5]) == pytest.approx(-math.pi / 4, abs=0.05)


def test_pulls_run_together_are_each_the_pull_alone():
    """pull_each batches the runs with vmap; each History is bit for bit `pull`'s,
    also for a run that stops early (1e300 overflows: it is rerun alone)."""
    lrs = (0.001, 0.02, 0.5, 1e300)
    for loss in (pull_right, loss_variant("stiff")):
        together = pull_each(loss, start(), lrs, steps=30)
        for lr, run in zip(lrs, together, strict=True):
            alone = pull(loss, start(), lr=lr, steps=30)
            assert run.lr == lr and torch.equal(run.params, alone.params)
            torch.testing.assert_close(
                run.losses, alone.losses, rtol=0, atol=0, equal_nan=True
            )
    assert len(together[-1].losses) < 31  # the overflowing run stopped early
    with pytest.raises(ValueError, match="lr must be"):
        pull_each(pull_right, start(), (0.01, -1.0))


def test_unknown_variant_and_schedule_are_rejected():
    with pytest.raises(ValueError, match="unknown loss"):
        loss_variant("sideways")
    with pytest.raises(ValueError, match="unknown schedule"):
        pull_by_strings(fan_of_strings(), start(), schedule="x", lr=0.1, epochs=1)


def test_full_batch_reaches_the_fan_minimum():
    strings = fan_of_strings()
    run = pull_by_strings(strings, start(), schedule="full batch", lr=0.02, epochs=500)
    best = fan_minimum(strings, CHAIN_LINKS)
    mean = ChainLoss(
        tuple(Pull(-1, (s.force[0] / 10, s.force[1] / 10)) for s in strings)
    )
    assert run.losses.shape == (1, 501) and run.angles.shape == (1, CHAIN_LINKS)
    assert float(mean(run.angles[0])) == pytest.approx(float(run.losses[0, -1]), 1e-5)
    assert 0 <= float(run.losses[0, -1]) - best < 0.01


def test_a_batch_of_seeds_runs_each_seed_as_if_alone():
    strings, kw = (
        fan_of_strings(),
        {"schedule": "random order", "lr": 0.02, "epochs": 7},
    )
    both = pull_by_strings(strings, start(), seeds=(3, 4), **kw)
    for row, seed in enumerate((3, 4)):
        alone = pull_by_strings(strings, start(), seeds=(seed,), **kw)
        torch.testing.assert_close(both.losses[row], alone.losses[0])
        torch.testing.assert_close(both.angles[row], alone.angles[0])
    assert not torch.equal(both.losses[0], both.losses[1])  # the order matters


def test_runs_taken_together_are_each_the_run_alone():
    """take_turns batches schedules, seeds and decays; each run is bit for bit what
    pull_by_strings gives for it alone (the chain-strings chapter relies on it)."""
    strings, kw = fan_of_strings(), {"lr": 0.02, "epochs": 6}
    runs = [
        ("in order", (0,), None),
        ("random order", (3, 4), None),
        ("random order", (5,), 2.0),
    ]
    together = take_turns(strings, start(), runs, **kw)
    assert [r.schedule for r in together] == [s for s, _, _ in runs]
    for run, (schedule, seeds, decay) in zip(together, runs, strict=True):
        alone = pull_by_strings(
            strings, start(), schedule=schedule, seeds=seeds, decay=decay, **kw
        )
        assert run.decay == decay and run.losses.shape == (len(seeds), 7)
        assert torch.equal(run.losses, alone.losses)
        assert torch.equal(run.angles, alone.angles)
    assert not torch.equal(together[1].losses[1], together[2].losses[0])


def test_take_turns_rejects_a_mix_of_full_batch_and_one_string_schedules():
    runs = [("full batch", (0,), None), ("in order", (0,), None)]
    with pytest.raises(ValueError, match="cannot batch full batch"):
        take_turns(fan_of_strings(), start(), runs, lr=0.02, epochs=1)
    with pytest.raises(ValueError, match="one string and one seed"):
        take_turns(fan_of_strings(), start(), [("in order", (), None)], lr=1, epochs=1)


def test_an_epoch_uses_every_string_once():
    """One string per step, each string once per epoch: with every string the same,
    the one-at-a-time schedules are full batch with m small steps per epoch."""
    same = (Pull(-1, (1.0, 0.0)),) * 4
    full = pull_by_strings(same, start(), schedule="full batch", lr=0.004, epochs=3)
    for schedule in ("in order", "random order"):
        one = pull_by_strings(same, start(), schedule=schedule, lr=0.001, epochs=3)
        torch.testing.assert_close(one.losses, full.losses, atol=0.02, rtol=0.01)


def test_a_decaying_step_shrinks_as_lr_over_one_plus_epoch_over_decay():
    same, kw = (Pull(-1, (1.0, 0.0)),), {"schedule": "full batch"}
    decayed = pull_by_strings(same, start(), lr=0.01, epochs=2, decay=1.0, **kw)
    first = pull_by_strings(same, start(), lr=0.01, epochs=1, **kw)
    then = pull_by_strings(same, first.angles[0], lr=0.005, epochs=1, **kw)  # 0.01/2
    torch.testing.assert_close(decayed.angles, then.angles)


def test_strings_not_tied_to_the_end_are_rejected():
    with pytest.raises(ValueError, match="tied to the end"):
        pull_by_strings(
            [Pull(2, (0.0, 1.0))], start(), schedule="in order", lr=1, epochs=1
        )


def test_a_heavier_weight_shrinks_the_stability_limit_by_its_force():
    # chain-strings.md, exercise: the x × 10 pull's limit is √101 times smaller, below
    # the chapter's learning rate and above a tenth of it.
    n = CHAIN_LINKS
    along_force = torch.zeros(n)
    along_force[0] = math.atan2(1.0, 10.0)
    plain = stability_limit(pull_right, torch.zeros(n))
    heavy = stability_limit(loss_variant("x-heavy"), along_force)
    assert plain / heavy == pytest.approx(math.sqrt(101), rel=1e-6)
    assert CHAIN_LR / 10 < heavy < CHAIN_LR


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: fan_of_strings(2.5), TypeError, "strings must be a whole number"),
        (lambda: fan_of_strings(0), ValueError, "strings must be >= 1"),
        (lambda: fan_of_strings(3, seed=-1), ValueError, "seed must be >= 0"),
        (lambda: random_angles(3, seed="0"), TypeError, "seed must be a whole number"),
        (lambda: loss_variant("sideways"), ValueError, "unknown loss 'sideways'"),
    ],
)
def test_bad_arguments_get_one_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_cumsum_matrix_turns_relative_angles_into_absolute_ones():
    theta = chain.random_angles(6, seed=2).double()
    c = chain.cumsum_matrix(6)
    torch.testing.assert_close(c @ theta, theta.cumsum(0))
    torch.testing.assert_close(chain.straight_hessian(6), c.T @ c)
    assert chain.straight_hessian(1).tolist() == [[1.0]]


def test_the_losses_in_both_coordinates_and_batched_agree_with_pull_right():
    thetas = torch.stack([chain.random_angles(5, seed=s) for s in range(3)])
    one_by_one = torch.stack([chain.pull_right(t) for t in thetas])
    torch.testing.assert_close(chain.pull_right_each(thetas), one_by_one)
    torch.testing.assert_close(chain.pull_right_absolute(thetas.cumsum(1)), one_by_one)


def test_straight_eigenvalues_are_ascending_and_match_the_hessian():
    for n in (1, 2, 10, 30):
        formula = chain.straight_eigenvalues(n)
        assert bool((formula.diff() > 0).all())
        eig = torch.linalg.eigvalsh(chain.straight_hessian(n))
        torch.testing.assert_close(formula, eig, rtol=1e-10, atol=1e-10)


def test_heavy_ball_without_momentum_is_gradient_descent():
    start = chain.random_angles(6, seed=1).double()
    plain = chain.pull(chain.pull_right, start, lr=0.02, steps=30)
    ball = chain.heavy_ball(chain.pull_right_each, start[None], lr=0.02, steps=30)
    torch.testing.assert_close(ball[0], plain.losses)


def test_heavy_ball_momentum_keeps_part_of_the_last_step():
    """On L = w²/2 from w = 1 (gradient w): w₁ = 1 − lr, w₂ = w₁ − lr w₁ + μ(w₁ − 1)."""
    half_square = lambda w: 0.5 * (w**2).sum(dim=1)  # noqa: E731
    losses = chain.heavy_ball(
        half_square,
        torch.ones(1, 1, dtype=torch.float64),
        lr=0.5,
        momentum=0.5,
        steps=2,
    )
    w1 = 0.5
    w2 = w1 - 0.5 * w1 + 0.5 * (w1 - 1)
    torch.testing.assert_close(
        losses[0], torch.tensor([0.5, w1**2 / 2, w2**2 / 2]).double()
    )


def test_heavy_ball_and_the_hessian_helpers_reject_bad_input():
    with pytest.raises(ValueError):
        chain.heavy_ball(chain.pull_right_each, torch.zeros(1, 3), lr=-1.0, steps=3)
    with pytest.raises(ValueError):
        chain.straight_hessian(0)
    with pytest.raises(ValueError):
        chain.cumsum_matrix(0)


def test_cures_runs_every_method_from_every_start():
    cures = experiments.chain.cures(seeds=(0, 1), steps=20)
    assert set(cures.losses) == {
        experiments.chain.PLAIN,
        experiments.chain.HEAVY_BALL,
        experiments.chain.ABSOLUTE,
    }
    assert all(v.shape == (2, 21) for v in cures.losses.values())
    never = cures.steps_to(experiments.chain.PLAIN, target=1e-30)
    assert never.tolist() == [21, 21]
