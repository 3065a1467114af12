"""``python -m gradlab descent``: gradient descent on the chapter's bowl or parabola."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from gradlab.cli._args import nonnegative_int, positive_float, writable_file
from gradlab.defaults import PARABOLA_SEED

if TYPE_CHECKING:
    from gradlab.descent import DescentHistory
    from gradlab.experiments import ParabolaSetup

PROBLEMS = ("bowl", "parabola", "parabola-rescaled")


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "descent",
        help="run gradient descent on the bowl or the noisy parabola",
        description="Run plain gradient descent and print the final loss. The bowl is "
        "f(w) = (w1² + 10 w2²)/2 (stable for lr < 0.2); the parabola is the chapter's "
        "least-squares fit of a t² + b t + c, on raw or rescaled time steps.",
    )
    p.add_argument("--problem", choices=PROBLEMS, default="bowl")
    p.add_argument(
        "--lr", type=positive_float, default=0.15, help="learning rate (0.15)"
    )
    p.add_argument("--steps", type=nonnegative_int, default=30, help="steps (30)")
    p.add_argument(
        "--seed",
        type=nonnegative_int,
        default=PARABOLA_SEED,
        help="seed of the parabola's noise and start",
    )
    p.add_argument("--out", type=writable_file, help="save a figure of the run here")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from gradlab.descent import gradient_descent
    from gradlab.functions import bowl

    if args.problem == "bowl":
        history = gradient_descent(bowl, [-4.0, 2.0], lr=args.lr, steps=args.steps)
    else:
        setup = _parabola(args)
        history = gradient_descent(
            setup.problem.loss, setup.start, lr=args.lr, steps=args.steps
        )
    verdict = "diverged" if history.diverged else "did not diverge"
    print(
        f"{args.problem}: loss {history.losses[0]:.6g} -> {history.final_loss:.6g} "
        f"after {history.steps} steps at lr {args.lr:g} ({verdict})"
    )
    if args.out is not None:
        _save_figure(args, history)
        print(f"figure written to {args.out}")
    return 0


def _parabola(args: argparse.Namespace) -> ParabolaSetup:
    from gradlab.experiments import parabola_setup

    return parabola_setup(seed=args.seed, rescaled=args.problem == "parabola-rescaled")


def _save_figure(args: argparse.Namespace, history: DescentHistory) -> None:
    import matplotlib.pyplot as plt

    from gradlab.plotting import plot_descent_paths, plot_losses, plot_series_fit
    from gradlab.plotting.style import new_figure, styled

    @styled
    def draw() -> None:
        fig, (left, right) = new_figure(2, figsize=(11, 4))
        if args.problem == "bowl":
            plot_descent_paths({args.lr: history}, ax=left)
        else:
            setup = _parabola(args)
            fit = setup.problem.features @ history.params[-1]
            plot_series_fit(
                setup.series, {f"after {history.steps} steps": fit}, ax=left
            )
        plot_losses({args.lr: history}, ax=right)
        fig.savefig(args.out)
        plt.close(fig)

    draw()
