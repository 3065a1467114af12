"""The sentences of book/gradients.md that compare or explain, each as a test that
fails when the sentence stops being true. The quoted words are the chapter's."""

import itertools
import math

import gradlab
import pytest
import torch
from gradlab import functions as fn
from gradlab.defaults import BOWL_STEPS
from gradlab.experiments.descent import (
    LECTURE_STEPS,
    RAW_LR,
    RAW_MEASURED_STEPS,
    RESCALED_STEPS,
    SIN_LR,
    SIN_STARTS,
    sin_radial_descents,
)

#: Sentences of the chapter, re-run over seeds: `make claims`, not `make unit`.
pytestmark = pytest.mark.claims

F64 = torch.float64


@pytest.fixture(scope="module")
def runs():
    return gradlab.experiments.descent.bowl_experiment()


@pytest.fixture(scope="module")
def result(parabola):
    return parabola


# --- the gradient field ---


def test_arrows_are_short_on_ridges_and_troughs_and_grow_away_from_the_centre():
    """Claim: "short along the tops of the ridges and the bottoms of the valleys"; "the
    arrows grow with the factor 2x and 2y"."""
    for r2 in (math.pi / 2, 3 * math.pi / 2):  # a ridge (sin = 1), a trough (−1)
        x, y = torch.tensor(math.sqrt(r2), dtype=torch.float64), torch.tensor(0.0)
        assert torch.stack(fn.sin_radial_grad(x, y)).abs().max() < 1e-12
    field = fn.gradient_field()
    r = (field.x**2 + field.y**2).sqrt()
    length = (field.dz_dx**2 + field.dz_dy**2).sqrt()
    assert length[(r > 2) & (r < 2.5)].max() > 3 * length[(r > 0.5) & (r < 1)].max()


# --- the bowl ---


def test_one_learning_rate_of_each_kind(runs):
    """Claim: "a small η is safe but slow; between 0.1 and the limit ... w₂ overshoots
    ...; above the limit ... the run diverges. We run one learning rate of each
    kind"."""
    slow, good, bad = runs
    limit = 2 / max(fn.BOWL_CURVATURES)
    assert slow < 1 / max(fn.BOWL_CURVATURES) < good < limit < bad


def test_the_small_step_is_safe_but_slow(runs):
    """Claim: "a small η is safe but slow"; the path "drops to the floor of the valley
    and then crawls along it, still far from the minimum"."""
    slow, good, _ = runs.values()
    assert bool((slow.losses.diff() < 0).all())
    assert slow.final_loss > 1000 * good.final_loss
    w1, w2 = slow.params[:, 0], slow.params[:, 1]
    assert abs(w2[-1]) < 0.1 * abs(w2[0]) and abs(w1[-1]) > 0.5 * abs(w1[0])


def test_the_good_step_flips_w2_each_step_and_reaches_the_minimum(runs):
    """Claim: "w₂ overshoots and flips sign each step but still shrinks"; the path
    "reaches the minimum at the origin"."""
    _, good, _ = runs.values()
    w2 = good.params[:, 1]
    assert bool((w2[1:] * w2[:-1] < 0).all()) and bool(
        (w2[1:].abs() < w2[:-1].abs()).all()
    )
    assert good.params[-1].norm() < 0.05 and good.steps == BOWL_STEPS
    assert good.final_loss < 1e-3 * float(good.losses[0])  # "several orders"


def test_the_large_step_flips_ever_wider_and_diverges(runs):
    """Claim: "every flip is larger than the last and the run diverges"; the loss "rises
    at every step"; the path "leaves the plot" (its w₂ axis ends at ±3)."""
    *_, bad = runs.values()
    w2 = bad.params[:, 1]
    assert bool((w2[1:] * w2[:-1] < 0).all()) and bool(
        (w2[1:].abs() > w2[:-1].abs()).all()
    )
    assert bad.diverged and bool((bad.losses.diff() > 0).all())
    assert abs(w2[-1]) > 3


# --- the seven steps ---


