"""Figures of book/chain-lab.md and book/chain-strings.md: name -> (what the figure
draws, how it is drawn)."""

import functools

from gradlab import chain, experiments, plotting
from gradlab.defaults import CHAIN_LR
from gradlab.experiments.chain import MIDDLE, STIFF, WEIGHTED

_run = functools.cache(chain.pull)  # the chapter's chain, pulled as the chapter does

FIGURES = {
    "chain-start": (experiments.book_start, plotting.plot_chain),
    "chain-one-step": (experiments.one_step, plotting.plot_chains),
    "chain-pull": (_run, plotting.plot_pull_run),
    "chain-animation": (_run, plotting.animate_chain),
    "chain-lr-sweep": (experiments.lr_sweep, plotting.plot_lr_sweep),
    "chain-diagonal": (
        lambda: experiments.pulled([("x and y equally", "diagonal", CHAIN_LR)]),
        plotting.plot_pulled,
    ),
    "chain-weighted": (lambda: experiments.pulled(WEIGHTED), plotting.plot_pulled),
    "chain-middle": (
        lambda: experiments.pulled([(MIDDLE, "middle", CHAIN_LR)]),
        plotting.plot_pulled,
    ),
    "chain-stiff": (
        lambda: experiments.pulled([(STIFF, "stiff", CHAIN_LR)]),
        plotting.plot_pulled,
    ),
    "chain-schedules": (experiments.schedule_comparison, plotting.plot_schedules),
}
