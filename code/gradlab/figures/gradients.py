"""Figures of book/gradients.md, by the names the chapter gives them."""

import gradlab

FIGURES = {
    "gradient-field": lambda: gradlab.plot_gradient_field(
        gradlab.gradient_field(), label="z = sin(x² + y²)"
    ),
    "descent-paths": lambda: gradlab.plot_descent_paths(gradlab.bowl_experiment()),
    "descent-losses": lambda: gradlab.plot_losses(gradlab.bowl_experiment()),
    "parabola-convergence": lambda: gradlab.plot_parabola_convergence(
        gradlab.parabola_comparison()
    ),
    "parabola-fits": lambda: gradlab.plot_parabola_fits(gradlab.parabola_comparison()),
}