def test_the_slip_lowers_the_loss_by_accident_but_real_steps_do_far_better():
    """Claim: "The loss may even fall for a while, by accident"; "real gradient steps
    bring it to" far less."""
    setup = gradlab.experiments.descent.parabola_setup()
    loss = setup.problem.loss
    shrunk = setup.start * (1 - RAW_LR) ** 1000
    assert loss(shrunk) < loss(setup.start)
    descended = gradlab.gradient_descent(loss, setup.start, lr=RAW_LR, steps=1000)
    assert descended.final_loss < loss(shrunk) / 10


# --- conditioning and rescaling ---


def test_mse_of_a_linear_model_is_exactly_quadratic(result):
    """Claim: "The model is linear in its parameters ..., so its mean squared error is
    exactly quadratic in them, with Hessian H = (2/N) XᵀX"."""
    p = result.raw.problem
    best, h = p.optimum, p.hessian
    gen = torch.Generator().manual_seed(0)
    for _ in range(5):
        w = best + torch.randn(3, generator=gen, dtype=torch.float64)
        quadratic = p.min_loss + 0.5 * (w - best) @ h @ (w - best)
        assert float(p.loss(w)) == pytest.approx(float(quadratic), rel=1e-9)


def test_both_fits_start_from_the_same_curve(result):
    """Claim: "both fits start from the same curve"; "Both fits start at the same
    loss"."""
    raw, scaled = result.raw, result.rescaled
    torch.testing.assert_close(
        raw.problem.features.double() @ raw.start.double(),
        scaled.problem.features.double() @ scaled.start.double(),
        rtol=1e-5,
        atol=1e-4,
    )
    assert float(scaled.problem.loss(scaled.start)) == pytest.approx(
        float(raw.problem.loss(raw.start)), rel=1e-5
    )


def test_each_fit_runs_at_its_fastest_step(result):
    """Claim: "each runs at its own best fixed learning rate"; "A smaller step ... takes
    more steps in all" (and so does a larger stable one)."""
    for setup, lr, needed in (
        (result.raw, result.raw_lr, result.raw_steps_needed),
        (result.rescaled, result.rescaled_lr, result.rescaled_steps_needed),
    ):
        p = setup.problem
        assert p.steps_to_reach(setup.start, lr, result.target) == needed
        for factor in (0.5, 0.9, 0.99, 0.999):
            slower = p.steps_to_reach(setup.start, factor * lr, result.target)
            assert slower >= needed
        larger = lr + 0.5 * (p.max_stable_lr - lr)
        assert p.steps_to_reach(setup.start, larger, result.target) >= needed


def test_the_raw_step_sits_a_hair_below_the_limit_and_the_steep_direction_swings(
    result,
):
    """Claim: "a hair below the stability limit"; "the steepest direction, mostly the
    coefficient a, flips sign at every step and shrinks only by the factor |1 −
    ηλ_max|"."""
    p, lr = result.raw.problem, result.raw_lr
    assert 0.9999 * p.max_stable_lr < lr < p.max_stable_lr
    lam, q = torch.linalg.eigh(p.hessian)
    assert abs(q[0, -1]) > 0.99  # the steepest direction is mostly a
    assert -1 < 1 - lr * lam[-1] < -0.9999


def test_the_raw_fit_needs_far_more_steps_than_the_chapter_runs(result):
    """Claim: "far more than the chapter can afford to run"; about κ/2 steps per factor
    e."""
    p = result.raw.problem
    assert result.raw_steps_needed > 50 * RAW_MEASURED_STEPS
    for setup, needed in (
        (result.raw, result.raw_steps_needed),
        (result.rescaled, result.rescaled_steps_needed),
    ):
        kappa = setup.problem.condition_number
        assert kappa / 10 < needed < 10 * kappa
    assert p.condition_number > 1e5 > 20 > result.rescaled.problem.condition_number


def test_the_rescaled_run_confirms_the_predicted_step(result):
    """Claim: "the target is reached in N steps, predicted and confirmed by the run"."""
    losses, k = result.rescaled_run.losses, result.rescaled_steps_needed
    assert k < RESCALED_STEPS and result.rescaled_run.steps == RESCALED_STEPS
    assert losses[k] <= result.target < losses[k - 1]
    assert result.rescaled_run.final_loss <= result.target


