"""Checks of the code exercises of "Validation, overfitting and early stopping"."""

from __future__ import annotations

import math

import torch

from gradlab.exercises import close, exercise


def stopping_point(val_loss, patience):
    """The reference: (kept epoch, stopping epoch) of early stopping on a recorded
    validation curve, the rule of `gradlab.generalization.early_stopping`."""
    best = 0
    for epoch in range(1, len(val_loss)):
        if val_loss[epoch] < val_loss[best]:
            best = epoch
        elif epoch - best >= patience:
            return best, epoch
    return best, len(val_loss) - 1


@exercise("ex-generalization-patience")
def patience(answer):
    """answer(val_loss, patience) -> (kept epoch, stopping epoch)."""
    gen = torch.Generator().manual_seed(6)
    bumpy = torch.linspace(1, 0, 60) ** 2 + 0.05 * torch.rand(60, generator=gen)
    curves = {
        "a curve with a minimum in the middle": (torch.arange(50.0) - 20) ** 2,
        "a curve that falls to the end": -torch.arange(30.0),
        "a bumpy curve": bumpy,
    }
    for name, curve in curves.items():
        for p in (1, 5, 100):
            got = answer(curve, p)
            yield close(f"{name}, patience {p}", got, stopping_point(curve, p))
            if got is None or got is Ellipsis:
                return


@exercise("ex-generalization-paired-standard-error")
def paired_standard_error(answer):
    """answer(wrong_a, wrong_b) -> (difference, standard error): how much more often
    b errs than a, and the standard error of that from the per-point differences."""
    gen = torch.Generator().manual_seed(7)
    a = (torch.rand(5_000, generator=gen) < 0.11).double()
    b = torch.where(torch.rand(5_000, generator=gen) < 0.05, 1 - a, a)
    d = b - a
    want = (float(d.mean()), float(d.std() / math.sqrt(len(d))))
    yield close("difference and standard error on 5,000 points", answer(a, b), want)
    yield close("the same classifier twice", answer(a, a), (0.0, 0.0))
