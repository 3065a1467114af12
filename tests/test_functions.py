"""gradlab.functions: every function the book differentiates, and every gradient the
chapters show: autograd = closed form = finite differences (float64, central), and
the hand-written chain rule agrees."""

import pytest
import torch
from gradlab import functions as fn
from gradlab.gradcheck import max_relative_error, numerical_gradient

F64 = torch.float64


def t(v):
    return torch.tensor(v, dtype=F64)


def autograd(fn, *args):
    leaves = [a.clone().requires_grad_() for a in args]
    fn(*leaves).backward()
    return [leaf.grad for leaf in leaves]


def numeric(fn, args, i):
    def along(v):
        return fn(*args[:i], v, *args[i + 1 :])

    return numerical_gradient(along, args[i])


def assert_three_ways(fn, args, closed):
    auto = autograd(fn, *args)
    for i, c in enumerate(closed):
        assert max_relative_error(auto[i], c) < 1e-12
        assert max_relative_error(numeric(fn, args, i), c) < 1e-7


def test_square_at_3_5_has_gradient_7():
    x = t(3.5)
    assert float(fn.square_grad(x)) == 7.0
    assert_three_ways(fn.square, [x], [fn.square_grad(x)])


@pytest.mark.parametrize("point", [(2.0, 4.0), (0.98, 1.83), (-1.5, -0.3)])
def test_composite_three_ways_and_by_the_chain_rule(point):
    x, y = t(point[0]), t(point[1])
    closed = fn.composite_grad(x, y)
    assert_three_ways(fn.composite, [x, y], closed)
    hand = fn.composite_chain_rule(x, y)
    assert max_relative_error(hand["x"], closed[0]) < 1e-12
    assert max_relative_error(hand["y"], closed[1]) < 1e-12
    # the intermediates' gradients equal autograd's retained .grad
    xs, ys = x.clone().requires_grad_(), y.clone().requires_grad_()
    parts = fn.composite_parts(xs, ys)
    for part in parts:
        part.retain_grad()
    parts.z4.backward()
    closed_nodes = fn.composite_node_grads(x, y)
    for name in ("z1", "z2", "z3", "z4"):
        assert max_relative_error(getattr(parts, name).grad, hand[name]) < 1e-12
        assert max_relative_error(closed_nodes[name], hand[name]) < 1e-12
    for name, i in (("x", 0), ("y", 1)):
        assert max_relative_error(closed_nodes[name], closed[i]) < 1e-15
    # and the one-liner equals the piece-by-piece version
    assert float(parts.z4.detach()) == pytest.approx(float(fn.composite(x, y)), 1e-14)


def test_composite_at_2_4_matches_the_seed_numbers():
    dfdx, dfdy = fn.composite_grad(t(2.0), t(4.0))
    assert round(float(dfdx), 4) == 23.9990
    assert round(float(dfdy), 4) == -0.0072


@pytest.mark.parametrize("w", [1.0, -1.0, 0.3])
def test_relu_graph_gradient_by_hand(w):
    args = [t(2.0), t(4.0), t(w), t(3.0)]
    closed = fn.relu_graph_grad_w(*args)
    auto = autograd(
        lambda w_: fn.relu_graph(args[0], args[1], w_, args[3]).l,
        args[2],
    )[0]
    assert max_relative_error(auto, closed) < 1e-12
    num = numeric(lambda *a: fn.relu_graph(*a).l, args, 2)
    assert max_relative_error(num, closed) < 1e-7


def test_relu_graph_values_at_the_seed_point():
    a, y, loss = fn.relu_graph(t(2.0), t(4.0), t(1.0), t(3.0))
    assert (float(a), float(y), float(loss)) == (6.0, 6.0, 10.0)
    assert float(fn.relu_graph_grad_w(t(2.0), t(4.0), t(1.0), t(3.0))) == 38.0


@pytest.mark.parametrize("point", [(0.5, 1.0, 2.0), (1.2, 2.0, 0.4)])
def test_tanh_log_three_ways(point):
    args = [t(v) for v in point]
    closed = fn.tanh_log_grad(*args)
    assert_three_ways(fn.tanh_log, args, closed)
    parts = fn.tanh_log_parts(*args)
    assert float(parts.f) == pytest.approx(float(fn.tanh_log(*args)), 1e-14)


@pytest.mark.parametrize("point", [*fn.NEURON_POINTS, (0.3, -1.2, 1.0, 7.0)])
def test_neuron_three_ways(point):
    args = [t(v) for v in point]
    closed = fn.neuron_loss_grad(*args)
    auto = autograd(
        lambda w_, b_: fn.neuron_loss(w_, b_, args[2], args[3]),
        args[0],
        args[1],
    )
    for i in range(2):
        assert max_relative_error(auto[i], closed[i]) < 1e-12
        assert max_relative_error(numeric(fn.neuron_loss, args, i), closed[i]) < 1e-7


