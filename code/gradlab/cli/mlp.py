"""``python -m gradlab mlp``: train the raw-tensor MLP classifier on the mixture."""

from __future__ import annotations

import argparse

from gradlab.cli._args import (
    nonnegative_int,
    positive_float,
    positive_int,
    writable_file,
)
from gradlab.defaults import (
    MLP_EPOCHS,
    MLP_HIDDEN,
    MLP_LR,
    MLP_SEED,
    MLP_TRAIN_SIZE,
    TEST_SIZE,
)


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "mlp",
        help="train the from-scratch MLP classifier on the Gaussian mixture",
        description="Train p(y=1|x) = S(W2 max(W1 x + b1, 0) + b2) by full-batch "
        "gradient descent on the book's two-class Gaussian mixture, then print the "
        f"training error, the error on {TEST_SIZE:,} fresh test points and the Bayes "
        "error.",
    )
    p.add_argument(
        "--hidden",
        type=positive_int,
        default=MLP_HIDDEN,
        help=f"hidden units ({MLP_HIDDEN})",
    )
    p.add_argument(
        "--epochs", type=positive_int, default=MLP_EPOCHS, help=f"({MLP_EPOCHS})"
    )
    p.add_argument(
        "--lr", type=positive_float, default=MLP_LR, help=f"learning rate ({MLP_LR})"
    )
    p.add_argument(
        "--seed",
        type=nonnegative_int,
        default=MLP_SEED,
        help=f"seed of the initial parameters ({MLP_SEED})",
    )
    p.add_argument(
        "--train-size",
        type=positive_int,
        default=MLP_TRAIN_SIZE,
        help=f"training points ({MLP_TRAIN_SIZE})",
    )
    p.add_argument(
        "--out", type=writable_file, help="save a figure of the decision boundary here"
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from gradlab.mixture import TEST_SEED, TRAIN_SEED, default_mixture
    from gradlab.mlp import init_mlp, mlp_predict
    from gradlab.training import error_rate, train_mlp

    mixture = default_mixture()
    train = mixture.sample(args.train_size, seed=TRAIN_SEED)
    test = mixture.sample(TEST_SIZE, seed=TEST_SEED)
    result = train_mlp(
        init_mlp(args.hidden, seed=args.seed), train, lr=args.lr, epochs=args.epochs
    )
    train_error = error_rate(mlp_predict(result.params, train.x), train.y)
    test_error = error_rate(mlp_predict(result.params, test.x), test.y)
    print(
        f"{args.hidden} hidden units, {args.epochs} epochs at lr {args.lr:g}: "
        f"loss {result.losses[0]:.4f} -> {result.final_loss:.4f}"
    )
    print(f"train error {train_error:.2%} on {len(train)} points")
    print(f"test error  {test_error:.2%} on {len(test):,} points")
    print(f"Bayes error {mixture.bayes_error():.2%}")
    if args.out is not None:
        import matplotlib.pyplot as plt

        from gradlab.plotting import plot_decision_boundaries

        fig = plot_decision_boundaries(
            {f"{args.hidden} hidden units": result.params}, train, mixture=mixture
        )
        fig.savefig(args.out)
        plt.close(fig)
        print(f"figure written to {args.out}")
    return 0
