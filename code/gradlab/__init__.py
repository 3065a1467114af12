"""gradlab: the executable companion of the book "Pull the Chain".

Gradients, computation graphs, autograd and MLP training, as small functions of
tensors that the chapters call and the tests check. Plotting lives in
`gradlab.plotting`; the command line in `gradlab.cli` (``python -m gradlab --help``).

``import gradlab`` is cheap: each name below is imported from its submodule the first
time it is used, so torch and matplotlib load only when something needs them.
"""

from gradlab import _lazy, plotting

#: The public names, by the submodule that defines them.
_EXPORTS = {
    "defaults": (
        "CHAIN_LINKS",
        "CHAIN_LR",
        "CHAIN_SEED",
        "CHAIN_STEPS",
        "LOSS_VARIANTS",
        "MLP_EPOCHS",
        "MLP_HIDDEN",
        "MLP_LR",
        "MLP_SEED",
        "MLP_TRAIN_SIZE",
        "PARABOLA_SEED",
    ),
    "chain": (
        "FAN_LR",
        "SCHEDULES",
        "ChainLoss",
        "ChainRun",
        "Pull",
        "end_point_jacobian",
        "fan_minimum",
        "fan_of_strings",
        "loss_variant",
        "lr_sweep",
        "positions",
        "pull",
        "pull_by_strings",
        "pull_right",
        "random_angles",
        "stability_limit",
    ),
    "curves": ("SINE_SEED", "WIGGLY_SEED", "noisy_sine", "wiggly", "wiggly_sample"),
    "datasets": (
        "Regression",
        "Series",
        "linear_data",
        "noisy_parabola",
        "quadratic_features",
        "rescale",
    ),
    "descent": ("DescentHistory", "LeastSquares", "gradient_descent"),
    "experiments": (
        "RAW_LR",
        "ParabolaComparison",
        "ParabolaSetup",
        "bowl_experiment",
        "parabola_comparison",
        "parabola_setup",
    ),
    "expressions": (
        "EPS_VALUES",
        "GRADCHECK_SEED",
        "CompositeParts",
        "ReluGraph",
        "TanhLogParts",
        "TanhRegression",
        "TanhWrongBackward",
        "composite",
        "composite_chain_rule",
        "composite_grad",
        "composite_node_grads",
        "composite_parts",
        "epsilon_sweep",
        "exp_loss",
        "exp_loss_grad",
        "neuron",
        "neuron_loss",
        "neuron_loss_grad",
        "relu_graph",
        "relu_graph_grad_w",
        "sigmoid_net",
        "sigmoid_net_grads",
        "square",
        "square_grad",
        "tanh_log",
        "tanh_log_grad",
        "tanh_log_parts",
        "tanh_regression",
    ),
    "functions": (
        "BOWL_CURVATURES",
        "GradientField",
        "bowl",
        "bowl_grad",
        "gradient_field",
        "sin_radial",
        "sin_radial_grad",
    ),
    "graphs": (
        "TracedNode",
        "ValueGradTrace",
        "autograd_dag",
        "trace_values_and_grads",
        "value_grad_dag",
    ),
    "mixture": (
        "TEST_SEED",
        "TRAIN_SEED",
        "GaussianMixture",
        "LabelledPoints",
        "default_mixture",
    ),
    "mlp": (
        "MLPParams",
        "WideNet",
        "autograd_gradients",
        "cross_entropy_by_hand",
        "gradient_check",
        "init_mlp",
        "mlp_backward",
        "mlp_loss",
        "mlp_predict",
        "mlp_probability",
        "mlp_scores",
        "naive_nll_loss",
        "nll_loss",
        "tanh_mlp",
        "wide_net",
    ),
    "training": (
        "MLPRun",
        "WidthResult",
        "error_rate",
        "fit_module",
        "hoeffding_test_size",
        "train_mlp",
        "width_experiment",
    ),
}
# The plotting functions, as `gradlab.plotting` lists them (minus its style helper).
_EXPORTS |= {
    f"plotting.{module}": names
    for module, names in plotting._EXPORTS.items()
    if module != "style"
}

__all__, _lookup, __dir__ = _lazy.attach(__name__, _EXPORTS)


def __getattr__(name: str) -> object:
    """A public name, a submodule or ``__version__``, loaded on first use."""
    if name != "__version__":
        return _lookup(name)
    from importlib import metadata  # on demand: importing it takes ~40 ms

    global __version__
    try:
        __version__ = metadata.version("gradlab")
    except metadata.PackageNotFoundError:  # a source tree that is not installed
        __version__ = "0+unknown"
    return __version__
