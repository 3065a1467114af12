"""``python -m gradlab descent``: gradient descent on the chapter's bowl or parabola."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from gradlab.cli._args import (
    MAX_SEED,
    MAX_STEPS,
    add_output,
    positive_float,
    seed,
    steps,
)
from gradlab.defaults import BOWL_LRS, BOWL_START, BOWL_STEPS, PARABOLA_SEED

if TYPE_CHECKING:
    from gradlab.descent import History
    from gradlab.experiments.descent import ParabolaSetup

PROBLEMS = ("bowl", "parabola", "parabola-rescaled")
#: The chapter's good learning rate on the bowl, and its number of steps.
LR, STEPS = BOWL_LRS[1], BOWL_STEPS


HELP = "run gradient descent on the bowl or the noisy parabola"
DESCRIPTION = (
    "Run plain gradient descent and print the final loss. The bowl is "
    "f(w) = (w1² + 10 w2²)/2 (stable for lr < 0.2); the parabola is the chapter's "
    "least-squares fit of a t² + b t + c, on raw or rescaled time steps. A run "
    "whose parameters start to repeat exactly stops there and says so: the rest "
    "would end on the same point."
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--problem", choices=PROBLEMS, default="bowl", help="what to fit")
    p.add_argument("--lr", type=positive_float, default=LR, help="learning rate")
    p.add_argument(
        "--steps", type=steps, default=STEPS, help=f"steps, at most {MAX_STEPS:,}"
    )
    p.add_argument(
        "--seed",
        type=seed,
        default=PARABOLA_SEED,
        help="seed of the parabola's noise and start",
    )
    add_output(p, "a figure of the run")


def check(args: argparse.Namespace) -> None:
    if args.problem != "bowl" and args.seed >= MAX_SEED:
        raise ValueError(
            f"--seed is at most {MAX_SEED - 1:,} for the parabola (its start is "
            "drawn with seed + 1)"
        )


def work(args: argparse.Namespace) -> str:
    out = f"; figure to {str(args.out)!r}" if args.out is not None else ""
    return (
        f"{args.problem}: {args.steps:,} steps of gradient descent at lr "
        f"{args.lr:g} (at most {MAX_STEPS:,}){out}"
    )


def run(args: argparse.Namespace) -> int:
    from gradlab.cli._output import progress
    from gradlab.cli._runs import descend
    from gradlab.functions import bowl

    if args.problem == "bowl":
        loss_fn, start = bowl, list(BOWL_START)
    else:
        setup = _parabola(args)
        loss_fn, start = setup.problem.loss, setup.start
    with progress(args.steps, "step", quiet=args.quiet) as on_step:
        history, repeated = descend(
            loss_fn, start, lr=args.lr, steps=args.steps, on_step=on_step
        )
    verdict = "diverged" if history.diverged else "did not diverge"
    print(
        f"{args.problem}: loss {history.losses[0]:.6g} -> {history.final_loss:.6g} "
        f"after {history.steps} step{'' if history.steps == 1 else 's'} at lr "
        f"{args.lr:g} ({verdict})"
    )
    if repeated:
        print(
            f"stopped early: from step {history.steps:,} on the parameters only "
            f"repeat, so the other {args.steps - history.steps:,} steps would end "
            "on this same point"
        )
    if args.out is not None:
        _save_figure(args, history)
        print(f"figure written to {args.out}")
    return 0


def _parabola(args: argparse.Namespace) -> ParabolaSetup:
    from gradlab.experiments.descent import parabola_setup

    return parabola_setup(seed=args.seed, rescaled=args.problem == "parabola-rescaled")


def _save_figure(args: argparse.Namespace, history: History) -> None:
    import matplotlib.pyplot as plt

    from gradlab.cli._output import save_figure
    from gradlab.plotting.descent import (
        plot_descent_paths,
        plot_losses,
        plot_series_fit,
    )
    from gradlab.plotting.style import new_figure, styled

    @styled
    def draw() -> None:
        fig, (left, right) = new_figure(2, figsize=(11, 4))
        try:
            if args.problem == "bowl":
                plot_descent_paths({args.lr: history}, ax=left)
            else:
                setup = _parabola(args)
                fit = setup.problem.features @ history.params[-1]
                plot_series_fit(
                    setup.series, {f"after {history.steps} steps": fit}, ax=left
                )
            plot_losses({args.lr: history}, ax=right)
        except BaseException:
            plt.close(fig)
            raise
        save_figure(fig, args.out)

    draw()