def test_the_speedup_is_close_to_the_ratio_of_condition_numbers(result):
    """Claim: "the rescaled fit needs N times fewer steps, close to the ratio of the two
    condition numbers"."""
    ratio = (
        result.raw.problem.condition_number / result.rescaled.problem.condition_number
    )
    assert ratio / 2 < result.speedup < 2 * ratio


def test_the_chapters_draw_is_a_typical_one(result):
    """Claim: "Over N other draws the rescaled fit needs between A and B times fewer
    steps ...; the chapter's draw is a typical one"."""
    speedups = torch.tensor(
        list(gradlab.experiments.descent.rescaling_speedups().values())
    )
    assert bool((speedups > 5_000).all())
    below = float((speedups < result.speedup).double().mean())
    assert 0.1 <= below <= 0.9


def test_the_raw_run_agrees_with_the_formula_and_falls_little(result):
    """Claim: "The run we can afford checks the formula"; "Why does the raw run at its
    best step size fall so little over its measured steps"; the raw fit at the fastest
    step "has moved only a small part of the way from the start towards the data"."""
    raw, run = result.raw, result.raw_run
    predicted = raw.problem.predicted_losses(raw.start, result.raw_lr, run.steps)
    # "within 0.1% of the predicted"
    assert run.final_loss == pytest.approx(float(predicted), rel=1e-3)
    assert run.final_loss > 0.5 * float(run.losses[0])
    x = raw.problem.features.double()
    start, end = x @ raw.start.double(), x @ run.params[-1].double()
    best = x @ raw.problem.optimum
    assert (end - start).norm() < 0.25 * (best - start).norm()


def test_the_lectures_run_stopped_short_of_the_target(result):
    """Claim: "after a million steps the loss was L, still above the target, which that
    learning rate reaches only after N steps"; "at that rate the fit needs a very long
    time"."""
    p, start = result.raw.problem, result.raw.start
    assert float(p.predicted_losses(start, RAW_LR, LECTURE_STEPS)) > result.target
    assert p.steps_to_reach(start, RAW_LR, result.target) > LECTURE_STEPS


@pytest.mark.book
def test_the_raw_run_is_about_what_the_page_says_and_within_its_bound():
    from tests._book import ROOT, glued_numbers

    g = glued_numbers(ROOT / "book" / "gradients.md")
    assert round(g["raw_measured_loss"], -2) == g["raw_measured_about"]  # "about"
    gap = abs(g["raw_measured_loss"] / g["raw_predicted_same"] - 1)
    assert gap < g["raw_gap_bound"]  # "within 0.1% of the predicted"


# --- the derivative as a limit, the directional derivative ---


def test_the_chords_error_shrinks_in_proportion_to_h():
    """Claim: "Each tenfold smaller h makes the error about tenfold smaller"; "the
    chord's error is proportional to h"; the chord's slope "approaches" cos 1."""
    x = torch.tensor(1.0, dtype=F64)
    errors = [
        abs(float((torch.sin(x + h) - torch.sin(x)) / h - torch.cos(x)))
        for h in (1e-1, 1e-2, 1e-3, 1e-4)
    ]
    ratios = [a / b for a, b in itertools.pairwise(errors)]
    assert all(8 < r < 12 for r in ratios), ratios


def test_no_direction_climbs_faster_than_the_gradient_and_contours_are_flat():
    """Claim: "no direction climbs faster than ∇f/‖∇f‖, and that direction climbs at
    the rate ‖∇f‖"; "the gradient is perpendicular to the contours"; the slopes "match
    ∇f·u in every direction"."""
    gen = torch.Generator().manual_seed(0)
    for _ in range(5):
        p = torch.randn(2, generator=gen, dtype=F64)
        grad = torch.stack(fn.sin_radial_grad(*p))
        units = torch.randn(500, 2, generator=gen, dtype=F64)
        units = units / units.norm(dim=1, keepdim=True)
        h = 1e-6
        rates = (
            fn.sin_radial(*(p + h * units).T) - fn.sin_radial(*(p - h * units).T)
        ) / (2 * h)
        assert float((rates - units @ grad).abs().max()) < 1e-9  # "below 1e-9"
        assert float(rates.max()) <= float(grad.norm()) + 1e-8
        best = grad / grad.norm()
        along = (fn.sin_radial(*(p + h * best)) - fn.sin_radial(*(p - h * best))) / (
            2 * h
        )
        assert float(along) == pytest.approx(float(grad.norm()), rel=1e-8)
        tangent = torch.stack([-p[1], p[0]]) / p.norm()  # the contour is a circle
        assert abs(float(tangent @ grad)) < 1e-12


