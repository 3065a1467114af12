"""Every gradient the graph and autograd chapters show: autograd = closed form = finite
differences (float64, central), and the hand-written chain rule agrees."""

import gradlab
import pytest
import torch
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
    assert float(gradlab.square_grad(x)) == 7.0
    assert_three_ways(gradlab.square, [x], [gradlab.square_grad(x)])


@pytest.mark.parametrize("point", [(2.0, 4.0), (0.98, 1.83), (-1.5, -0.3)])
def test_composite_three_ways_and_by_the_chain_rule(point):
    x, y = t(point[0]), t(point[1])
    closed = gradlab.composite_grad(x, y)
    assert_three_ways(gradlab.composite, [x, y], closed)
    hand = gradlab.composite_chain_rule(x, y)
    assert max_relative_error(hand["x"], closed[0]) < 1e-12
    assert max_relative_error(hand["y"], closed[1]) < 1e-12
    # the intermediates' gradients equal autograd's retained .grad
    xs, ys = x.clone().requires_grad_(), y.clone().requires_grad_()
    parts = gradlab.composite_parts(xs, ys)
    for part in parts:
        part.retain_grad()
    parts.z4.backward()
    closed_nodes = gradlab.composite_node_grads(x, y)
    for name in ("z1", "z2", "z3", "z4"):
        assert max_relative_error(getattr(parts, name).grad, hand[name]) < 1e-12
        assert max_relative_error(closed_nodes[name], hand[name]) < 1e-12
    for name, i in (("x", 0), ("y", 1)):
        assert max_relative_error(closed_nodes[name], closed[i]) < 1e-15
    # and the one-liner equals the piece-by-piece version
    assert float(parts.z4.detach()) == pytest.approx(
        float(gradlab.composite(x, y)), 1e-14
    )


def test_composite_at_2_4_matches_the_seed_numbers():
    dfdx, dfdy = gradlab.composite_grad(t(2.0), t(4.0))
    assert round(float(dfdx), 4) == 23.9990
    assert round(float(dfdy), 4) == -0.0072


@pytest.mark.parametrize("w", [1.0, -1.0, 0.3])
def test_relu_graph_gradient_by_hand(w):
    args = [t(2.0), t(4.0), t(w), t(3.0)]
    closed = gradlab.relu_graph_grad_w(*args)
    auto = autograd(
        lambda w_: gradlab.relu_graph(args[0], args[1], w_, args[3]).l, args[2]
    )[0]
    assert max_relative_error(auto, closed) < 1e-12
    num = numeric(lambda *a: gradlab.relu_graph(*a).l, args, 2)
    assert max_relative_error(num, closed) < 1e-7


def test_relu_graph_values_at_the_seed_point():
    a, y, loss = gradlab.relu_graph(t(2.0), t(4.0), t(1.0), t(3.0))
    assert (float(a), float(y), float(loss)) == (6.0, 6.0, 10.0)
    assert float(gradlab.relu_graph_grad_w(t(2.0), t(4.0), t(1.0), t(3.0))) == 38.0


@pytest.mark.parametrize("point", [(0.5, 1.0, 2.0), (1.2, 2.0, 0.4)])
def test_tanh_log_three_ways(point):
    args = [t(v) for v in point]
    closed = gradlab.tanh_log_grad(*args)
    assert_three_ways(gradlab.tanh_log, args, closed)
    parts = gradlab.tanh_log_parts(*args)
    assert float(parts.f) == pytest.approx(float(gradlab.tanh_log(*args)), 1e-14)


@pytest.mark.parametrize("w,b", [(-0.5, 0.5), (0.3, -1.2)])
def test_neuron_three_ways(w, b):
    args = [t(w), t(b), t(1.0), t(7.0)]
    closed = gradlab.neuron_loss_grad(*args)
    auto = autograd(
        lambda w_, b_: gradlab.neuron_loss(w_, b_, args[2], args[3]), args[0], args[1]
    )
    for i in range(2):
        assert max_relative_error(auto[i], closed[i]) < 1e-12
        assert (
            max_relative_error(numeric(gradlab.neuron_loss, args, i), closed[i]) < 1e-7
        )


def test_sigmoid_net_gradients_three_ways():
    net = gradlab.sigmoid_net(seed=0).double()
    x = torch.randn(3, generator=torch.Generator().manual_seed(1), dtype=F64)
    net(x).sum().backward()
    hand = gradlab.sigmoid_net_grads(net, x)
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
        gradlab.sigmoid_net_grads(net, torch.ones(2, dtype=F64))


def test_sigmoid_net_is_seeded():
    a, b = gradlab.sigmoid_net(seed=3), gradlab.sigmoid_net(seed=3)
    assert torch.equal(a.linear1.weight, b.linear1.weight)
    assert not torch.equal(a.linear1.weight, gradlab.sigmoid_net(seed=4).linear1.weight)


@pytest.mark.parametrize("w", [1.0, 0.2])
def test_exp_loss_three_ways(w):
    assert_three_ways(gradlab.exp_loss, [t(w)], [gradlab.exp_loss_grad(t(w))])


def test_tanh_regression_gradient_three_ways_and_the_wrong_one():
    problem = gradlab.tanh_regression(seed=0)
    w = problem.start
    closed = problem.grad(w)
    assert_three_ways(problem.loss, [w], [closed])
    assert max_relative_error(problem.wrong_grad(w), closed) > 0.1
    with pytest.raises(ValueError, match="positive"):
        gradlab.tanh_regression(n=0, seed=0)


def test_gradcheck_accepts_tanh_and_catches_the_wrong_backward():
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(5, dtype=F64, generator=gen).requires_grad_()
    assert torch.autograd.gradcheck(torch.tanh, (x,))
    with pytest.raises(RuntimeError, match="Jacobian mismatch"):
        torch.autograd.gradcheck(gradlab.TanhWrongBackward.apply, (x,))


def test_epsilon_sweep_shows_truncation_and_round_off():
    sweeps = gradlab.epsilon_sweep()
    assert list(sweeps) == ["float32", "float64", "float64, wrong gradient"]

    def rel(check):
        return abs(check.error) / abs(check.directional_derivative)

    for dtype, floor in (("float32", 1e-3), ("float64", 1e-8)):
        errors = [rel(c) for c in sweeps[dtype]]
        best = min(range(len(errors)), key=errors.__getitem__)
        assert errors[best] < floor
        assert errors[0] > 100 * errors[best]  # truncation at large ε
        assert errors[-1] > 100 * errors[best]  # round-off at tiny ε
    best64 = min(rel(c) for c in sweeps["float64"])
    best32 = min(rel(c) for c in sweeps["float32"])
    assert best64 < best32 / 1000
    assert min(rel(c) for c in sweeps["float64, wrong gradient"]) > 0.1
