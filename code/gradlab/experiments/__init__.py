"""The book's experiments: each is one function whose arguments default to the
settings a chapter uses and which returns the result the chapter shows.

The chapter's cell, the figure registry (`gradlab.figures`) and the command line
call the same function, so the three cannot drift apart; a test compares each
registered figure's data with the values the built chapter recorded.
"""

from gradlab import _lazy

#: The experiments, by the module (named after the chapter's subject) defining them.
_EXPORTS = {
    "chain": (
        "DECAYING",
        "FAN_DECAY",
        "FAN_EPOCHS",
        "FAN_SEEDS",
        "FAN_TAIL",
        "MIDDLE",
        "STIFF",
        "SWEEP_LRS",
        "WEIGHTED",
        "Conditioning",
        "ScheduleComparison",
        "book_start",
        "conditioning",
        "lr_sweep",
        "one_step",
        "pulled",
        "schedule_comparison",
    ),
    "descent": (
        "LECTURE_STEPS",
        "RAW_LR",
        "RAW_MEASURED_STEPS",
        "RESCALED_STEPS",
        "SLACK",
        "ParabolaComparison",
        "ParabolaSetup",
        "bowl_experiment",
        "parabola_comparison",
        "parabola_setup",
        "rescaling_speedups",
    ),
    "engine": (
        "COST_SIZES",
        "TOY_INPUTS",
        "TOY_LR",
        "TOY_SEED",
        "TOY_SIZES",
        "TOY_STEPS",
        "TOY_TARGETS",
        "BackwardCost",
        "TwinRun",
        "as_values",
        "backward_cost",
        "composite_values",
        "init_layers",
        "squared_error",
        "torch_mlp",
        "train_torch",
        "train_twins",
        "train_values",
        "value_mlp",
    ),
    "gradcheck": ("EPS_VALUES", "GRADCHECK_SEED", "epsilon_sweep"),
    "mlp": (
        "DRAWS",
        "LONG_EPOCHS",
        "SINE_EPOCHS",
        "SINE_HIDDEN",
        "WIGGLY_LR",
        "WIGGLY_WIDTHS",
        "WIDTHS",
        "WIGGLY_EPOCHS",
        "CurveFit",
        "sine_fit",
        "wiggly_fit",
        "WidthResult",
        "bayes_training_errors",
        "fit_reach",
        "loss_curve",
        "trained_models",
        "training_data",
        "lab_run",
        "test_set",
        "training_set",
        "width_experiment",
    ),
}

__all__, __getattr__, __dir__ = _lazy.attach(__name__, _EXPORTS)
