"""``python -m gradlab chain``: pull a chain of links straight by gradient descent."""

from __future__ import annotations

import argparse

from gradlab.cli._args import (
    nonnegative_int,
    positive_float,
    positive_int,
    writable_file,
)
from gradlab.defaults import (
    CHAIN_LINKS,
    CHAIN_LR,
    CHAIN_SEED,
    CHAIN_STEPS,
    LOSS_VARIANTS,
)


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "chain",
        help="pull a chain of links straight (backprop and gradient descent)",
        description="Start a chain of links at random relative angles (normal times "
        "pi/4, seeded), pull it with strings by gradient descent on the angles, and "
        "print the loss before and after and whether the run converged.",
    )
    p.add_argument("--links", type=positive_int, default=CHAIN_LINKS, help="(10)")
    p.add_argument("--seed", type=nonnegative_int, default=CHAIN_SEED, help="(0)")
    p.add_argument("--lr", type=positive_float, default=CHAIN_LR, help="(0.01)")
    p.add_argument("--steps", type=nonnegative_int, default=CHAIN_STEPS, help="(500)")
    p.add_argument("--loss", choices=LOSS_VARIANTS, default="right", help="(right)")
    p.add_argument("--out", type=writable_file, help="save a figure (PNG) here")
    p.add_argument("--animation", type=writable_file, help="save a GIF here")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from gradlab.chain import loss_variant, pull, random_angles

    loss = loss_variant(args.loss, args.links)
    result = pull(
        loss, random_angles(args.links, seed=args.seed), lr=args.lr, steps=args.steps
    )
    verdict = "converged" if result.converged else f"did not converge ({result.status})"
    print(
        f"{args.links} links, loss {args.loss!r}: {float(result.losses[0]):.4g} -> "
        f"{result.final_loss:.4g} after {result.steps} steps at lr {args.lr:g}: "
        f"{verdict}"
    )
    if args.out is not None or args.animation is not None:
        _save(args, loss, result)
    return 0


def _save(args: argparse.Namespace, loss, result) -> None:
    import matplotlib.pyplot as plt
    from matplotlib.animation import PillowWriter

    from gradlab.plotting.chain import animate_chain, plot_pulled

    if args.out is not None:
        fig = plot_pulled({args.loss: (loss, result)})
        fig.savefig(args.out)
        plt.close(fig)
        print(f"figure written to {args.out}")
    if args.animation is not None:
        animate_chain(result).save(args.animation, writer=PillowWriter(fps=8))
        print(f"animation written to {args.animation}")
