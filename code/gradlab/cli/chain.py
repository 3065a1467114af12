"""``python -m gradlab chain``: pull a chain of links straight by gradient descent."""

from __future__ import annotations

import argparse
import os

from gradlab import defaults
from gradlab.cli import options
from gradlab.cli.options import MAX_STEPS

#: Links of the chain (each adds work to every step), and links × (steps + 1): the
#: angles of every step are kept.
MAX_LINKS, MAX_CHAIN_CELLS = 10_000, 20_000_000

HELP = "pull a chain of links straight (backprop and gradient descent)"
DESCRIPTION = (
    "Start a chain of links at random relative angles (normal times pi/4, seeded), "
    "pull it with strings by gradient descent on the angles, and print the loss "
    "before and after and whether the run converged. A run whose angles start to "
    "repeat exactly stops there and says so."
)
EPILOG = f"Limit: links × (steps + 1) <= {MAX_CHAIN_CELLS:,}, the angles kept."


def add_arguments(p: argparse.ArgumentParser) -> None:
    links = options.integer(1, MAX_LINKS, "every link adds work to every step")
    options.add(p, "--links", "links", type=links, default=defaults.CHAIN_LINKS)
    seed, lr = defaults.CHAIN_SEED, defaults.CHAIN_LR
    options.add(p, "--seed", "seed of the start", type=options.seed, default=seed)
    options.add(p, "--lr", "learning rate", type=options.positive_float, default=lr)
    steps = defaults.CHAIN_STEPS
    options.add(p, "--steps", "steps", type=options.steps, default=steps)
    what, losses = "which strings pull", defaults.LOSS_VARIANTS
    options.add(p, "--loss", what, choices=losses, default="right")
    options.add_output(p, "the run")
    what, gif = "save an animation of the run here (gif)", options.output_file("gif")
    p.add_argument("--animation", type=gif, metavar="FILE", help=what)


def work(args: argparse.Namespace) -> str:
    if args.loss in ("middle", "stiff") and args.links < 2:
        raise ValueError(f"the {args.loss!r} loss needs at least 2 links, got 1")
    out, animation = args.out, args.animation
    if out and animation and os.path.realpath(out) == os.path.realpath(animation):
        raise ValueError(
            f"--out and --animation both name {str(out)!r}: one would overwrite "
            "the other"
        )
    factors = {"--links": args.links, "(--steps + 1)": args.steps + 1}
    why = "the angles of every step are kept in memory"
    cells = options.check_product(factors, MAX_CHAIN_CELLS, why)
    return (
        f"chain: {args.steps:,} steps (at most {MAX_STEPS:,}) of {args.links:,} links "
        f"(at most {MAX_LINKS:,}); {cells:,} angles kept (at most "
        f"{MAX_CHAIN_CELLS:,}){options.outputs(args)}"
    )


def run(args: argparse.Namespace) -> int:
    from gradlab.chain import random_angles
    from gradlab.cli._output import Watch, count, save
    from gradlab.experiments.chain import pulled
    from gradlab.plotting.chain import animate_chain, plot_pulled

    start = random_angles(args.links, seed=args.seed)
    plan = [(args.loss, args.loss, args.lr)]  # (label, loss variant, learning rate)
    with Watch(args.steps, "step", quiet=args.quiet, stop_repeats=True) as watch:
        runs = pulled(plan, start, steps=args.steps, callback=watch)
    result = runs[args.loss][1]
    verdict = "converged" if result.converged else f"did not converge ({result.status})"
    print(
        f"{args.links} links, loss {args.loss!r}: {float(result.losses[0]):.4g} -> "
        f"{result.final_loss:.4g} after {count(result.steps, 'step')} at lr "
        f"{args.lr:g}: {verdict}"
    )
    if watch.stopped:
        print(
            f"stopped early: from step {result.steps:,} on the angles only repeat, "
            f"so the other {args.steps - result.steps:,} steps would end on this "
            "same chain"
        )
    if args.out is not None:
        save(plot_pulled(runs), args.out)
    if args.animation is not None:
        save(animate_chain(result), args.animation)
    return 0
