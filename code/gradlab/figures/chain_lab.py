"""Figures of book/chain-lab.md, by the names the chapter gives them."""

import functools

import torch

import gradlab

_START = gradlab.random_angles(gradlab.CHAIN_LINKS, seed=gradlab.CHAIN_SEED)


@functools.cache
def _run() -> gradlab.ChainRun:
    return gradlab.pull(gradlab.pull_right, _START)


def _one_step() -> torch.Tensor:
    angles = _START.clone().requires_grad_()
    gradlab.pull_right(angles).backward()
    with torch.no_grad():
        return angles - gradlab.CHAIN_LR * angles.grad


def _pulled(label: str, name: str, lr: float = gradlab.CHAIN_LR):
    loss = gradlab.loss_variant(name)
    return label, (loss, gradlab.pull(loss, _START, lr=lr))


def _schedules():
    strings = gradlab.fan_of_strings()
    runs = {
        s: gradlab.pull_by_strings(
            strings, _START, schedule=s, lr=gradlab.FAN_LR, steps=500
        )
        for s in gradlab.SCHEDULES
    }
    best = gradlab.fan_minimum(strings, gradlab.CHAIN_LINKS)
    return gradlab.plot_schedules(runs, minimum=best, strings=strings)


FIGURES = {
    "chain-start": lambda: gradlab.plot_chain(_START),
    "chain-one-step": lambda: gradlab.plot_chains(
        {"start": _START, "after one step": _one_step()}
    ),
    "chain-pull": lambda: gradlab.plot_pull_run(_run()),
    "chain-animation": lambda: gradlab.animate_chain(_run()),
    "chain-lr-sweep": lambda: gradlab.plot_lr_sweep(
        gradlab.lr_sweep((0.001, 0.01, 0.04, 0.05, 0.5), _START)
    ),
    "chain-diagonal": lambda: gradlab.plot_pulled(
        dict([_pulled("x and y equally", "diagonal")])
    ),
    "chain-weighted": lambda: gradlab.plot_pulled(
        dict(
            [
                _pulled("x × 10", "x-heavy"),
                _pulled("x × 10, lr / 10", "x-heavy", gradlab.CHAIN_LR / 10),
                _pulled("x × 0.1", "x-light"),
            ]
        )
    ),
    "chain-middle": lambda: gradlab.plot_pulled(
        dict([_pulled("end along x, middle along y", "middle")])
    ),
    "chain-stiff": lambda: gradlab.plot_pulled(
        dict([_pulled(f"two strings + {gradlab.chain.STIFFNESS:g} max|θ|", "stiff")])
    ),
    "chain-schedules": _schedules,
}
