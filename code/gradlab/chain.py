"""The chain of links on a table: positions, strings that pull it, and pulling.

A chain of n rigid links of unit length lies flat, its first joint anchored at the
origin. Its parameters are the n *relative* angles θ₁..θₙ, each link's turn against
the previous one. A string tied to a joint and pulled with a constant force F has
potential energy −F·p (up to a constant); the loss of a set of strings is that
energy, shifted so that it is 0 when every pulled joint is as far along its force as
it can get. Gradient descent on the angles is the chain being pulled straight.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

from gradlab import _checks
from gradlab.defaults import (
    CHAIN_LINKS,
    CHAIN_LR,
    CHAIN_SEED,
    CHAIN_STEPS,
    LOSS_VARIANTS,
)
from gradlab.descent import Callback, History, LossFn, gradient_descent


def random_angles(n: int = CHAIN_LINKS, *, seed: int) -> Tensor:
    """Relative angles of a haphazard chain: n draws of N(0, 1) times π/4, shape (n,).

    >>> random_angles(3, seed=0).shape
    torch.Size([3])
    """
    _checks.whole_number(n, "links", minimum=1)
    generator = torch.Generator().manual_seed(_checks.seed(seed))
    return torch.randn(n, generator=generator) * (math.pi / 4)


def positions(angles: Tensor) -> Tensor:
    """Positions of the n + 1 joints of a chain with relative ``angles`` (shape (n,)).

    Row 0 is the anchor (0, 0); row k is the end of link k. Link k points at the
    absolute angle φₖ = θ₁ + … + θₖ, so p_k = Σ_{i≤k} (cos φᵢ, sin φᵢ). Returns a
    tensor of shape (n + 1, 2) that autograd can differentiate.

    >>> positions(torch.tensor([0.0, math.pi / 2])).round(decimals=6).tolist()
    [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0]]
    """
    if angles.dim() != 1 or len(angles) == 0:
        raise ValueError(f"angles must have shape (n,) with n >= 1, got {angles.shape}")
    absolute = angles.cumsum(dim=0)
    steps = torch.stack([absolute.cos(), absolute.sin()], dim=1)
    return torch.cat([steps.new_zeros(1, 2), steps.cumsum(dim=0)])


def pull_right(angles: Tensor) -> Tensor:
    """The basic loss n − x_end: 0 only for the chain straight along +x, at most 2n."""
    return len(angles) - positions(angles)[-1, 0]


def end_point_jacobian(angles: Tensor) -> Tensor:
    """∂(x_end, y_end)/∂θ_k in closed form, shape (n, 2): row k is d p_n / d θ_k.

    Turning θ_k swings every link from k on about joint k − 1, so the end moves at
    right angles to the arm from that joint to the end: row k = R₉₀ (p_n − p_{k−1})
    with R₉₀ (x, y) = (−y, x).
    """
    with torch.no_grad():
        p = positions(angles)
        arm = p[-1] - p[:-1]
        return torch.stack([-arm[:, 1], arm[:, 0]], dim=1)


@dataclass(frozen=True)
class Pull:
    """A string tied to ``joint`` (1..n, or −1 for the end) pulling with ``force``.

    Its loss is |F| k − F · p_k for joint k: the string's potential energy, shifted to
    be 0 when the first k links all point along F, and never negative.
    """

    joint: int
    force: tuple[float, float]

    def loss(self, points: Tensor) -> Tensor:
        """Loss of this string for joint positions ``points`` of shape (n + 1, 2)."""
        k = self.joint_of(len(points) - 1)
        f = points.new_tensor(self.force)
        return f.norm() * k - (f * points[k]).sum()

    def joint_of(self, n: int) -> int:
        """The joint this string is tied to on an n-link chain (1..n)."""
        k = n if self.joint == -1 else self.joint
        if not 1 <= k <= n:
            raise ValueError(f"joint must be in 1..{n} or -1, got {self.joint}")
        return k


@dataclass(frozen=True)
class ChainLoss:
    """Strings pulling the chain, plus ``penalty`` · max |θ| (a stiffness of sorts).

    Call it on angles of shape (n,) to get a scalar loss tensor.
    """

    pulls: tuple[Pull, ...]
    penalty: float = 0.0

    def __call__(self, angles: Tensor) -> Tensor:
        # The sum of every string's `Pull.loss`, computed for all strings at once.
        points = positions(angles)
        joints = [pull.joint_of(len(angles)) for pull in self.pulls]
        forces = points.new_tensor([pull.force for pull in self.pulls])  # (m, 2)
        lengths = points.new_tensor(joints)
        total = (forces.norm(dim=1) * lengths).sum() - (forces * points[joints]).sum()
        if self.penalty:
            total = total + self.penalty * angles.abs().max()
        return total


HEAVY, LIGHT, STIFFNESS = 10.0, 0.1, 2.0


def loss_variant(name: str, n: int = CHAIN_LINKS) -> ChainLoss:
    """The strings of a named experiment for a chain of ``n`` links.

    right: the end pulled along +x (loss n − x). diagonal: x and y pulled equally,
    force (1, 1). x-heavy / x-light: force (10, 1) / (0.1, 1). middle: the end pulled
    along +x and the middle joint along +y. stiff: middle, plus 2 · max |θ|.
    """
    _checks.whole_number(n, "links", minimum=1)
    end = {
        "right": (1.0, 0.0),
        "diagonal": (1.0, 1.0),
        "x-heavy": (HEAVY, 1.0),
        "x-light": (LIGHT, 1.0),
    }
    if name in end:
        return ChainLoss((Pull(-1, end[name]),))
    if name in ("middle", "stiff"):
        if n < 2:
            raise ValueError(f"the {name!r} loss needs at least 2 links, got {n}")
        pulls = (Pull(-1, (1.0, 0.0)), Pull(n // 2, (0.0, 1.0)))
        return ChainLoss(pulls, STIFFNESS if name == "stiff" else 0.0)
    _checks.one_of(name, "loss", LOSS_VARIANTS)
    raise AssertionError(f"loss variant {name!r} is listed but not defined")


def pull(
    loss_fn: LossFn = pull_right,
    start: Tensor | None = None,
    *,
    lr: float = CHAIN_LR,
    steps: int = CHAIN_STEPS,
    callback: Callback | None = None,
) -> History:
    """`gradient_descent` on the angles: θ ← θ − lr · ∇loss(θ) from ``start`` (n,).

    The default start is the chapter's seeded 10-link chain. The history's
    ``params`` are the angles after every step, shape (steps + 1, n). ``callback``
    is `gradient_descent`'s.
    """
    if start is None:
        start = random_angles(CHAIN_LINKS, seed=CHAIN_SEED)
    return gradient_descent(loss_fn, start, lr=lr, steps=steps, callback=callback)


def pull_each(
    loss_fn: LossFn,
    start: Tensor,
    lrs: Sequence[float],
    *,
    steps: int = CHAIN_STEPS,
) -> list[History]:
    """`pull` from ``start`` once per learning rate in ``lrs``, as one batch of chains.

    `torch.func.vmap` applies ``loss_fn`` to every chain at once, so one forward and
    one backward pass serve all the runs; each `History` is the one `pull` gives, bit
    for bit (tested). A run whose loss turns non-finite or blows up is run alone
    instead, so that it stops where `pull` stops it.
    """
    lrs = [_checks.positive_number(lr, "lr") for lr in lrs]
    steps = _checks.whole_number(steps, "steps")
    each = torch.func.vmap(loss_fn)
    rates = start.new_tensor(lrs)[:, None]
    w = start.detach().repeat(len(lrs), 1).requires_grad_()
    path = [w.detach().clone()]
    for _ in range(steps):  # gradient_descent's step, for every chain at once
        each(w).sum().backward()
        with torch.no_grad():
            w -= rates * w.grad
        w.grad = None
        path.append(w.detach().clone())
    params = torch.stack(path, dim=1)  # (runs, steps + 1, n)
    with torch.no_grad():
        losses = torch.func.vmap(each)(params)  # (runs, steps + 1)
    limit = gradient_descent.__kwdefaults__["blow_up"]  # where `pull` stops a run
    runs = []
    for lr, p, loss in zip(lrs, params, losses, strict=True):
        if bool(loss.isfinite().all()) and float(loss.max()) <= limit:
            runs.append(History(p, loss, lr))
        else:
            runs.append(pull(loss_fn, start, lr=lr, steps=steps))
    return runs


def stability_limit(loss_fn: LossFn, at: Tensor) -> float:
    """2 / λ_max of the loss's Hessian at ``at`` (shape (n,)): the largest stable lr.

    Near a minimum, gradient descent multiplies the error along each eigenvector of
    the Hessian by 1 − lr·λ per step, which shrinks only if lr < 2 / λ.
    """
    hessian = torch.autograd.functional.hessian(loss_fn, at.detach().double())
    return 2.0 / float(torch.linalg.eigvalsh(hessian).max())


#: The many-strings experiment: 10 strings, spread 0.6 rad, seed 1, lr 0.02.
FAN_STRINGS, FAN_SPREAD, FAN_SEED, FAN_LR = 10, 0.6, 1, 0.02


def fan_of_strings(
    m: int = FAN_STRINGS, *, spread: float = FAN_SPREAD, seed: int = FAN_SEED
) -> tuple[Pull, ...]:
    """``m`` strings tied to the end, unit forces at angles N(0, spread²) from +x.

    Each string is one "data point"; together they pull towards their mean force.
    """
    _checks.whole_number(m, "strings", minimum=1)
    spread = _checks.number(spread, "spread")
    generator = torch.Generator().manual_seed(_checks.seed(seed))
    directions = torch.randn(m, generator=generator) * spread
    return tuple(Pull(-1, (math.cos(a), math.sin(a))) for a in directions.tolist())


def fan_minimum(strings: Sequence[Pull], n: int) -> float:
    """Smallest mean loss of strings all tied to the end of an n-link chain.

    The mean loss is n · mean|F| − F̄ · p_n, lowest with the chain straight along the
    mean force F̄: n (mean|F| − |F̄|).
    """
    forces = torch.tensor([s.force for s in strings], dtype=torch.float64)
    return float(n * (forces.norm(dim=1).mean() - forces.mean(dim=0).norm()))


#: How the strings take turns: all at once, one at a time in a fixed order, or one at a
#: time in a fresh random order every epoch (stochastic gradient descent).
SCHEDULES = ("full batch", "in order", "random order")


@dataclass(frozen=True)
class StringsRun:
    """Pulls of one chain by several strings, one run per seed, recorded per epoch.

    An epoch is one gradient of every string. ``losses`` has shape (seeds, e + 1): the
    mean loss of all strings at the start and after each of the e epochs run (e is
    smaller than asked if the loss became non-finite). ``angles`` has shape
    (seeds, n): where each run ended. Only a random order depends on the seed.
    """

    schedule: str
    lr: float
    decay: float | None
    losses: Tensor
    angles: Tensor

    def tail_mean(self, epochs: int) -> Tensor:
        """The mean loss over the last ``epochs`` epochs, one value per seed."""
        return self.losses[:, -epochs:].mean(dim=1)


def pull_by_strings(
    strings: Sequence[Pull],
    start: Tensor,
    *,
    schedule: str,
    lr: float,
    epochs: int,
    seeds: Sequence[int] = (0,),
    decay: float | None = None,
) -> StringsRun:
    """Pull with strings tied to the end, taking turns as ``schedule`` says.

    "full batch" steps once per epoch along the gradient of the mean loss; "in order"
    and "random order" step once per string, each along that one string's gradient,
    so every schedule evaluates each string's gradient once per epoch. With
    ``decay``, the steps of epoch e are lr / (1 + e / decay) long. All seeds run at
    once, as one batch of chains, through `gradient_descent`.
    """
    plan = (schedule, seeds, decay)
    (run,) = take_turns(strings, start, [plan], lr=lr, epochs=epochs)
    return run


#: One run of `take_turns`: (schedule, seeds, decay), as `pull_by_strings` takes them.
Turns = tuple[str, Sequence[int], float | None]


def take_turns(
    strings: Sequence[Pull],
    start: Tensor,
    runs: Sequence[Turns],
    *,
    lr: float,
    epochs: int,
) -> tuple[StringsRun, ...]:
    """Several `pull_by_strings` runs of the same strings, start, lr and epochs, as
    one batch of chains: one `StringsRun` per (schedule, seeds, decay), each the same
    as `pull_by_strings` gives for it alone. The schedules must take the same number
    of steps per epoch: all "full batch", or all one string at a time.
    """
    lr = _checks.positive_number(lr, "lr")
    epochs = _checks.whole_number(epochs, "epochs")
    plans = _checked_plans(runs)
    full = _full_batch(strings, len(start), plans)
    n, k = len(start), sum(len(seeds) for _, seeds, _ in plans)
    forces = start.new_tensor([s.force for s in strings])  # (m, 2)
    mean_force, mean_size = forces.mean(dim=0), forces.norm(dim=1).mean()

    def mean_loss(w: Tensor) -> Tensor:  # flat angles (..., k·n) -> (..., k)
        return n * mean_size - _end(w.unflatten(-1, (k, n))) @ mean_force

    per_epoch = 1 if full else len(strings)
    history = gradient_descent(
        lambda w: mean_loss(w).sum(),
        start.detach().repeat(k),
        lr=lr,
        steps=epochs * per_epoch,
        step_loss=_step_losses(plans, forces, n, epochs, mean_loss if full else None),
    )
    path = history.params[::per_epoch]
    with torch.no_grad():
        losses, angles = mean_loss(path).T.contiguous(), path[-1].view(k, n)
    return _runs_of(plans, lr, losses, angles)


def _runs_of(
    plans: list, lr: float, losses: Tensor, angles: Tensor
) -> tuple[StringsRun, ...]:
    """One `StringsRun` per plan, from the rows of ``losses`` (k, epochs + 1) and
    ``angles`` (k, n) that are its chains, in the order of ``plans``."""
    found, first = [], 0
    for schedule, seeds, decay in plans:
        rows = slice(first, first + len(seeds))
        found.append(StringsRun(schedule, lr, decay, losses[rows], angles[rows]))
        first += len(seeds)
    return tuple(found)


def _checked_plans(runs: Sequence[Turns]) -> list[tuple[str, list[int], float | None]]:
    """``runs`` with each schedule, seed and decay checked."""
    plans = []
    for schedule, seeds, decay in runs:
        _checks.one_of(schedule, "schedule", SCHEDULES)
        if decay is not None:
            decay = _checks.positive_number(decay, "decay")
        plans.append((schedule, [_checks.seed(s) for s in seeds], decay))
    return plans


def _full_batch(strings: Sequence[Pull], n: int, plans: list) -> bool:
    """Whether every plan pulls with all strings at once (False: every plan takes
    one string at a time); checks that the runs can be batched on an n-link chain."""
    if not plans or not strings or not all(seeds for _, seeds, _ in plans):
        raise ValueError("pull_by_strings needs at least one string and one seed")
    if any(s.joint_of(n) != n for s in strings):
        raise ValueError("pull_by_strings takes strings tied to the end (joint -1)")
    full = {schedule == "full batch" for schedule, _, _ in plans}
    if len(full) > 1:
        raise ValueError("take_turns cannot batch full batch with one string at a time")
    return full.pop()


def _step_losses(
    plans: list, forces: Tensor, n: int, epochs: int, mean_loss: LossFn | None
) -> Callable[[int], LossFn]:
    """Step i -> the loss whose gradient step i follows, summed over the chains: the
    mean loss of all strings (``mean_loss``, for full batches) or, when it is None,
    the loss of the string each chain takes at that step; times the epoch's decay
    factor where a run decays. ``forces`` (m, 2) are the strings' forces."""
    m, k = len(forces), sum(len(seeds) for _, seeds, _ in plans)
    per_epoch = 1 if mean_loss is not None else m
    rates = _rates(plans, epochs, forces)  # (epochs, k) step factors, or None
    if mean_loss is None:  # the string each chain follows at each step, and its n·|F|
        order = torch.cat([_turns(s, m, epochs, seeds) for s, seeds, _ in plans], 1)
        step_forces, step_sizes = forces[order], n * forces.norm(dim=1)[order]

    def step_loss(i: int) -> LossFn:
        def loss(w: Tensor) -> Tensor:
            if mean_loss is not None:
                per_chain = mean_loss(w)
            else:
                ends = _end(w.unflatten(-1, (k, n)))
                per_chain = step_sizes[i] - (ends * step_forces[i]).sum(dim=1)
            if rates is not None:
                per_chain = rates[i // per_epoch] * per_chain
            return per_chain.sum()

        return loss

    return step_loss


def _rates(plans: list, epochs: int, like: Tensor) -> Tensor | None:
    """Each epoch's step factor 1 / (1 + e / decay) per chain, shape (epochs, k), or
    None when no run decays."""
    if all(decay is None for _, _, decay in plans):
        return None
    columns = []
    for _, seeds, decay in plans:
        if decay is None:
            factors = [1.0] * epochs
        else:
            factors = [1.0 / (1.0 + e / decay) for e in range(epochs)]
        columns += [factors] * len(seeds)
    return like.new_tensor(columns).T


def _end(angles: Tensor) -> Tensor:
    """The end point of chains with relative ``angles`` (..., n): shape (..., 2)."""
    absolute = angles.cumsum(dim=-1)
    return torch.stack([absolute.cos().sum(dim=-1), absolute.sin().sum(dim=-1)], -1)


def _turns(schedule: str, m: int, epochs: int, seeds: list[int]) -> Tensor:
    """Which of ``m`` strings each chain follows at each step, shape (epochs · m, k),
    for the schedules that take one string at a time."""
    if schedule == "in order":
        return torch.arange(m).repeat(epochs)[:, None].expand(-1, len(seeds))
    columns = []
    for s in seeds:
        generator = torch.Generator().manual_seed(s)
        epoch_orders = [torch.randperm(m, generator=generator) for _ in range(epochs)]
        columns.append(torch.cat(epoch_orders))
    return torch.stack(columns, dim=1)


def pull_right_each(angles: Tensor) -> Tensor:
    """`pull_right` for a batch of chains: relative angles (k, n) -> losses (k,)."""
    return angles.shape[-1] - _end(angles)[..., 0]


def pull_right_absolute(absolute: Tensor) -> Tensor:
    """The same loss in the absolute angles φ (..., n) -> (...): n − Σₖ cos φₖ.

    One term per link, each depending on that link's direction alone: a round bowl,
    curvature 1 in every direction at the straight chain.
    """
    return absolute.shape[-1] - absolute.cos().sum(dim=-1)


def cumsum_matrix(n: int, dtype: torch.dtype = torch.float64) -> Tensor:
    """The matrix C with φ = C θ (shape (n, n)): ones on and below the diagonal."""
    _checks.whole_number(n, "links", minimum=1)
    return torch.ones(n, n, dtype=dtype).tril()


def straight_hessian(n: int, dtype: torch.dtype = torch.float64) -> Tensor:
    """The Hessian of `pull_right` at the straight chain, CᵀC, from its entries.

    Entry (i, j), counting from 1, is n + 1 − max(i, j): the number of links that
    turning θᵢ and turning θⱼ both swing.
    """
    _checks.whole_number(n, "links", minimum=1)
    k = torch.arange(1, n + 1, dtype=dtype)
    return n + 1 - torch.maximum(k[:, None], k[None, :])


def straight_eigenvalues(n: int) -> Tensor:
    """The eigenvalues of CᵀC, ascending, in closed form (float64, shape (n,)):
    λ = 1 / (4 sin²((2k − 1) π / (4n + 2))) for k = n, …, 1."""
    _checks.whole_number(n, "links", minimum=1)
    k = torch.arange(n, 0, -1, dtype=torch.float64)
    return 1 / (4 * torch.sin((2 * k - 1) * math.pi / (4 * n + 2)) ** 2)


def heavy_ball(
    loss_fn: LossFn, starts: Tensor, *, lr: float, momentum: float = 0.0, steps: int
) -> Tensor:
    """Heavy-ball descent from each row of ``starts`` (k, n); losses (k, steps + 1).

    w ← w − lr · ∇L(w) + momentum · (w − w_previous); momentum 0 is plain gradient
    descent. ``loss_fn`` maps (k, n) to (k,), each chain's loss from its own row, so
    the gradient of their sum is every chain's own gradient.
    """
    lr = _checks.positive_number(lr, "lr")
    steps = _checks.whole_number(steps, "steps")
    w = starts.detach().clone().requires_grad_()
    previous, losses = w.detach().clone(), []
    for step in range(steps + 1):
        loss = loss_fn(w)
        losses.append(loss.detach())
        if step == steps:
            break
        (grad,) = torch.autograd.grad(loss.sum(), w)
        with torch.no_grad():
            w, previous = w - lr * grad + momentum * (w - previous), w.detach()
        w.requires_grad_()
    return torch.stack(losses, dim=1)
