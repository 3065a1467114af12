"""gradlab: the executable companion of the book "Pull the Chain".

Gradients, computation graphs, autograd and MLP training, as small functions of
tensors that the chapters call and the tests check. Plotting lives in
`gradlab.plotting`; the command line in `gradlab.cli` (``python -m gradlab --help``).
"""

from importlib import metadata as _metadata

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
from gradlab.plotting import (
    plot_descent_paths,
    plot_gradient_field,
    plot_losses,
    plot_measured_vs_predicted,
    plot_parabola_convergence,
    plot_parabola_fits,
    plot_series_fit,
)

try:
    __version__ = _metadata.version("gradlab")
except (
    _metadata.PackageNotFoundError
):  # running from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = [
    "BOWL_CURVATURES",
    "PARABOLA_SEED",
    "RAW_LR",
    "DescentHistory",
    "GradientField",
    "LeastSquares",
    "ParabolaComparison",
    "ParabolaSetup",
    "Regression",
    "Series",
    "bowl",
    "bowl_experiment",
    "bowl_grad",
    "gradient_descent",
    "gradient_field",
    "linear_data",
    "noisy_parabola",
    "parabola_comparison",
    "parabola_setup",
    "plot_descent_paths",
    "plot_gradient_field",
    "plot_losses",
    "plot_measured_vs_predicted",
    "plot_parabola_convergence",
    "plot_parabola_fits",
    "plot_series_fit",
    "quadratic_features",
    "rescale",
    "sin_radial",
    "sin_radial_grad",
]
