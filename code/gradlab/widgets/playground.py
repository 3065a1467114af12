"""The live descent playground: gradient descent, with momentum, on the surfaces of
"Gradients and gradient descent", in the reader's browser."""

from __future__ import annotations

import math
from dataclasses import dataclass

from gradlab import _checks
from gradlab.defaults import BOWL_LRS, BOWL_START
from gradlab.functions import BOWL_CURVATURES
from gradlab.widgets import _page
from gradlab.widgets._descent_js import SCRIPT
from gradlab.widgets.chain_lab import nice_rates

#: How many steps Run takes at most, and the momentum slider's positions.
MAX_STEPS = 1000
MOMENTA = tuple(round(0.05 * k, 2) for k in range(20))  # 0, 0.05, ..., 0.95


@dataclass(frozen=True)
class Surface:
    """A surface of the chapter: a quadratic ½(c₁x² + c₂y²) (``curvatures``) or,
    when they are None, sin(x² + y²); drawn over [−view, view]², started at
    ``start``; its stability limit is taken at the point ``at``, described by
    ``where``."""

    label: str
    curvatures: tuple[float, float] | None
    view: float
    start: tuple[float, float]
    at: tuple[float, float]
    where: str

    def loss(self, w):
        """The surface at w, shape (2,), as a torch scalar (autograd's gradient is
        the one the script computes in closed form)."""
        from gradlab.functions import sin_radial

        if self.curvatures is None:
            return sin_radial(w[0], w[1])
        c1, c2 = self.curvatures
        return 0.5 * (c1 * w[0] ** 2 + c2 * w[1] ** 2)

    def limit(self) -> float:
        """2 / λ_max of the Hessian at ``at``: `gradlab.stability_limit`."""
        import torch

        from gradlab.chain import stability_limit

        return stability_limit(self.loss, torch.tensor(self.at, dtype=torch.float64))


RING = math.sqrt(1.5 * math.pi)  # sin(x² + y²) = −1 on the circle x² + y² = 3π/2
SURFACES = {
    "round": Surface(
        "the round bowl ½(x² + y²), κ = 1", (1.0, 1.0), 5.0, BOWL_START, (0, 0), ""
    ),
    "bowl": Surface(
        f"the bowl ½(x² + {BOWL_CURVATURES[1]:g} y²), "
        f"κ = {BOWL_CURVATURES[1] / BOWL_CURVATURES[0]:g}",
        BOWL_CURVATURES,
        5.0,
        BOWL_START,
        (0, 0),
        "",
    ),
    "sin": Surface(
        "sin(x² + y²), with a ring of minima",
        None,
        2.5,
        (1.2, 0.9),
        (RING, 0.0),
        " on the ring of minima nearest the centre",
    ),
}


def playground_rates() -> list[float]:
    """The learning-rate slider's positions: `nice_rates` from 0.001 to 3, and the
    chapter's three rates on the bowl."""
    return sorted({*nice_rates(-3, 3.0), *BOWL_LRS})


@dataclass(frozen=True)
class DescentPlayground:
    """The descent playground as a live figure: ``DescentPlayground()`` shows it.

    The reader picks a surface, a start (click or tap the map, or type it), the
    learning rate (the stability limit 2/λ_max marked) and the momentum; Step, Run
    and Reset. With momentum μ the script steps as `gradlab.optimizers.momentum_step`
    (v ← μv + g, w ← w − lr·v); with μ = 0 that is `gradlab.gradient_descent`.
    """

    surface: str = "bowl"
    lr: float = BOWL_LRS[1]
    momentum: float = 0.0
    start: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        _checks.one_of(self.surface, "surface", tuple(SURFACES))
        _checks.one_of(self.momentum, "momentum", MOMENTA)
        if self.lr not in playground_rates():
            raise ValueError(f"lr must be one of {playground_rates()}, got {self.lr}")

    def data(self) -> dict:
        """What the script needs: each surface with its stability limit, the rates."""
        surfaces = {
            name: {
                "label": s.label,
                "curvatures": s.curvatures,
                "view": s.view,
                "start": list(s.start),
                "limit": s.limit(),
                "where": s.where,
            }
            for name, s in SURFACES.items()
        }
        start = self.start or SURFACES[self.surface].start
        return {
            "surface": self.surface,
            "lr": self.lr,
            "momentum": self.momentum,
            "start": [float(v) for v in start],
            "rates": playground_rates(),
            "surfaces": surfaces,
            "maxSteps": MAX_STEPS,
        }

    def _repr_html_(self) -> str:
        data = self.data()
        uid = _page.widget_id("descent", data)
        return _page.fragment("descent", uid, markup(uid, self), FALLBACK, SCRIPT, data)


FALLBACK = (
    "The live descent playground needs JavaScript (in a notebook: run this cell). "
    "The figures above show the same descent: the paths on the bowl for three "
    "learning rates, and their losses."
)


def markup(uid: str, playground: DescentPlayground) -> str:
    """The controls, buttons, map, loss curve and verdict of the playground."""
    labels = {name: s.label for name, s in SURFACES.items()}
    number = '<input type="number" id="{id}" data-k="{key}" step="0.1">'
    momentum = (
        '<input type="range" id="{id}" data-k="{key}" min="0" max="0.95" '
        'step="0.05"><output data-k="momentum-value"></output>'
    )
    choices = _page.options(labels, playground.surface, labels.get)
    surface = '<select id="{id}" data-k="{key}">' + choices + "</select>"
    fields = [
        _page.control(uid, "surface", "Surface", surface),
        _page.control(uid, "x", "Start x", number),
        _page.control(uid, "y", "Start y", number),
        _page.rate_control(uid, "Learning rate (log scale)"),
        _page.control(uid, "momentum", "Momentum μ", momentum),
    ]
    return (
        f'<div class="gl-controls">{"".join(fields)}</div>{_page.BUTTONS}'
        '<div class="gl-plots"><canvas data-k="map" class="gl-click" role="img">'
        '</canvas><canvas data-k="curve" role="img"></canvas></div>'
        '<p class="gl-status" data-k="status"></p>'
        '<p class="gl-verdict" data-k="verdict" aria-live="polite"></p>'
        '<p class="gl-note" data-k="note"></p>'
    )
