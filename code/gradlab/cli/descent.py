"""``python -m gradlab descent``: gradient descent on the chapter's bowl or parabola."""

from __future__ import annotations

import argparse

from gradlab import defaults
from gradlab.cli import options
from gradlab.cli.options import MAX_SEED, MAX_STEPS

HELP = "run gradient descent on the bowl or the noisy parabola"
DESCRIPTION = (
    "Run plain gradient descent and print the final loss. The bowl is "
    "f(w) = (w1² + 10 w2²)/2 (stable for lr < 0.2); the parabola is the chapter's "
    "least-squares fit of a t² + b t + c, on raw or rescaled time steps. A run "
    "whose parameters start to repeat exactly stops there and says so: the rest "
    "would end on the same point."
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    problems = ("bowl", "parabola", "parabola-rescaled")
    options.add(p, "--problem", "what to fit", choices=problems, default="bowl")
    lr, steps = defaults.BOWL_LRS[1], defaults.BOWL_STEPS  # the chapter's good run
    options.add(p, "--lr", "learning rate", type=options.positive_float, default=lr)
    options.add(p, "--steps", "steps", type=options.steps, default=steps)
    seeds = options.integer(0, MAX_SEED - 1, "its start is drawn with seed + 1")
    what, seed = "seed of the parabola's noise and start", defaults.PARABOLA_SEED
    options.add(p, "--seed", what, type=seeds, default=seed)
    options.add_output(p, "the run")


def work(args: argparse.Namespace) -> str:
    return (
        f"{args.problem}: {args.steps:,} steps of gradient descent at lr "
        f"{args.lr:g} (at most {MAX_STEPS:,}){options.outputs(args)}"
    )


def run(args: argparse.Namespace) -> int:
    from gradlab.cli._output import Watch, count, save
    from gradlab.descent import gradient_descent
    from gradlab.experiments.descent import bowl_experiment, parabola_setup

    lr, steps, setup = args.lr, args.steps, None
    with Watch(steps, "step", quiet=args.quiet, stop_repeats=True) as watch:
        if args.problem == "bowl":
            (history,) = bowl_experiment([lr], steps=steps, callback=watch).values()
        else:  # the chapter's least-squares problem, fitted by the library's loop
            rescaled = args.problem == "parabola-rescaled"
            setup = parabola_setup(seed=args.seed, rescaled=rescaled)
            loss, start = setup.problem.loss, setup.start
            history = gradient_descent(loss, start, lr=lr, steps=steps, callback=watch)
    verdict = "diverged" if history.diverged else "did not diverge"
    print(
        f"{args.problem}: loss {history.losses[0]:.6g} -> {history.final_loss:.6g} "
        f"after {count(history.steps, 'step')} at lr {lr:g} ({verdict})"
    )
    if watch.stopped:
        print(
            f"stopped early: from step {history.steps:,} on the parameters only "
            f"repeat, so the other {steps - history.steps:,} steps would end on this "
            "same point"
        )
    if args.out is not None:
        save(_draw({lr: history}, setup), args.out)
    return 0


def _draw(runs: dict, setup):
    """The path over the bowl's contours (or the fitted parabola), and the loss."""
    import gradlab.plotting.descent as plots
    from gradlab.plotting.style import new_figure, styled

    @styled
    def draw():
        fig, (left, right) = new_figure(2, figsize=(11, 4))
        if setup is None:
            plots.plot_descent_paths(runs, ax=left)
        else:
            (run,) = runs.values()
            fit = {f"after {run.steps} steps": setup.problem.features @ run.params[-1]}
            plots.plot_series_fit(setup.series, fit, ax=left)
        plots.plot_losses(runs, ax=right)
        return fig

    return draw()
