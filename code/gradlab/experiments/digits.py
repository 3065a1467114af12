"""Experiments of "Real data: handwritten digits": the `gradlab.classify` network
(64 → 64 → 10) on `gradlab.digits.load`'s split, trained with SGD and momentum.

Every comparison trains the same seeds (their initial weights and their orders of
batches) for every setting, as one `gradlab.classify.StackedMLP`, and judges on the
validation set; the test set is used once, by `test_once`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import torch
from torch import Tensor, nn

from gradlab import classify
from gradlab.digits import Digits, load

#: The split's seed; the seeds of every comparison.
SPLIT_SEED, SEEDS = 0, (0, 1, 2, 3, 4)
#: The network's hidden widths; SGD's learning rate and momentum, batch size, epochs.
WIDTHS, LR, MOMENTUM, BATCH, EPOCHS = (64,), 0.1, 0.9, 128, 10
#: The single network of the first section: batch size and epochs.
FIRST_BATCH, FIRST_EPOCHS = 64, 10
#: Regularisation strengths tried: SGD's weight decay λ, and dropout's p.
DECAYS = (0.0, 1e-2, 3e-2)
DROPOUTS = (0.0, 0.2, 0.5)
#: The comparison of a penalty in the loss with an optimiser's weight decay: λ, and
#: the number of full-batch steps.
DECAY, DECAY_STEPS = 0.01, 5


@cache
def data() -> Digits:
    """The chapter's split (computed once)."""
    return load(SPLIT_SEED)


def sgd(params, lr: float = LR, weight_decay: float = 0.0) -> torch.optim.SGD:
    """The chapter's optimiser: SGD with momentum."""
    return torch.optim.SGD(params, lr=lr, momentum=MOMENTUM, weight_decay=weight_decay)


@dataclass(frozen=True)
class Trained:
    """The copies (one per seed) of one setting and their `StackedRun`; shared by
    every caller (`train_setting` is cached): read them, do not train them on."""

    model: classify.StackedMLP
    run: classify.StackedRun

    @property
    def final(self) -> Tensor:
        """Validation images right at the end, per seed: (S,)."""
        return self.run.val_correct[:, -1]


def warmup_cosine(warmup: int):
    """A schedule maker: the rate grows linearly over ``warmup`` steps, then falls
    along half a cosine to 0 at the last step (``warmup`` = 0: cosine alone)."""

    def make(optimizer, steps: int):
        def factor(k: int) -> float:
            ramp = 1.0 if warmup == 0 else min(1.0, (k + 1) / warmup)
            return ramp * 0.5 * (1 + math.cos(math.pi * min(k, steps) / steps))

        return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)

    return make


#: Schedules by name (`train_setting`'s ``schedule``); warm-up over WARMUP steps.
WARMUP = 20
SCHEDULES = {"cosine": warmup_cosine(0), "warm-up + cosine": warmup_cosine(WARMUP)}
#: The too-large learning rate the schedules and clipping are tried on; the norm
#: gradients are clipped to.
LARGE_LR, CLIP = 1.0, 1.0


@cache
def train_setting(
    *,
    lr: float = LR,
    weight_decay: float = 0.0,
    dropout: float = 0.0,
    epochs: int = EPOCHS,
    schedule: str | None = None,
    clip: float | None = None,
) -> Trained:
    """One setting trained from every seed in SEEDS, batches of BATCH: ``schedule``
    names a `SCHEDULES` entry, stepped after every optimiser step; ``clip`` clips
    every copy's gradient norm to it."""
    d = data()
    model = classify.stacked(SEEDS, WIDTHS, dropout)
    opt = sgd(model.parameters(), lr, weight_decay)
    steps = epochs * classify.steps_per_epoch(len(d.train), BATCH)
    scheduler = None if schedule is None else SCHEDULES[schedule](opt, steps)
    run = classify.train_stacked(
        model,
        opt,
        d.train,
        d.val,
        epochs=epochs,
        batch_size=BATCH,
        seeds=SEEDS,
        after_backward=None if clip is None else lambda m, _: _clip(m, clip),
        after_step=None if scheduler is None else lambda m, _: scheduler.step(),
    )
    return Trained(model, run)


def _clip(model: classify.StackedMLP, max_norm: float) -> None:
    classify.clip_per_copy_(model, max_norm)


@dataclass(frozen=True)
class FirstRun:
    """The first section's network after training, and per epoch its mean training
    loss and the validation images it classifies right."""

    model: nn.Sequential
    train_loss: list[float]
    val_correct: list[int]


