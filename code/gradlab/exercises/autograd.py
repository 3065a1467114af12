"""Checks for the code exercises of book/autograd.md."""

from __future__ import annotations

import torch

from gradlab.exercises import close, exercise, holds

F64 = torch.float64


@exercise("ex-autograd-stop-gradient")
def held_target(answer):
    """answer(w) -> ℓ = (tanh w − sg(w/2))², the target w/2 held fixed by detach()."""
    for point in (-1.2, 0.3, 2.0):
        w = torch.tensor(point, dtype=F64, requires_grad=True)
        loss = answer(w)
        t = torch.tanh(w.detach())
        want = 2 * (t - w.detach() / 2) * (1 - t**2)
        if loss is None or loss is Ellipsis:
            yield close(f"∂ℓ/∂w at w = {point:g}", loss, want)
            return
        if not torch.is_tensor(loss) or loss.grad_fn is None:
            yield holds(
                f"∂ℓ/∂w at w = {point:g}",
                False,
                f"expected a tensor that autograd recorded from w, got a "
                f"{type(loss).__name__} (keep ℓ a tensor: no float(), .item())",
            )
            return
        yield close(f"ℓ at w = {point:g}", loss, (t - w.detach() / 2) ** 2)
        (grad,) = torch.autograd.grad(loss, w)
        yield close(f"∂ℓ/∂w at w = {point:g} (target held)", grad, want)


def _wavy(x: torch.Tensor) -> torch.Tensor:
    return (torch.tanh(x) * x**2).sum() + x[0] * torch.exp(x[1])


@exercise("ex-autograd-central-difference")
def central_difference(answer):
    """answer(f, x, h) -> the central differences (f(x + h eᵢ) − f(x − h eᵢ)) / 2h."""
    x = torch.tensor([0.4, -1.1, 0.7], dtype=F64, requires_grad=True)
    (grad,) = torch.autograd.grad(_wavy(x), x)
    x = x.detach()
    for h, rtol in ((1e-3, 1e-5), (1e-5, 1e-8)):
        got = answer(_wavy, x.clone(), h)
        yield close(f"all three partial derivatives, h = {h:g}", got, grad, rtol=rtol)
        if got is None or got is Ellipsis:
            return