# --- the five-line loop ---


def test_the_five_line_loop_is_the_packages_run(runs):
    """Claim: "The loop ends exactly where the run drawn above ended, to the last
    bit"."""
    lr, good = list(runs.items())[1]
    w = torch.tensor(gradlab.defaults.BOWL_START, requires_grad=True)
    for _ in range(good.steps):
        loss = fn.bowl(w)
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
        w.grad = None
    assert torch.equal(w.detach(), good.params[-1])


# --- a practical step beside the fastest ---


def test_the_practical_step_drops_at_once_then_crawls(result):
    """Claim: at the practical step "the loss falls from [the start] to [L₁₀] in 10
    steps, much as the single step ... took it from 38,002 to 7,700. Then it crawls";
    "only N% more than at the fastest step"; "the steep direction ... is gone within a
    few steps ..., but the flat direction shrinks only by" a factor closer to 1 than at
    the fastest step; "Either way the flat direction decides"."""
    p, start, lr = result.raw.problem, result.raw.start, result.practical_lr
    limit = p.max_stable_lr
    assert 0.7 * limit < lr < 0.9 * limit  # "about 85% of the limit"
    early = float(p.predicted_losses(start, lr, 10))
    assert early < 0.05 * float(result.raw_run.losses[0])
    late = result.practical_run.final_loss
    assert late > 0.8 * early and late > 50 * result.target  # the plateau
    assert result.practical_run.final_loss == pytest.approx(
        float(p.predicted_losses(start, lr, RAW_MEASURED_STEPS)), rel=1e-3
    )
    extra = result.practical_steps_needed / result.raw_steps_needed - 1
    assert 0 < extra < 0.5  # "only N% more"
    lam = p.eigenvalues
    assert abs(1 - lr * lam[-1]) < 0.75  # the steep direction: gone in a few steps
    assert 1 - lr * lam[0] > 1 - result.raw_lr * lam[0]  # the flat one: slower
    # either way, hundreds of thousands of steps
    assert result.practical_steps_needed > 50 * RAW_MEASURED_STEPS


def test_the_practical_fit_follows_the_data_at_large_t_only(result):
    """Claim: the fit at the practical step "follows the data where t is large ... but
    misses them at small t"."""
    x, y = result.raw.problem.features.double(), result.raw.series.y.double()
    residual = (x @ result.practical_run.params[-1].double() - y).abs()
    assert float(residual[-5:].mean()) < 0.25 * float(residual[:5].mean())


def test_rescaling_wins_against_the_practical_step_too(result):
    """Claim: "against the practical raw step it needs N times fewer"."""
    ratio = result.practical_steps_needed / result.rescaled_steps_needed
    assert ratio > result.speedup > 1000


# --- local minima ---


@pytest.fixture(scope="module")
def descents():
    return sin_radial_descents()


def test_descent_on_sin_ends_in_the_basin_it_starts_in(descents):
    """Claim: "Where a run ends is decided by where it starts"; "Two starts a hair
    apart on either side of a ridge end in different minima"; "The runs that start
    inside the first ridge end at the origin, at z = 0, although the rings around them
    reach −1"; every run goes "straight along its radius"."""
    ring = {0: 0.0, 1: 1.5 * math.pi, 2: 3.5 * math.pi}  # r² of the minima
    ridges = (0.5 * math.pi, 2.5 * math.pi)
    for start, run in descents.items():
        r2 = sum(c * c for c in start)
        basin = sum(r2 > ridge for ridge in ridges)
        end = run.params[-1]
        assert float(end.square().sum()) == pytest.approx(ring[basin], abs=1e-6)
        assert run.final_loss == pytest.approx(0.0 if basin == 0 else -1.0, abs=1e-6)
        assert run.converged
        if basin:  # along the radius: the end is a positive multiple of the start
            s = torch.tensor(start, dtype=F64)
            assert float(torch.linalg.det(torch.stack([s, end]))) == pytest.approx(
                0.0, abs=1e-9
            )
            assert float(s @ end) > 0
    pairs = [(SIN_STARTS[1], SIN_STARTS[2]), (SIN_STARTS[3], SIN_STARTS[4])]
    for a, b in pairs:
        ra, rb = (sum(c * c for c in s) for s in (a, b))
        assert abs(math.sqrt(ra) - math.sqrt(rb)) < 0.3  # "a hair apart"
        ends = [float(descents[s].params[-1].square().sum()) for s in (a, b)]
        assert abs(ends[0] - ends[1]) > 1  # different minima


