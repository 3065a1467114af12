"""Figures of book/gradients.md: name -> (what the figure draws, how it is drawn)."""

import functools

from gradlab import functions
from gradlab.experiments.descent import (
    bowl_experiment,
    parabola_comparison,
    sin_radial_descents,
)
from gradlab.plotting.descent import (
    plot_descent_paths,
    plot_gradient_field,
    plot_losses,
    plot_parabola_convergence,
    plot_parabola_fits,
    plot_sin_radial_descents,
)

# Two figures each share one experiment: run it once per process.
_bowl = functools.cache(bowl_experiment)
_parabola = functools.cache(parabola_comparison)

FIGURES = {
    "gradient-field": (
        functions.gradient_field,
        functools.partial(plot_gradient_field, label="z = sin(x² + y²)"),
    ),
    "descent-paths": (_bowl, plot_descent_paths),
    "descent-losses": (_bowl, plot_losses),
    "parabola-convergence": (_parabola, plot_parabola_convergence),
    "parabola-fits": (_parabola, plot_parabola_fits),
    "local-minima": (sin_radial_descents, plot_sin_radial_descents),
}
