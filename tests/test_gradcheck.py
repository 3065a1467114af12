import pytest
import torch
from gradlab.gradcheck import (
    directional_check,
    max_relative_error,
    numerical_gradient,
    random_direction,
)


def f(w):
    return (torch.sin(w) ** 2).sum() + w.prod()


def grad_f(w):
    return torch.sin(2 * w) + w.prod() / w


def test_numerical_gradient_matches_closed_form():
    w = torch.tensor([0.3, -1.1, 2.0], dtype=torch.float64)
    assert max_relative_error(numerical_gradient(f, w), grad_f(w)) < 1e-8


def test_directional_error_shrinks_faster_than_eps_for_right_gradient():
    w = torch.tensor([0.3, -1.1, 2.0], dtype=torch.float64)
    d = random_direction(w, generator=torch.Generator().manual_seed(0))
    assert d.norm() == pytest.approx(1.0)
    ratios = [
        abs(directional_check(f, w, grad_f(w), eps=e, direction=d).ratio)
        for e in (1e-1, 1e-2, 1e-3)
    ]
    assert ratios[0] > ratios[1] > ratios[2] and ratios[2] < 1e-5


def test_directional_check_catches_a_wrong_gradient():
    w = torch.tensor([0.3, -1.1, 2.0], dtype=torch.float64)
    d = random_direction(w, generator=torch.Generator().manual_seed(0))
    wrong = grad_f(w) * torch.tensor([1.0, 1.0, 1.1], dtype=torch.float64)
    check = directional_check(f, w, wrong, eps=1e-4, direction=d)
    assert abs(check.ratio) > 1e-3  # does not tend to 0: the gradient is wrong


def test_bad_arguments():
    w = torch.zeros(3, dtype=torch.float64)
    with pytest.raises(ValueError, match="eps"):
        numerical_gradient(f, w, eps=0)
    with pytest.raises(ValueError, match="shape"):
        directional_check(f, w, torch.zeros(2), eps=1e-3, direction=w)


def test_directional_sweep_checks_each_eps_along_one_direction():
    from gradlab.gradcheck import directional_sweep

    w = torch.tensor([0.3, -0.7], dtype=torch.float64)
    u = torch.tensor([0.6, 0.8], dtype=torch.float64)
    sweep = directional_sweep(
        lambda v: (v**3).sum(), w, 3 * w**2, eps_values=(1e-1, 1e-3), direction=u
    )
    assert [c.eps for c in sweep] == [1e-1, 1e-3]
    assert abs(sweep[1].ratio) < abs(sweep[0].ratio) / 1000
    with pytest.raises(ValueError, match="empty"):
        directional_sweep(lambda v: v.sum(), w, w, eps_values=(), direction=u)
