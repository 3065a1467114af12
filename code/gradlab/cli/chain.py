"""``python -m gradlab chain``: pull a chain of links straight by gradient descent."""

from __future__ import annotations

import argparse

from gradlab.cli._args import (
    ANIMATION_FORMATS,
    MAX_CHAIN_CELLS,
    MAX_LINKS,
    MAX_STEPS,
    add_count,
    add_output,
    check_product,
    positive_float,
    same_file,
    seed,
    steps,
)
from gradlab.defaults import (
    CHAIN_LINKS,
    CHAIN_LR,
    CHAIN_SEED,
    CHAIN_STEPS,
    LOSS_VARIANTS,
)

#: Loss variants that pull the middle joint too, so need at least 2 links.
TWO_STRINGS = ("middle", "stiff")


HELP = "pull a chain of links straight (backprop and gradient descent)"
DESCRIPTION = (
    "Start a chain of links at random relative angles (normal times pi/4, seeded), "
    "pull it with strings by gradient descent on the angles, and print the loss "
    "before and after and whether the run converged. A run whose angles start to "
    "repeat exactly stops there and says so."
)
EPILOG = (
    f"Limit: --links × (--steps + 1) <= {MAX_CHAIN_CELLS:,}, the angles kept in "
    "memory. --dry-run shows the size of a run."
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    why = "every link adds work to every step"
    add_count(
        p, "--links", "links of the chain", default=CHAIN_LINKS, most=MAX_LINKS, why=why
    )
    p.add_argument("--seed", type=seed, default=CHAIN_SEED, help="seed of the start")
    p.add_argument("--lr", type=positive_float, default=CHAIN_LR, help="learning rate")
    p.add_argument(
        "--steps", type=steps, default=CHAIN_STEPS, help=f"steps, at most {MAX_STEPS:,}"
    )
    p.add_argument(
        "--loss", choices=LOSS_VARIANTS, default="right", help="which strings pull"
    )
    add_output(p, "a figure")
    add_output(p, "an animation", flag="--animation", formats=ANIMATION_FORMATS)


def check(args: argparse.Namespace) -> None:
    if args.loss in TWO_STRINGS and args.links < 2:
        raise ValueError(f"the {args.loss!r} loss needs at least 2 links, got 1")
    check_product(
        {"--links": args.links, "(--steps + 1)": args.steps + 1},
        MAX_CHAIN_CELLS,
        "the angles of every step are kept in memory",
    )
    if args.out is not None and args.animation is not None:
        if same_file(args.out, args.animation):
            raise ValueError(
                f"--out and --animation both name {str(args.out)!r}: one would "
                "overwrite the other"
            )


def work(args: argparse.Namespace) -> str:
    outputs = [f"figure to {str(args.out)!r}"] if args.out is not None else []
    if args.animation is not None:
        outputs.append(f"animation to {str(args.animation)!r}")
    cells = args.links * (args.steps + 1)
    return (
        f"chain: {args.steps:,} steps (at most {MAX_STEPS:,}) of {args.links:,} links "
        f"(at most {MAX_LINKS:,}); {cells:,} angles kept (at most "
        f"{MAX_CHAIN_CELLS:,})" + "".join(f"; {o}" for o in outputs)
    )


def run(args: argparse.Namespace) -> int:
    from gradlab.chain import loss_variant, random_angles
    from gradlab.cli._output import count, progress
    from gradlab.cli._runs import descend

    loss = loss_variant(args.loss, args.links)
    start = random_angles(args.links, seed=args.seed)
    with progress(args.steps, "step", quiet=args.quiet) as on_step:
        result, repeated = descend(
            loss, start, lr=args.lr, steps=args.steps, on_step=on_step
        )
    verdict = "converged" if result.converged else f"did not converge ({result.status})"
    print(
        f"{args.links} links, loss {args.loss!r}: {float(result.losses[0]):.4g} -> "
        f"{result.final_loss:.4g} after {count(result.steps, 'step')} at lr "
        f"{args.lr:g}: {verdict}"
    )
    if repeated:
        print(
            f"stopped early: from step {result.steps:,} on the angles only repeat, "
            f"so the other {args.steps - result.steps:,} steps would end on this "
            "same chain"
        )
    if args.out is not None or args.animation is not None:
        _save(args, loss, result)
    return 0


def _save(args: argparse.Namespace, loss, result) -> None:
    from matplotlib.animation import PillowWriter

    from gradlab.cli._output import atomic_path, save_figure
    from gradlab.plotting.chain import animate_chain, plot_pulled

    if args.out is not None:
        save_figure(plot_pulled({args.loss: (loss, result)}), args.out)
        print(f"figure written to {args.out}")
    if args.animation is not None:
        animation = animate_chain(result)
        with atomic_path(args.animation) as temp:
            animation.save(temp, writer=PillowWriter(fps=8))
        print(f"animation written to {args.animation}")