def test_the_origin_is_a_local_not_a_global_minimum():
    """Claim: the origin is "lower than everything near it and higher than the lowest
    value"."""
    angles = torch.linspace(0, 2 * math.pi, 50, dtype=F64)
    for r in (1e-3, 0.1, 0.5):
        z = fn.sin_radial(r * angles.cos(), r * angles.sin())
        assert bool((z > 0).all())
    assert float(fn.sin_radial(torch.tensor(math.sqrt(1.5 * math.pi)), 0.0)) < 0


def test_the_step_is_stable_on_the_two_inner_rings_only_up_to_its_limit():
    """The experiment's note: its step is "stable on the two inner rings of minima"
    (radial curvature 4r² there), and the exercise's η = 0.2 is not."""
    for k in (0, 1):
        curvature = 4 * (1.5 * math.pi + 2 * math.pi * k)
        assert SIN_LR < 2 / curvature < 0.2


# --- the refreshers' statements ---


def test_the_tensor_primers_shapes():
    """Claims of the folded tensor primer: shapes of products, reductions and
    broadcasts, and a (4,) minus a (4, 1) being a (4, 4)."""
    x = torch.zeros(4, 3)
    assert x.sum(dim=0).shape == (3,) and x.sum().shape == ()
    assert (torch.zeros(5, 2) @ torch.zeros(2, 7)).shape == (5, 7)
    assert (torch.zeros(5, 2) @ torch.zeros(2)).shape == (5,)
    assert (x + torch.zeros(3)).shape == (4, 3)
    assert (torch.ones(4, 1) + torch.arange(3.0)).shape == (4, 3)
    assert (torch.zeros(4) - torch.zeros(4, 1)).shape == (4, 4)
    assert torch.tensor([3.0, 4.0]).dtype == torch.float32
    # "about sixteen significant digits instead of seven"
    digits = {t: -math.log10(torch.finfo(t).eps) for t in (torch.float32, F64)}
    assert 6.5 < digits[torch.float32] < 7.5 and 15.5 < digits[F64] < 16.5
    a = torch.zeros(3).numpy()
    torch.from_numpy(a)[0] = 1.0  # no copy: the array sees the change
    assert a[0] == 1.0


def test_the_linear_algebra_refreshers_statements():
    """Claims of the folded linear-algebra refresher: H = QΛQᵀ with QᵀQ = I; a step
    multiplies each eigen-coordinate by 1 − ηλ; κ is ten for the bowl."""
    gen = torch.Generator().manual_seed(0)
    a = torch.randn(4, 4, generator=gen, dtype=F64)
    h = a @ a.T + torch.eye(4, dtype=F64)
    lam, q = torch.linalg.eigh(h)
    assert bool((lam[1:] >= lam[:-1]).all())  # ascending
    torch.testing.assert_close(q @ torch.diag(lam) @ q.T, h)
    torch.testing.assert_close(q.T @ q, torch.eye(4, dtype=F64))
    w, lr = torch.randn(4, generator=gen, dtype=F64), 0.05
    stepped = w - lr * h @ w  # gradient of ½ wᵀHw is Hw
    torch.testing.assert_close(q.T @ stepped, (1 - lr * lam) * (q.T @ w))
    c = fn.BOWL_CURVATURES
    assert max(c) / min(c) == 10


@pytest.mark.book
def test_the_pages_bounds_hold_for_the_pages_numbers():
    """Claim: the directional slopes match ∇f·u with "the largest difference below
    1e-9"."""
    from tests._book import ROOT, glued_numbers

    g = glued_numbers(ROOT / "book" / "gradients.md")
    assert g["dd_formula_gap"] < g["dd_gap_bound"]
