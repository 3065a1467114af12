"""gradlab: the executable companion of the book "Pull the Chain".

Gradients, computation graphs, autograd and MLP training, as small functions of
tensors that the chapters call and the tests check. Plotting lives in
`gradlab.plotting`; the command line in `gradlab.cli` (``python -m gradlab --help``).
"""

from importlib import metadata as _metadata

from gradlab.curves import (
    SINE_SEED,
    WIGGLY_SEED,
    noisy_sine,
    wiggly,
    wiggly_sample,
)
from gradlab.datasets import (
    Regression,
    Series,
    linear_data,
    noisy_parabola,
    quadratic_features,
    rescale,
)
from gradlab.descent import DescentHistory, LeastSquares, gradient_descent
from gradlab.experiments import (
    PARABOLA_SEED,
    RAW_LR,
    ParabolaComparison,
    ParabolaSetup,
    bowl_experiment,
    parabola_comparison,
    parabola_setup,
)
from gradlab.functions import (
    BOWL_CURVATURES,
    GradientField,
    bowl,
    bowl_grad,
    gradient_field,
    sin_radial,
    sin_radial_grad,
)
from gradlab.mixture import (
    TEST_SEED,
    TRAIN_SEED,
    GaussianMixture,
    LabelledPoints,
    default_mixture,
)
from gradlab.mlp import (
    MLPParams,
    WideNet,
    autograd_gradients,
    cross_entropy_by_hand,
    gradient_check,
    init_mlp,
    mlp_backward,
    mlp_loss,
    mlp_predict,
    mlp_probability,
    mlp_scores,
    naive_nll_loss,
    nll_loss,
    tanh_mlp,
    wide_net,
)
from gradlab.plotting import (
    plot_decision_boundaries,
    plot_descent_paths,
    plot_gradient_field,
    plot_losses,
    plot_measured_vs_predicted,
    plot_mixture,
    plot_parabola_convergence,
    plot_parabola_fits,
    plot_regression_fit,
    plot_series_fit,
    plot_training_losses,
)
from gradlab.training import (
    MLP_EPOCHS,
    MLP_HIDDEN,
    MLP_LR,
    MLP_SEED,
    MLP_TRAIN_SIZE,
    MLPRun,
    WidthResult,
    error_rate,
    fit_module,
    hoeffding_test_size,
    train_mlp,
    width_experiment,
)

try:
    __version__ = _metadata.version("gradlab")
except (
    _metadata.PackageNotFoundError
):  # running from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = [
    "BOWL_CURVATURES",
    "MLP_EPOCHS",
    "MLP_HIDDEN",
    "MLP_LR",
    "MLP_SEED",
    "MLP_TRAIN_SIZE",
    "PARABOLA_SEED",
    "RAW_LR",
    "SINE_SEED",
    "TEST_SEED",
    "TRAIN_SEED",
    "WIGGLY_SEED",
    "DescentHistory",
    "GaussianMixture",
    "GradientField",
    "LabelledPoints",
    "LeastSquares",
    "MLPParams",
    "MLPRun",
    "ParabolaComparison",
    "ParabolaSetup",
    "Regression",
    "Series",
    "WideNet",
    "WidthResult",
    "autograd_gradients",
    "bowl",
    "bowl_experiment",
    "bowl_grad",
    "cross_entropy_by_hand",
    "default_mixture",
    "error_rate",
    "fit_module",
    "gradient_check",
    "gradient_descent",
    "gradient_field",
    "hoeffding_test_size",
    "init_mlp",
    "linear_data",
    "mlp_backward",
    "mlp_loss",
    "mlp_predict",
    "mlp_probability",
    "mlp_scores",
    "naive_nll_loss",
    "nll_loss",
    "noisy_parabola",
    "noisy_sine",
    "parabola_comparison",
    "parabola_setup",
    "plot_decision_boundaries",
    "plot_descent_paths",
    "plot_gradient_field",
    "plot_losses",
    "plot_measured_vs_predicted",
    "plot_mixture",
    "plot_parabola_convergence",
    "plot_parabola_fits",
    "plot_regression_fit",
    "plot_series_fit",
    "plot_training_losses",
    "quadratic_features",
    "rescale",
    "sin_radial",
    "sin_radial_grad",
    "tanh_mlp",
    "train_mlp",
    "wide_net",
    "width_experiment",
    "wiggly",
    "wiggly_sample",
]
