"""Figures of book/gradients.md, by the names the chapter gives them."""

import functools

import gradlab

# Two figures each share one experiment: run it once per process.
_bowl = functools.cache(gradlab.bowl_experiment)
_parabola = functools.cache(gradlab.parabola_comparison)

FIGURES = {
    "gradient-field": lambda: gradlab.plot_gradient_field(
        gradlab.gradient_field(), label="z = sin(x² + y²)"
    ),
    "descent-paths": lambda: gradlab.plot_descent_paths(_bowl()),
    "descent-losses": lambda: gradlab.plot_losses(_bowl()),
    "parabola-convergence": lambda: gradlab.plot_parabola_convergence(_parabola()),
    "parabola-fits": lambda: gradlab.plot_parabola_fits(_parabola()),
}
