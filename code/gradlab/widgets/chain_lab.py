"""The live chain lab: the chapter's chain, pulled in the reader's browser."""

from __future__ import annotations

import math
from dataclasses import dataclass

from gradlab import _checks
from gradlab.defaults import (
    CHAIN_LINKS,
    CHAIN_LR,
    CHAIN_SEED,
    CHAIN_STEPS,
    LOSS_VARIANTS,
)
from gradlab.widgets import _page
from gradlab.widgets._chain_js import SCRIPT

#: Chains of 2 to MAX_LINKS links. torch draws fewer than 16 normal numbers one at a
#: time, so `random_angles(n, seed)` for n ≤ 15 are the first n of the 15 angles
#: drawn from that seed: one list per seed serves every length (tested).
MIN_LINKS, MAX_LINKS = 2, 15
#: The seeds of the starts the reader can choose.
SEEDS = tuple(range(10))
#: What each pull is called in the widget.
LOSS_LABELS = {
    "right": "the end along x",
    "diagonal": "the end along (1, 1)",
    "x-heavy": "the end along (10, 1)",
    "x-light": "the end along (0.1, 1)",
    "middle": "end along x, middle along y",
    "stiff": "end along x, middle along y, + 2 max|θ|",
}


def nice_rates(low_decade: int, high: float) -> list[float]:
    """1, 1.5, 2, 3, 4, 5 and 7 times each power of ten from 10^low_decade, up to
    ``high``: learning rates spaced about evenly on a log scale, written exactly."""
    rates = [
        float(f"{m}e{k}")
        for k in range(low_decade, 1)
        for m in ("1", "1.5", "2", "3", "4", "5", "7")
    ]
    return [r for r in rates if r <= high]


def chain_rates() -> list[float]:
    """The learning-rate slider's positions: `nice_rates` from 0.001 to 1 and the
    chapter's sweep, so that every rate of the chapter's table is on it."""
    from gradlab.experiments.chain import SWEEP_LRS

    return sorted({*nice_rates(-3, 1.0), *SWEEP_LRS, CHAIN_LR})


@dataclass(frozen=True)
class ChainLab:
    """The chain lab as a live figure: ``ChainLab()`` in a cell shows it.

    The reader sets the links, the pull (`gradlab.chain.loss_variant`), the seed of
    the start (`gradlab.random_angles`) and the learning rate; Step, Run (up to
    ``steps`` steps, the chapter's run) and Reset. The script runs `gradlab.pull` in
    float64 and shows `gradlab.descent.regime`'s verdict as the run goes.
    """

    links: int = CHAIN_LINKS
    loss: str = "right"
    lr: float = CHAIN_LR
    seed: int = CHAIN_SEED
    steps: int = CHAIN_STEPS

    def __post_init__(self) -> None:
        _checks.whole_number(self.links, "links", minimum=MIN_LINKS)
        if self.links > MAX_LINKS:
            raise ValueError(f"links must be at most {MAX_LINKS}, got {self.links}")
        _checks.one_of(self.loss, "loss", LOSS_VARIANTS)
        _checks.one_of(self.seed, "seed", SEEDS)
        _checks.whole_number(self.steps, "steps", minimum=1)
        if self.lr not in chain_rates():
            raise ValueError(f"lr must be one of {chain_rates()}, got {self.lr}")

    def data(self) -> dict:
        """What the script needs, computed by `gradlab.chain`: the seeded starts, each
        pull's strings for every length, the stability limits, the rates."""
        from gradlab.chain import random_angles

        lengths, names = range(MIN_LINKS, MAX_LINKS + 1), LOSS_VARIANTS
        return {
            "links": self.links,
            "loss": self.loss,
            "lr": self.lr,
            "seed": self.seed,
            "steps": self.steps,
            "rates": chain_rates(),
            "starts": [random_angles(MAX_LINKS, seed=s).tolist() for s in SEEDS],
            "models": {name: [strings(name, n) for n in lengths] for name in names},
            "limits": {name: [limit(name, n) for n in lengths] for name in names},
            "minLinks": MIN_LINKS,
        }

    def _repr_html_(self) -> str:
        data = self.data()
        uid = _page.widget_id("chain-lab", data)
        html = markup(uid, self)
        return _page.fragment("chain-lab", uid, html, FALLBACK, SCRIPT, data)


FALLBACK = (
    "The live chain lab needs JavaScript (in a notebook: run this cell). The figures "
    "above show the same runs: the chain pulled straight, and the sweep of learning "
    "rates with each run's verdict."
)


def strings(name: str, n: int) -> dict:
    """The strings of loss variant ``name`` on an n-link chain, for the script: each
    string's joint (1..n) and force, and the penalty on max |θ|."""
    from gradlab.chain import loss_variant

    loss = loss_variant(name, n)
    pulls = [{"joint": p.joint_of(n), "force": list(p.force)} for p in loss.pulls]
    return {"pulls": pulls, "penalty": loss.penalty}


def limit(name: str, n: int) -> float | None:
    """2/λ_max of the pull at its minimum, the chain straight along the force, for
    the pulls of the end alone (None for the others): `gradlab.stability_limit`."""
    from gradlab.chain import loss_variant, stability_limit

    loss = loss_variant(name, n)
    if len(loss.pulls) != 1 or loss.penalty:
        return None
    import torch

    straight = torch.zeros(n, dtype=torch.float64)
    straight[0] = math.atan2(loss.pulls[0].force[1], loss.pulls[0].force[0])
    return stability_limit(loss, straight)


def markup(uid: str, lab: ChainLab) -> str:
    """The controls, buttons, drawings and verdict of the chain lab."""
    links = range(MIN_LINKS, MAX_LINKS + 1)
    select = '<select id="{id}" data-k="{key}">%s</select>'
    fields = [
        _page.control(uid, "links", "Links", select % _page.options(links, lab.links)),
        _page.control(
            uid,
            "loss",
            "Pull",
            select % _page.options(LOSS_LABELS, lab.loss, LOSS_LABELS.get),
        ),
        _page.control(
            uid, "seed", "Start (seed)", select % _page.options(SEEDS, lab.seed)
        ),
        _page.rate_control(uid, "Learning rate (log scale)"),
    ]
    return (
        f'<div class="gl-controls">{"".join(fields)}</div>{_page.BUTTONS}'
        '<div class="gl-plots"><canvas data-k="chain" role="img"></canvas>'
        '<canvas data-k="curve" role="img"></canvas></div>'
        '<p class="gl-status" data-k="status"></p>'
        '<p class="gl-verdict" data-k="verdict" aria-live="polite"></p>'
        '<p class="gl-note" data-k="note"></p>'
    )
