"""Figures of book/chain-lab.md and book/chain-strings.md: name -> (what the figure
draws, how it is drawn)."""

import functools

from gradlab import chain
from gradlab.defaults import CHAIN_LR
from gradlab.experiments import chain as lab
from gradlab.plotting.chain import (
    animate_chain,
    plot_chain,
    plot_chains,
    plot_cures,
    plot_lr_sweep,
    plot_pull_run,
    plot_pulled,
    plot_schedules,
)

_run = functools.cache(chain.pull)  # the chapter's chain, pulled as the chapter does

FIGURES = {
    "chain-start": (lab.book_start, plot_chain),
    "chain-one-step": (lab.one_step, plot_chains),
    "chain-pull": (_run, plot_pull_run),
    "chain-animation": (_run, animate_chain),
    "chain-lr-sweep": (lab.lr_sweep, plot_lr_sweep),
    "chain-cures": (lab.cures, plot_cures),
    "chain-diagonal": (
        lambda: lab.pulled([("x and y equally", "diagonal", CHAIN_LR)]),
        plot_pulled,
    ),
    "chain-weighted": (lambda: lab.pulled(lab.WEIGHTED), plot_pulled),
    "chain-middle": (
        lambda: lab.pulled([(lab.MIDDLE, "middle", CHAIN_LR)]),
        plot_pulled,
    ),
    "chain-stiff": (
        lambda: lab.pulled([(lab.STIFF, "stiff", CHAIN_LR)]),
        plot_pulled,
    ),
    "chain-schedules": (lab.schedule_comparison, plot_schedules),
}