def first_network(seed: int = 0, epochs: int = FIRST_EPOCHS) -> FirstRun:
    """One `classify.mlp` trained with a `DataLoader` (batches of FIRST_BATCH) and
    judged on the validation set after every epoch."""
    d = data()
    model = classify.mlp(WIDTHS, seed=seed)
    optimizer = sgd(model.parameters())
    batches = classify.loader(d.train, FIRST_BATCH, seed=seed)
    val_batches = classify.loader(d.val, len(d.val))
    losses, correct = [], []
    for _ in range(epochs):
        losses.append(classify.train_epoch(model, batches, optimizer))
        correct.append(classify.evaluate(model, val_batches).correct)
    return FirstRun(model, losses, correct)


def mistakes(model: nn.Module, split) -> tuple[Tensor, Tensor, Tensor]:
    """The images of ``split`` the model gets wrong: (images (M, 8, 8), true digits,
    predicted digits)."""
    predicted = classify.predict(model, split.x)
    wrong = predicted != split.y
    return split.images[wrong], split.y[wrong], predicted[wrong]


def penalised_vs_decayed(
    *,
    optimizer: str = "SGD",
    decay: float = DECAY,
    steps: int = DECAY_STEPS,
    seed: int = 0,
) -> float:
    """Largest difference between the parameters of two float64 copies of the
    network after ``steps`` full-batch steps: one whose loss carries λ/2 ‖θ‖², one
    whose optimiser has ``weight_decay`` λ (``optimizer`` "SGD" with momentum,
    "Adam" or "AdamW"; the penalised copy always uses "SGD" or "Adam")."""
    d = data()
    x, y = d.train.x.double(), d.train.y
    kinds = {
        "SGD": torch.optim.SGD,
        "Adam": torch.optim.Adam,
        "AdamW": torch.optim.AdamW,
    }
    extra = {"momentum": MOMENTUM} if optimizer == "SGD" else {}
    models = [classify.mlp(WIDTHS, seed=seed).double() for _ in range(2)]
    plain = torch.optim.SGD if optimizer == "SGD" else torch.optim.Adam
    optimizers = [
        plain(models[0].parameters(), lr=0.01, **extra),
        kinds[optimizer](models[1].parameters(), lr=0.01, weight_decay=decay, **extra),
    ]
    for _ in range(steps):
        for k, (model, opt) in enumerate(zip(models, optimizers, strict=True)):
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            if k == 0:
                loss = loss + decay / 2 * sum(
                    p.square().sum() for p in model.parameters()
                )
            loss.backward()
            opt.step()
    pairs = zip(models[0].parameters(), models[1].parameters(), strict=True)
    return max(float((a - b).detach().abs().max()) for a, b in pairs)


def dropout_means(p: float = 0.5, draws: int = 4000, seed: int = 0) -> dict[str, float]:
    """``nn.Dropout(p)`` applied ``draws`` times to one fixed vector of 64 positive
    numbers in training mode: the fraction of entries kept, the largest relative
    gap between their mean and the vector (inverted scaling: kept entries are
    multiplied by 1 / (1 − p)), the kept entries' factor, and whether evaluation
    mode returns the vector unchanged."""
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(64, generator=g, dtype=torch.float64) + 0.5
    layer = nn.Dropout(p)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        outputs = layer(x.expand(draws, 64))
    kept = outputs != 0
    layer.eval()
    return {
        "kept": float(kept.double().mean()),
        "gap": float(((outputs.mean(0) - x) / x).abs().max()),
        "factor": float((outputs[kept] / x.expand(draws, 64)[kept]).mean()),
        "eval_same": bool(torch.equal(layer(x), x)),
    }


#: The learning-rate range test: from RANGE_START to RANGE_STOP, growing by the same
#: factor every step, over RANGE_STEPS steps; and the rates then tried on validation.
RANGE_START, RANGE_STOP, RANGE_STEPS = 1e-3, 10.0, 100
LRS = (0.01, 0.1, 1.0)


@dataclass(frozen=True)
class RangeTest:
    """The rate of every step (steps,) and every copy's batch loss there (S, steps)."""

    lrs: Tensor
    losses: Tensor

    def lowest(self) -> float:
        """The rate at which the mean loss over seeds is lowest."""
        return float(self.lrs[int(self.losses.double().mean(0).argmin())])

    def blow_up(self) -> float:
        """The first rate past the lowest mean loss at which the mean loss is above
        its value at the first step (inf if it never is)."""
        mean = self.losses.double().mean(0).nan_to_num(math.inf)
        low = int(mean.argmin())
        above = (mean[low:] > mean[0]).nonzero()
        return float(self.lrs[low + int(above[0])]) if len(above) else math.inf


