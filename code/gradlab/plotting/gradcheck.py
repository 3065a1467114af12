"""Figures of the chapter "Autograd": how a finite-difference check errs with ε."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from matplotlib.axes import Axes

from gradlab.gradcheck import DirectionalCheck
from gradlab.plotting.style import axes_or_new, styled


@styled
def plot_gradcheck_errors(
    sweeps: Mapping[str, Sequence[DirectionalCheck]], ax: Axes | None = None
) -> Axes:
    """Relative error |ΔL − ⟨∇L, Δw⟩| / |⟨∇L, Δw⟩| against ε, log–log, per sweep.

    Exact zeros (the two sides agreeing to the last bit) are drawn at 1e-17.
    """
    ax = axes_or_new(ax, figsize=(6.4, 4.2))
    for (label, sweep), marker in zip(sweeps.items(), "osd^v", strict=False):
        eps = [c.eps for c in sweep]
        rel = [max(abs(c.error) / abs(c.directional_derivative), 1e-17) for c in sweep]
        ax.loglog(eps, rel, marker=marker, markersize=4, label=label)
    ax.set(xlabel="step length ε", ylabel="relative error")
    ax.legend()
    return ax