def test_sigmoid_net_gradients_three_ways():
    net = fn.sigmoid_net(seed=0).double()
    x = torch.randn(3, generator=torch.Generator().manual_seed(1), dtype=F64)
    net(x).sum().backward()
    hand = fn.sigmoid_net_grads(net, x)
    params = dict(net.named_parameters())
    for name, p in params.items():
        assert p.grad.shape == p.shape == hand[name].shape
        assert max_relative_error(p.grad, hand[name]) < 1e-12

        def along(v, name=name):
            values = {k: (v if k == name else q.detach()) for k, q in params.items()}
            return torch.func.functional_call(net, values, (x,)).sum()

        assert max_relative_error(numerical_gradient(along, p), hand[name]) < 1e-7
    assert x.grad is None
    with pytest.raises(ValueError, match="shape"):
        fn.sigmoid_net_grads(net, torch.ones(2, dtype=F64))


def test_sigmoid_net_is_seeded():
    a, b = fn.sigmoid_net(seed=3), fn.sigmoid_net(seed=3)
    assert torch.equal(a.linear1.weight, b.linear1.weight)
    assert not torch.equal(a.linear1.weight, fn.sigmoid_net(seed=4).linear1.weight)


@pytest.mark.parametrize("w", [1.0, 0.2])
def test_exp_loss_three_ways(w):
    assert_three_ways(fn.exp_loss, [t(w)], [fn.exp_loss_grad(t(w))])


def test_tanh_regression_gradient_three_ways_and_the_wrong_one():
    problem = fn.tanh_regression(seed=0)
    w = problem.start
    closed = problem.grad(w)
    assert_three_ways(problem.loss, [w], [closed])
    assert max_relative_error(problem.wrong_grad(w), closed) > 0.1
    with pytest.raises(ValueError, match="n must be >= 1"):
        fn.tanh_regression(n=0, seed=0)


def test_gradcheck_accepts_tanh_and_catches_the_wrong_backward():
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(5, dtype=F64, generator=gen).requires_grad_()
    assert torch.autograd.gradcheck(torch.tanh, (x,))
    with pytest.raises(RuntimeError, match="Jacobian mismatch"):
        torch.autograd.gradcheck(fn.TanhWrongBackward.apply, (x,))


def test_sin_radial_closed_form_matches_autograd_field():
    field = fn.gradient_field(fn.sin_radial, limit=2.5, n=41)
    gx, gy = fn.sin_radial_grad(field.x, field.y)
    torch.testing.assert_close(field.dz_dx, gx, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(field.dz_dy, gy, rtol=1e-12, atol=1e-12)
    assert field.x.dtype == torch.float64 and field.x.shape == (41, 41)


@pytest.mark.parametrize("point", [(0.3, -1.2), (1.5, 0.7), (-2.0, 2.2)])
def test_sin_radial_gradient_matches_finite_differences(point):
    w = torch.tensor(point, dtype=torch.float64)
    numeric = numerical_gradient(lambda v: fn.sin_radial(v[0], v[1]), w)
    closed = torch.stack(fn.sin_radial_grad(w[0], w[1]))
    assert max_relative_error(numeric, closed) < 1e-7


def test_gradient_field_is_uphill_and_short_where_flat():
    field = fn.gradient_field(n=101)
    # Stepping a little along the gradient increases z wherever the gradient is not 0.
    h = 1e-4
    uphill = fn.sin_radial(field.x + h * field.dz_dx, field.y + h * field.dz_dy)
    assert bool((uphill >= field.z).all())
    # At the origin (a minimum of x² + y², a flat point) the gradient is zero.
    centre = field.x.shape[0] // 2
    assert abs(field.dz_dx[centre, centre]) < 1e-12
    assert abs(field.dz_dy[centre, centre]) < 1e-12


def test_bowl_value_and_gradient():
    w = torch.tensor([2.0, 1.0], dtype=torch.float64, requires_grad=True)
    fn.bowl(w).backward()
    torch.testing.assert_close(w.grad, fn.bowl_grad(w.detach()))
    numeric = numerical_gradient(fn.bowl, w)
    assert max_relative_error(numeric, fn.bowl_grad(w.detach())) < 1e-8
    assert float(fn.bowl(w.detach())) == 7.0


def test_bad_input_is_rejected():
    with pytest.raises(ValueError, match="shape"):
        fn.bowl(torch.zeros(3))
    with pytest.raises(ValueError, match=r"grid points per axis\) must be >= 2"):
        fn.gradient_field(n=1)
    with pytest.raises(ValueError, match="limit must be a finite number > 0"):
        fn.gradient_field(limit=0)
