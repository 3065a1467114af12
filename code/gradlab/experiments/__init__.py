"""The book's experiments: each is one function whose arguments default to the
settings a chapter uses and which returns the result the chapter shows.

The chapter's cell, the figure registry (`gradlab.figures`) and the command line
call the same function, so the three cannot drift apart; a test compares each
registered figure's data with the values the built chapter recorded.
"""

from gradlab import _lazy

#: The experiments, by the module (named after the chapter's subject) defining them.
_EXPORTS = {
    "chain": ("SWEEP_LRS", "lr_sweep"),
    "descent": (
        "RAW_LR",
        "RAW_MEASURED_STEPS",
        "RESCALED_STEPS",
        "ParabolaComparison",
        "ParabolaSetup",
        "bowl_experiment",
        "parabola_comparison",
        "parabola_setup",
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
    "generalization": (
        "DRAW_SEED",
        "KEEP_EPOCHS",
        "GapDraws",
        "boundary_models",
        "draw_sets",
        "gap_experiment",
        "overfitting_run",
        "splits",
        "stopped_run",
    ),
    "gradcheck": ("EPS_VALUES", "GRADCHECK_SEED", "epsilon_sweep"),
    "mlp": (
        "SINE_EPOCHS",
        "WIDTHS",
        "WIGGLY_EPOCHS",
        "CurveFit",
        "sine_fit",
        "wiggly_fit",
        "WidthResult",
        "lab_run",
        "test_set",
        "training_set",
        "width_experiment",
    ),
    "optimizers": (
        "BATCH_SIZES",
        "BATCH_STEPS",
        "COMPARED",
        "DEEP_EPOCHS",
        "DEEP_WIDTHS",
        "DROP",
        "FAST_LR",
        "KINDS",
        "LRS",
        "MOMENTUM",
        "TARGET_LOSS",
        "InitComparison",
        "OptimizerSweep",
        "batch_size_experiment",
        "classifiers",
        "epoch_seconds",
        "init_experiment",
        "optimizer_sweep",
        "schedule_experiment",
        "seeds",
    ),
}

__all__, __getattr__, __dir__ = _lazy.attach(__name__, _EXPORTS)
