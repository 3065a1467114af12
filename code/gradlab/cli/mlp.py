"""``python -m gradlab mlp``: train the raw-tensor MLP classifier on the mixture."""

from __future__ import annotations

import argparse

from gradlab.cli._args import (
    MAX_EPOCHS,
    MAX_HIDDEN,
    MAX_MLP_WORK,
    MAX_TRAIN_CELLS,
    MAX_TRAIN_SIZE,
    add_count,
    add_output,
    check_product,
    positive_float,
    seed,
)
from gradlab.defaults import (
    MLP_EPOCHS,
    MLP_HIDDEN,
    MLP_LR,
    MLP_SEED,
    MLP_TRAIN_SIZE,
    TEST_SIZE,
)

HELP = "train the from-scratch MLP classifier on the Gaussian mixture"
DESCRIPTION = (
    "Train p(y=1|x) = S(W2 max(W1 x + b1, 0) + b2) by full-batch gradient descent "
    "on the book's two-class Gaussian mixture, then print the training error, the "
    f"error on {TEST_SIZE:,} fresh test points and the Bayes error."
)
EPILOG = (
    f"Limits: --train-size × --hidden <= {MAX_TRAIN_CELLS:,} (memory); "
    f"--epochs × --train-size × --hidden <= {MAX_MLP_WORK:,} (a minute or two). "
    "--dry-run shows the size of a run."
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    why = f"the {TEST_SIZE:,} test points need that many scores each"
    add_count(
        p, "--hidden", "hidden units", default=MLP_HIDDEN, most=MAX_HIDDEN, why=why
    )
    what, why = "epochs of full-batch gradient descent", "more would take minutes"
    add_count(p, "--epochs", what, default=MLP_EPOCHS, most=MAX_EPOCHS, why=why)
    p.add_argument("--lr", type=positive_float, default=MLP_LR, help="learning rate")
    p.add_argument(
        "--seed", type=seed, default=MLP_SEED, help="seed of the initial parameters"
    )
    why = "more take minutes to train and to draw"
    add_count(
        p,
        "--train-size",
        "training points",
        default=MLP_TRAIN_SIZE,
        most=MAX_TRAIN_SIZE,
        why=why,
    )
    add_output(p, "a figure of the decision boundary")


def check(args: argparse.Namespace) -> None:
    sizes = {"--train-size": args.train_size, "--hidden": args.hidden}
    check_product(
        sizes, MAX_TRAIN_CELLS, "training keeps a few float32 arrays of that size"
    )
    check_product(
        {"--epochs": args.epochs, **sizes},
        MAX_MLP_WORK,
        "each costs 20-35 ns on one core: more takes minutes",
    )


def work(args: argparse.Namespace) -> str:
    cells = args.train_size * args.hidden
    out = f"; figure to {str(args.out)!r}" if args.out is not None else ""
    return (
        f"mlp: {args.epochs:,} epochs (at most {MAX_EPOCHS:,}) on {args.train_size:,} "
        f"points × {args.hidden:,} hidden units = {cells:,} (at most "
        f"{MAX_TRAIN_CELLS:,}); work {args.epochs * cells:,} (at most "
        f"{MAX_MLP_WORK:,}){out}"
    )


def run(args: argparse.Namespace) -> int:
    from gradlab.cli._output import count, progress
    from gradlab.cli._runs import train
    from gradlab.data import TEST_SEED, TRAIN_SEED, default_mixture
    from gradlab.mlp import init_mlp, mlp_predict
    from gradlab.training import error_rate

    mixture = default_mixture()
    train_set = mixture.sample(args.train_size, seed=TRAIN_SEED)
    test = mixture.sample(TEST_SIZE, seed=TEST_SEED)
    with progress(args.epochs, "epoch", quiet=args.quiet) as on_step:
        result = train(
            init_mlp(args.hidden, seed=args.seed),
            train_set,
            lr=args.lr,
            epochs=args.epochs,
            on_step=on_step,
        )
    train_error = error_rate(mlp_predict(result.trained, train_set.x), train_set.y)
    test_error = error_rate(mlp_predict(result.trained, test.x), test.y)
    print(
        f"{count(args.hidden, 'hidden unit')}, {count(args.epochs, 'epoch')} at lr "
        f"{args.lr:g}: "
        f"loss {result.losses[0]:.4f} -> {result.final_loss:.4f}"
    )
    print(f"train error {train_error:.2%} on {count(len(train_set), 'point')}")
    print(f"test error  {test_error:.2%} on {len(test):,} points")
    print(f"Bayes error {mixture.bayes_error():.2%}")
    if args.out is not None:
        from gradlab.cli._output import save_figure
        from gradlab.plotting.mlp import plot_decision_boundaries

        models = {f"{args.hidden} hidden units": result.trained}
        save_figure(
            plot_decision_boundaries(models, train_set, mixture=mixture), args.out
        )
        print(f"figure written to {args.out}")
    return 0
