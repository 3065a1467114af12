import gradlab
import pytest
import torch
from gradlab.gradcheck import max_relative_error, numerical_gradient


def test_sin_radial_closed_form_matches_autograd_field():
    field = gradlab.gradient_field(gradlab.sin_radial, limit=2.5, n=41)
    gx, gy = gradlab.sin_radial_grad(field.x, field.y)
    torch.testing.assert_close(field.dz_dx, gx, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(field.dz_dy, gy, rtol=1e-12, atol=1e-12)
    assert field.x.dtype == torch.float64 and field.x.shape == (41, 41)


@pytest.mark.parametrize("point", [(0.3, -1.2), (1.5, 0.7), (-2.0, 2.2)])
def test_sin_radial_gradient_matches_finite_differences(point):
    w = torch.tensor(point, dtype=torch.float64)
    numeric = numerical_gradient(lambda v: gradlab.sin_radial(v[0], v[1]), w)
    closed = torch.stack(gradlab.sin_radial_grad(w[0], w[1]))
    assert max_relative_error(numeric, closed) < 1e-7


def test_gradient_field_is_uphill_and_short_where_flat():
    field = gradlab.gradient_field(n=101)
    # Stepping a little along the gradient increases z wherever the gradient is not 0.
    h = 1e-4
    uphill = gradlab.sin_radial(field.x + h * field.dz_dx, field.y + h * field.dz_dy)
    assert bool((uphill >= field.z).all())
    # At the origin (a minimum of x² + y², a flat point) the gradient is zero.
    centre = field.x.shape[0] // 2
    assert abs(field.dz_dx[centre, centre]) < 1e-12
    assert abs(field.dz_dy[centre, centre]) < 1e-12


def test_bowl_value_and_gradient():
    w = torch.tensor([2.0, 1.0], dtype=torch.float64, requires_grad=True)
    gradlab.bowl(w).backward()
    torch.testing.assert_close(w.grad, gradlab.bowl_grad(w.detach()))
    numeric = numerical_gradient(gradlab.bowl, w)
    assert max_relative_error(numeric, gradlab.bowl_grad(w.detach())) < 1e-8
    assert float(gradlab.bowl(w.detach())) == 7.0


def test_bad_input_is_rejected():
    with pytest.raises(ValueError, match="shape"):
        gradlab.bowl(torch.zeros(3))
    with pytest.raises(ValueError, match="n >= 2"):
        gradlab.gradient_field(n=1)
    with pytest.raises(ValueError, match="positive limit"):
        gradlab.gradient_field(limit=0)
