"""Figures of book/chain-lab.md and book/chain-strings.md: name -> (what the figure
draws, how it is drawn)."""

import functools

import torch

from gradlab import chain, experiments, plotting
from gradlab.defaults import CHAIN_LINKS, CHAIN_LR, CHAIN_SEED

_START = chain.random_angles(CHAIN_LINKS, seed=CHAIN_SEED)
_run = functools.cache(chain.pull)  # the chapter's chain, pulled as the chapter does


def _one_step() -> dict[str, torch.Tensor]:
    angles = _START.clone().requires_grad_()
    chain.pull_right(angles).backward()
    with torch.no_grad():
        return {"start": _START, "after one step": angles - CHAIN_LR * angles.grad}


def _pulled(*runs: tuple[str, str, float]) -> dict:
    """label -> (loss, run) for (label, loss variant, learning rate) triples."""
    pulled = {}
    for label, name, lr in runs:
        loss = chain.loss_variant(name)
        pulled[label] = (loss, chain.pull(loss, _START, lr=lr))
    return pulled


def _schedules() -> tuple:
    strings = chain.fan_of_strings()
    runs = {
        s: chain.pull_by_strings(
            strings, _START, schedule=s, lr=chain.FAN_LR, steps=500
        )
        for s in chain.SCHEDULES
    }
    return runs, chain.fan_minimum(strings, CHAIN_LINKS), strings


STIFF = f"two strings + {chain.STIFFNESS:g} max|θ|"
FIGURES = {
    "chain-start": (lambda: _START, plotting.plot_chain),
    "chain-one-step": (_one_step, plotting.plot_chains),
    "chain-pull": (_run, plotting.plot_pull_run),
    "chain-animation": (_run, plotting.animate_chain),
    "chain-lr-sweep": (experiments.lr_sweep, plotting.plot_lr_sweep),
    "chain-diagonal": (
        lambda: _pulled(("x and y equally", "diagonal", CHAIN_LR)),
        plotting.plot_pulled,
    ),
    "chain-weighted": (
        lambda: _pulled(
            ("x × 10", "x-heavy", CHAIN_LR),
            ("x × 10, lr / 10", "x-heavy", CHAIN_LR / 10),
            ("x × 0.1", "x-light", CHAIN_LR),
        ),
        plotting.plot_pulled,
    ),
    "chain-middle": (
        lambda: _pulled(("end along x, middle along y", "middle", CHAIN_LR)),
        plotting.plot_pulled,
    ),
    "chain-stiff": (
        lambda: _pulled((STIFF, "stiff", CHAIN_LR)),
        plotting.plot_pulled,
    ),
    "chain-schedules": (
        _schedules,
        lambda r: plotting.plot_schedules(r[0], minimum=r[1], strings=r[2]),
    ),
}
