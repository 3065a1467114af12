"""``python -m gradlab mlp``: train the raw-tensor MLP classifier on the mixture."""

from __future__ import annotations

import argparse

from gradlab import defaults
from gradlab.cli import options

# Limits that keep a run under a few minutes and a few GB on one core: epochs,
# hidden units (each test point gets that many scores), training points (all drawn
# in the figure), training points × hidden units (the size of one float32 array of
# training), and epochs × training points × hidden units.
MAX_EPOCHS, MAX_HIDDEN, MAX_TRAIN_SIZE = 100_000, 2_000, 1_000_000
MAX_TRAIN_CELLS, MAX_MLP_WORK = 20_000_000, 3_000_000_000

TEST_SIZE = defaults.TEST_SIZE
HELP = "train the from-scratch MLP classifier on the Gaussian mixture"
DESCRIPTION = (
    "Train p(y=1|x) = S(W2 max(W1 x + b1, 0) + b2) by full-batch gradient descent "
    "on the book's two-class Gaussian mixture, then print the training error, the "
    f"error on {TEST_SIZE:,} fresh test points and the Bayes error."
)
EPILOG = (
    f"Limits: training points × hidden units <= {MAX_TRAIN_CELLS:,} (memory); "
    f"epochs × training points × hidden units <= {MAX_MLP_WORK:,} (a few minutes)."
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    why = f"the {TEST_SIZE:,} test points need that many scores each"
    hidden = options.integer(1, MAX_HIDDEN, why)
    options.add(p, "--hidden", "hidden units", type=hidden, default=defaults.MLP_HIDDEN)
    epochs = options.integer(1, MAX_EPOCHS, "more would take minutes")
    what = "epochs of full-batch gradient descent"
    options.add(p, "--epochs", what, type=epochs, default=defaults.MLP_EPOCHS)
    lr, seed = defaults.MLP_LR, defaults.MLP_SEED
    options.add(p, "--lr", "learning rate", type=options.positive_float, default=lr)
    what = "seed of the initial parameters"
    options.add(p, "--seed", what, type=options.seed, default=seed)
    size = options.integer(1, MAX_TRAIN_SIZE, "more take minutes to train and to draw")
    what, n = "training points", defaults.MLP_TRAIN_SIZE
    options.add(p, "--train-size", what, type=size, default=n)
    options.add_output(p, "the decision boundary")


def work(args: argparse.Namespace) -> str:
    sizes = {"--train-size": args.train_size, "--hidden": args.hidden}
    why = "training keeps a few float32 arrays of that size"
    cells = options.check_product(sizes, MAX_TRAIN_CELLS, why)
    why = "more takes minutes on one core"
    work = options.check_product({"--epochs": args.epochs, **sizes}, MAX_MLP_WORK, why)
    return (
        f"mlp: {args.epochs:,} epochs (at most {MAX_EPOCHS:,}) on {args.train_size:,} "
        f"points × {args.hidden:,} hidden units = {cells:,} (at most "
        f"{MAX_TRAIN_CELLS:,}); work {work:,} (at most {MAX_MLP_WORK:,})"
        + options.outputs(args)
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
