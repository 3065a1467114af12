"""Plain gradient descent, and the exact theory of it on least-squares problems."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

from gradlab import _checks

LossFn = Callable[[Tensor], Tensor]
#: `gradient_descent`'s hook: (steps taken, parameters there, their loss) -> stop?
Callback = Callable[[int, Tensor, float], bool | None]


@dataclass(frozen=True)
class History:
    """What a run of gradient descent visited.

    ``params`` has shape (k + 1, d): the start and the parameters after each of the k
    steps taken (or only the start and the end, shape (2, d), for a run that did not
    keep its path). ``losses`` has shape (k + 1,): the loss at every point visited.
    k is smaller than the steps asked for when the loss became non-finite or blew up.
    """

    params: Tensor
    losses: Tensor
    lr: float

    @property
    def steps(self) -> int:
        """How many steps were taken."""
        return len(self.losses) - 1

    @property
    def final_loss(self) -> float:
        return float(self.losses[-1])

    @property
    def status(self) -> str:
        """How the run ended: see `regime`."""
        return regime(self)

    @property
    def converged(self) -> bool:
        return self.status == "converged"

    @property
    def diverged(self) -> bool:
        """True when the loss rose at every step at the end, or stopped being finite."""
        return self.status in ("diverged", "non-finite")


#: How `regime` judges a run: over its last WINDOW steps, the loss may vary by at most
#: TOL, and the gradient's norm must stay below GTOL, for the run to have converged.
WINDOW, TOL, GTOL = 50, 0.01, 1e-3
#: A loss that swings by more than this fraction of its mean (a tenth) is thrashing.
THRASH = 0.1


def regime(
    history: History, *, tol: float = TOL, gtol: float = GTOL, window: int = WINDOW
) -> str:
    """How a run ended, judged on its last ``window`` steps.

    'non-finite': a parameter or the loss became inf or nan. 'diverged': the loss
    rose at every step of the window. 'converged': the loss varied by at most ``tol``
    and the gradient's norm, read off each step as |Δw| / lr, stayed below ``gtol``:
    the run is at a stationary point, not merely moving slowly. 'still falling': the
    loss only went down, measurably, and the gradient has not vanished.
    'oscillating': the loss swings by at most ``THRASH`` times its mean while the
    parameters keep jumping (between two mirror images, or back and forth across a
    kink). 'thrashing': the loss swings by more than that.
    """
    if not bool(
        torch.isfinite(history.losses).all() and torch.isfinite(history.params).all()
    ):
        return "non-finite"
    tail = history.losses[-window - 1 :]
    if history.steps and bool((tail.diff() > 0).all()):
        return "diverged"
    gradients = history.params[-window - 1 :].diff(dim=0).norm(dim=1) / history.lr
    swing = float(tail.max() - tail.min())
    if swing <= tol and bool((gradients <= gtol).all()):
        return "converged"
    if bool((tail.diff() <= 0).all()) and float(tail[0] - tail[-1]) > 1e-6 * float(
        tail[0].abs()
    ):
        return "still falling"
    if swing <= THRASH * float(tail.abs().mean()):
        return "oscillating"
    return "thrashing"


def as_parameters(start: Tensor | Sequence[float]) -> Tensor:
    """A floating-point copy of ``start`` (shape (d,)) that autograd tracks."""
    w = torch.as_tensor(start).detach().clone()
    if not w.is_floating_point():
        w = w.to(torch.get_default_dtype())
    if w.ndim != 1:
        raise ValueError(f"start must have shape (d,), got {tuple(w.shape)}")
    return w.requires_grad_(True)


def _scalar(loss: Tensor) -> Tensor:
    if loss.ndim != 0:
        raise ValueError(f"loss_fn must return a scalar, got shape {tuple(loss.shape)}")
    return loss


def gradient_descent(
    loss_fn: LossFn,
    start: Tensor | Sequence[float],
    *,
    lr: float,
    steps: int,
    step_loss: Callable[[int], LossFn] | None = None,
    keep_path: bool = True,
    blow_up: float = 1e12,
    callback: Callback | None = None,
) -> History:
    """Minimise ``loss_fn`` by w ← w − lr · ∇loss(w), starting from ``start``.

    ``loss_fn`` maps parameters of shape (d,) to a scalar tensor; autograd gives its
    gradient. The run stops early when the loss becomes non-finite or exceeds
    ``blow_up``. ``step_loss(i)``, if given, is the loss whose gradient step i
    follows (one data point at a time, say), while ``loss_fn`` is the one recorded.
    ``keep_path=False`` keeps only the first and last parameters. ``callback(step,
    w, loss)``, if given, sees every point visited (step 0 is the start; w a copy)
    and stops the run there by returning True; it changes none of the numbers.

    >>> h = gradient_descent(lambda w: (w**2).sum(), [3.0], lr=0.25, steps=2)
    >>> h.params.flatten().tolist()
    [3.0, 1.5, 0.75]
    """
    lr = _checks.positive_number(lr, "learning rate")
    steps = _checks.whole_number(steps, "steps")
    w = as_parameters(start)
    path, losses = [w.detach().clone()], []
    for step in range(steps + 1):
        with torch.set_grad_enabled(step_loss is None):  # record what backward needs
            loss = _scalar(loss_fn(w))  # forward: records the graph
        losses.append(loss.item())
        if callback is not None and callback(step, path[-1], losses[-1]):
            break
        if step == steps or not math.isfinite(losses[-1]) or losses[-1] > blow_up:
            break
        if step_loss is not None:
            loss = step_loss(step)(w)
        loss.backward()  # backward: fills w.grad
        with torch.no_grad():  # the step itself must not be recorded
            w -= lr * w.grad
        w.grad = None  # reset, or the next backward adds to this gradient
        if not keep_path:
            del path[1:]  # keep the start only
        path.append(w.detach().clone())
    return History(torch.stack(path), torch.tensor(losses, dtype=w.dtype), lr)


@dataclass(frozen=True)
class LeastSquares:
    """The loss L(w) = mean((X w − y)²) for a design matrix X (N, p) and targets y (N,).

    L is quadratic, so gradient descent on it can be solved exactly: with Hessian
    H = (2/N) XᵀX = Q diag(λ) Qᵀ and optimum w*, the error after k steps of size η is
    e_k = Q diag((1 − ηλ)^k) Qᵀ e_0, and L(w_k) = L* + ½ Σᵢ λᵢ (1 − ηλᵢ)^{2k} cᵢ²
    with c = Qᵀ e_0. All of it is computed in float64.
    """

    features: Tensor
    targets: Tensor

    def __post_init__(self) -> None:
        if self.features.ndim != 2 or self.targets.shape != self.features.shape[:1]:
            raise ValueError(
                "LeastSquares needs features (N, p) and targets (N,), "
                f"got {tuple(self.features.shape)} and {tuple(self.targets.shape)}"
            )

    @property
    def _x(self) -> Tensor:
        return self.features.double()

    def loss(self, w: Tensor) -> Tensor:
        """Mean squared error of the predictions X w (in the dtype of w)."""
        x = self.features.to(w.dtype)
        return ((x @ w - self.targets.to(w.dtype)) ** 2).mean()

    @property
    def hessian(self) -> Tensor:
        return 2 * self._x.T @ self._x / len(self.targets)

    @property
    def eigenvalues(self) -> Tensor:
        """Eigenvalues of the Hessian, ascending."""
        return torch.linalg.eigvalsh(self.hessian)

    @property
    def condition_number(self) -> float:
        """λ_max / λ_min of the Hessian: how much slower the flattest direction is."""
        lam = self.eigenvalues
        return float(lam[-1] / lam[0])

    @property
    def max_stable_lr(self) -> float:
        """Gradient descent converges exactly when lr < 2 / λ_max."""
        return float(2 / self.eigenvalues[-1])

    @property
    def optimum(self) -> Tensor:
        return torch.linalg.lstsq(self._x, self.targets.double().unsqueeze(1)).solution[
            :, 0
        ]

    @property
    def min_loss(self) -> float:
        return float(self.loss(self.optimum))

    def predicted_losses(self, start: Tensor, lr: float, steps: Tensor) -> Tensor:
        """Exact loss after each step count in ``steps`` (any shape), in float64."""
        lam, q = torch.linalg.eigh(self.hessian)
        c = q.T @ (torch.as_tensor(start).double() - self.optimum)
        k = torch.as_tensor(steps, dtype=torch.float64).unsqueeze(-1)
        decay = (1 - lr * lam) ** (2 * k)
        return self.min_loss + 0.5 * (lam * c**2 * decay).sum(-1)

    def steps_to_reach(self, start: Tensor, lr: float, target: float) -> int:
        """Fewest steps after which the loss is at most ``target`` (for a stable lr)."""
        if not lr < self.max_stable_lr:
            raise ValueError(
                f"lr {lr} is not below the stability limit {self.max_stable_lr}"
            )
        lrs = torch.tensor([float(lr)], dtype=torch.float64)
        return int(self._steps_needed(start, lrs, target)[0])

    def fastest_lr(
        self, start: Tensor, target: float, *, fractions: Tensor | None = None
    ) -> tuple[float, int]:
        """The fixed learning rate that reaches ``target`` in the fewest steps from
        ``start``, and that number of steps, by the exact formula.

        The candidates are ``fractions`` (in (0, 1), float64) of the stability limit
        2/λ_max; by default 200 evenly spaced ones and 400 more that approach the
        limit geometrically (to within 10⁻⁸ of it), since on a badly conditioned
        problem the best step lies just below the limit. Ties go to the smaller step.
        """
        if fractions is None:
            fractions = torch.cat(
                [
                    torch.linspace(0.005, 0.995, 200, dtype=torch.float64),
                    1 - torch.logspace(-2.3, -8, 400, dtype=torch.float64),
                ]
            )
        if not bool(((fractions > 0) & (fractions < 1)).all()):
            raise ValueError("fractions of the stability limit must lie in (0, 1)")
        lrs = fractions.double() * self.max_stable_lr
        steps = self._steps_needed(start, lrs, target)
        best = int(torch.argmin(steps + lrs / lrs.max()))  # fewest steps, then smaller
        return float(lrs[best]), int(steps[best])

    def _steps_needed(self, start: Tensor, lrs: Tensor, target: float) -> Tensor:
        """`steps_to_reach` for every learning rate in ``lrs`` (G,) at once: (G,)."""
        if target <= self.min_loss:
            raise ValueError(
                f"target {target} is not above the minimum {self.min_loss}"
            )
        lam, q = torch.linalg.eigh(self.hessian)
        c = q.T @ (torch.as_tensor(start).double() - self.optimum)
        weight, gap = 0.5 * lam * c**2, target - self.min_loss
        rate = (1 - lrs.unsqueeze(-1) * lam) ** 2  # (G, p), each in [0, 1)

        def above(k: Tensor) -> Tensor:  # is the loss after k steps above target?
            return (weight * rate ** k.unsqueeze(-1)).sum(-1) > gap

        lo = torch.zeros(len(lrs), dtype=torch.float64)  # above target at lo
        hi = torch.ones_like(lo)
        while bool((far := above(hi)).any()):  # the loss falls with k: double...
            lo, hi = torch.where(far, hi, lo), torch.where(far, 2 * hi, hi)
        while bool((hi - lo > 1).any()):  # ...then bisect on the step count
            mid = torch.floor((lo + hi) / 2)
            far = above(mid)
            lo, hi = torch.where(far, mid, lo), torch.where(far, hi, mid)
        return torch.where(above(torch.zeros_like(lo)), hi, 0).long()