def lr_range_test(
    start: float = RANGE_START, stop: float = RANGE_STOP, steps: int = RANGE_STEPS
) -> RangeTest:
    """Train from every seed with a rate that grows geometrically from ``start`` to
    ``stop``, one step per batch of BATCH, recording the loss of every batch (before
    its step); a copy whose loss is no longer finite keeps reporting it."""
    d = data()
    model = classify.stacked(SEEDS, WIDTHS)
    opt = sgd(model.parameters(), start)
    lrs = torch.logspace(
        math.log10(start), math.log10(stop), steps, dtype=torch.float64
    )
    losses = []
    epoch = 0
    while len(losses) < steps:
        for index in classify.stacked_batches(len(d.train), BATCH, SEEDS, epoch):
            if len(losses) == steps:
                break
            for group in opt.param_groups:
                group["lr"] = float(lrs[len(losses)])
            opt.zero_grad()
            loss = classify.copy_losses(model(d.train.x[index]), d.train.y[index])
            loss.sum().backward()
            opt.step()
            losses.append(loss.detach())
        epoch += 1
    return RangeTest(lrs, torch.stack(losses, 1))


def lr_sweep(lrs: Sequence[float] = LRS) -> dict[float, Tensor]:
    """Validation images right at the end of training at every constant rate:
    rate -> (S,)."""
    return {lr: train_setting(lr=lr).final for lr in lrs}


@dataclass(frozen=True)
class Regularisation:
    """Validation images right per seed at the end, (S,), for every weight decay and
    every dropout rate; and the validation curve (S, E + 1) of the unregularised
    network, for early stopping."""

    decays: dict[float, Tensor]
    dropouts: dict[float, Tensor]
    curve: Tensor

    def stopping_epoch(self) -> int:
        """The epoch of the most validation images right (mean over seeds; the
        earliest such epoch)."""
        return int(self.curve.double().mean(0).argmax())


def regularisation(
    decays: Sequence[float] = DECAYS, dropouts: Sequence[float] = DROPOUTS
) -> Regularisation:
    """Each strength alone, from every seed, judged on validation."""
    return Regularisation(
        {lam: train_setting(weight_decay=lam).final for lam in decays},
        {p: train_setting(dropout=p).final for p in dropouts},
        train_setting().run.val_correct,
    )


def candidates(reg: Regularisation) -> dict[str, dict]:
    """The settings the chapter chooses among, as `train_setting` arguments: no
    regularisation, the best weight decay, the best dropout rate and early
    stopping (ties go to the weaker regularisation)."""

    def best(found: dict[float, Tensor]) -> float:
        means = {k: float(v.double().mean()) for k, v in found.items()}
        return max(means, key=lambda k: (means[k], -k))

    return {
        "none": {},
        "weight decay": {"weight_decay": best(reg.decays)},
        "dropout": {"dropout": best(reg.dropouts)},
        "early stopping": {"epochs": reg.stopping_epoch()},
    }


def choose(reg: Regularisation) -> tuple[str, dict[str, Tensor]]:
    """The candidate with the most validation images right (mean over seeds; ties go
    to the earlier in `candidates`' order), and every candidate's (S,)."""
    found = {
        name: train_setting(**kwargs).final for name, kwargs in candidates(reg).items()
    }
    means = {name: float(v.double().mean()) for name, v in found.items()}
    order = list(found)
    return max(order, key=lambda n: (means[n], -order.index(n))), found


def test_once(name: str, reg: Regularisation) -> Tensor:
    """Test images right, per seed (S,), of the candidate ``name``: the one time the
    chapter looks at the test set."""
    trained = train_setting(**candidates(reg)[name])
    return classify.copy_correct(trained.model, data().test)


def schedules(lr: float = LARGE_LR) -> dict[str, Trained]:
    """At rate ``lr``: constant, cosine, warm-up + cosine, and constant with every
    copy's gradient norm clipped to CLIP."""
    return {
        "constant": train_setting(lr=lr),
        **{name: train_setting(lr=lr, schedule=name) for name in SCHEDULES},
        f"clipped to {CLIP:g}": train_setting(lr=lr, clip=CLIP),
    }


def schedule_rates(lr: float = LARGE_LR) -> dict[str, list[float]]:
    """The rate of every optimiser step of a training run, per schedule (constant
    included)."""
    steps = EPOCHS * classify.steps_per_epoch(len(data().train), BATCH)
    found = {"constant": [lr] * steps}
    for name, make in SCHEDULES.items():
        opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)
        scheduler = make(opt, steps)
        rates = []
        for _ in range(steps):
            rates.append(opt.param_groups[0]["lr"])
            opt.step()
            scheduler.step()
        found[name] = rates
    return found
