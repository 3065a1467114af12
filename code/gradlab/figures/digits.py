"""Figures of book/digits.md: name -> (what the figure draws, how it is drawn)."""

from gradlab import classify
from gradlab.experiments import digits as lab
from gradlab.plotting.digits import (
    plot_confusion,
    plot_first_run,
    plot_lr_range,
    plot_mistakes,
    plot_regularisation,
    plot_schedules,
)


def _first():
    run = lab.first_network()
    return run.train_loss, run.val_correct, len(lab.data().val)


def _confusion():
    val = lab.data().val
    return classify.confusion_matrix(
        classify.predict(lab.first_network().model, val.x), val.y
    )


def _regularisation():
    reg = lab.regularisation()
    return reg.decays, reg.dropouts, reg.curve, len(lab.data().val)


def _range():
    test = lab.lr_range_test()
    return test.lrs, test.losses, lab.lr_sweep(), len(lab.data().val)


def _schedules():
    curves = {k: t.run.val_correct for k, t in lab.schedules().items()}
    return curves, lab.schedule_rates(), len(lab.data().val)


FIGURES = {
    "digits-first-run": (_first, lambda r: plot_first_run(*r)),
    "digits-confusion": (_confusion, plot_confusion),
    "digits-mistakes": (
        lambda: lab.mistakes(lab.first_network().model, lab.data().val),
        lambda r: plot_mistakes(*r),
    ),
    "digits-regularisation": (_regularisation, lambda r: plot_regularisation(*r)),
    "digits-lr-range": (_range, lambda r: plot_lr_range(*r)),
    "digits-schedules": (_schedules, lambda r: plot_schedules(*r)),
}
