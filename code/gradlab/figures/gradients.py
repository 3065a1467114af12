"""Figures of book/gradients.md: name -> (what the figure draws, how it is drawn)."""

import functools

from gradlab import experiments, functions, plotting

# Two figures each share one experiment: run it once per process.
_bowl = functools.cache(experiments.bowl_experiment)
_parabola = functools.cache(experiments.parabola_comparison)

FIGURES = {
    "gradient-field": (
        functions.gradient_field,
        functools.partial(plotting.plot_gradient_field, label="z = sin(x² + y²)"),
    ),
    "descent-paths": (_bowl, plotting.plot_descent_paths),
    "descent-losses": (_bowl, plotting.plot_losses),
    "parabola-convergence": (_parabola, plotting.plot_parabola_convergence),
    "parabola-fits": (_parabola, plotting.plot_parabola_fits),
}
