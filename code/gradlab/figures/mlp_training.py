"""Figures of book/mlp-training.md, by the names the chapter gives them."""

import math

import torch
from torch import nn

import gradlab

WIDTHS = (5, 10, 100, 500)
SINE_EPOCHS, WIGGLY_EPOCHS = 1847, 6000


def _train():
    return gradlab.default_mixture().sample(
        gradlab.MLP_TRAIN_SIZE, seed=gradlab.TRAIN_SEED
    )


def _five_units() -> gradlab.MLPRun:
    return gradlab.train_mlp(
        gradlab.init_mlp(gradlab.MLP_HIDDEN, seed=gradlab.MLP_SEED),
        _train(),
        lr=gradlab.MLP_LR,
        epochs=gradlab.MLP_EPOCHS,
    )


def _boundaries():
    mixture, train = gradlab.default_mixture(), _train()
    test = mixture.sample(100, seed=gradlab.TEST_SEED)  # the errors are not drawn
    results = gradlab.width_experiment(
        WIDTHS,
        train=train,
        test=test,
        lr=gradlab.MLP_LR,
        epochs=gradlab.MLP_EPOCHS,
        seed=gradlab.MLP_SEED,
    )
    models = {f"{h} hidden units": r.run.params for h, r in results.items()}
    return gradlab.plot_decision_boundaries(models, train, mixture=mixture)


def _sine_fit():
    data = gradlab.noisy_sine(seed=gradlab.SINE_SEED)
    net = gradlab.wide_net(512, seed=gradlab.SINE_SEED)
    sgd = torch.optim.SGD(net.parameters(), lr=0.003, momentum=0.9)
    x, y = data.t[:, None], data.y[:, None]
    losses = gradlab.fit_module(
        net, x, y, loss_fn=nn.MSELoss(), optimizer=sgd, epochs=SINE_EPOCHS
    )
    grid = torch.linspace(-1, 1, 200)
    return gradlab.plot_regression_fit(
        data,
        grid,
        net(grid[:, None]).squeeze(1),
        truth=torch.sin(math.pi * grid),
        losses=losses,
    )


def _wiggly_fit():
    data = gradlab.wiggly_sample(seed=gradlab.WIGGLY_SEED)
    net = gradlab.tanh_mlp((32, 32), seed=gradlab.WIGGLY_SEED)
    sgd = torch.optim.SGD(net.parameters(), lr=0.05)
    x, y = data.t[:, None], data.y[:, None]
    losses = gradlab.fit_module(
        net, x, y, loss_fn=nn.MSELoss(), optimizer=sgd, epochs=WIGGLY_EPOCHS
    )
    grid = torch.linspace(0, 1, 300)
    return gradlab.plot_regression_fit(
        data,
        grid,
        net(grid[:, None]).squeeze(1),
        truth=gradlab.wiggly(grid),
        losses=losses,
    )


FIGURES = {
    "mlp-mixture": lambda: gradlab.plot_mixture(gradlab.default_mixture(), _train()),
    "mlp-training-loss": lambda: gradlab.plot_training_losses(
        {"5 hidden units": _five_units().losses}
    ),
    "mlp-boundaries": _boundaries,
    "mlp-sine-fit": _sine_fit,
    "mlp-wiggly-fit": _wiggly_fit,
}
