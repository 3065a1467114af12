"""``python -m gradlab mlp``: train the raw-tensor MLP classifier on the mixture."""

from __future__ import annotations

import argparse

from gradlab import defaults
from gradlab.cli import options

# Every run stays under a few minutes and a few GB on one core: an epoch touches
# every training point once per hidden unit.
#: Epochs of full-batch gradient descent.
MAX_EPOCHS = 100_000
#: Hidden units: each of the test points gets that many scores.
MAX_HIDDEN = 2_000
#: Training points (all of them are drawn in the figure).
MAX_TRAIN_SIZE = 1_000_000
#: Training points × hidden units: the size of one float32 array of training.
MAX_TRAIN_CELLS = 20_000_000
#: Epochs × training points × hidden units.
MAX_MLP_WORK = 3_000_000_000

TEST_SIZE = defaults.TEST_SIZE
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
    hidden = options.integer(1, MAX_HIDDEN, why)
    what = f"hidden units, at most {MAX_HIDDEN:,}"
    options.add(p, "--hidden", what, type=hidden, default=defaults.MLP_HIDDEN)
    epochs = options.integer(1, MAX_EPOCHS, "more would take minutes")
    what = f"epochs of full-batch gradient descent, at most {MAX_EPOCHS:,}"
    options.add(p, "--epochs", what, type=epochs, default=defaults.MLP_EPOCHS)
    options.add(
        p, "--lr", "learning rate", type=options.positive_float, default=defaults.MLP_LR
    )
    what = "seed of the initial parameters"
    options.add(p, "--seed", what, type=options.seed, default=defaults.MLP_SEED)
    size = options.integer(1, MAX_TRAIN_SIZE, "more take minutes to train and to draw")
    what = f"training points, at most {MAX_TRAIN_SIZE:,}"
    options.add(p, "--train-size", what, type=size, default=defaults.MLP_TRAIN_SIZE)
    options.add_output(p, "the decision boundary")


def check(args: argparse.Namespace) -> None:
    sizes = {"--train-size": args.train_size, "--hidden": args.hidden}
    why = "training keeps a few float32 arrays of that size"
    options.check_product(sizes, MAX_TRAIN_CELLS, why)
    why = "more takes minutes on one core"
    options.check_product({"--epochs": args.epochs, **sizes}, MAX_MLP_WORK, why)


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
    from gradlab.cli._output import Watch, count, save
    from gradlab.data import default_mixture
    from gradlab.experiments.mlp import trained_models, training_set, width_experiment
    from gradlab.plotting.mlp import plot_decision_boundaries

    train = training_set(args.train_size)
    settings = {"lr": args.lr, "epochs": args.epochs, "seed": args.seed}
    with Watch(args.epochs, "epoch", quiet=args.quiet) as watch:
        results = width_experiment(
            [args.hidden], train=train, **settings, callback=watch
        )
    result = results[args.hidden]
    print(
        f"{count(args.hidden, 'hidden unit')}, {count(args.epochs, 'epoch')} at lr "
        f"{args.lr:g}: loss {result.run.losses[0]:.4f} -> {result.run.final_loss:.4f}"
    )
    print(f"train error {result.train_error:.2%} on {count(len(train), 'point')}")
    print(f"test error  {result.test_error:.2%} on {TEST_SIZE:,} points")
    mixture = default_mixture()
    print(f"Bayes error {mixture.bayes_error():.2%}")
    if args.out is not None:
        models = trained_models(results)
        save(plot_decision_boundaries(models, train, mixture=mixture), args.out)
    return 0
