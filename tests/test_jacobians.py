"""VJPs, JVPs, Jacobians and second derivatives against closed forms and finite
differences (float64), and the claims of the chapter "Autograd beyond a scalar loss"."""

import gradlab
import pytest
import torch
from gradlab import functions, jacobians
from gradlab.gradcheck import numerical_gradient

F64 = torch.float64
POINTS = [(0.5, -1.2, 0.8), (1.0, 2.0, 0.0), (-0.3, 0.4, 2.5)]


def numerical_jacobian(f, x):
    return torch.stack(
        [numerical_gradient(lambda p, i=i: f(p)[i], x) for i in range(f(x).numel())]
    )


@pytest.mark.parametrize("point", POINTS)
def test_jacobians_agree_with_the_closed_form_and_finite_differences(point):
    x = torch.tensor(point, dtype=F64)
    closed = jacobians.two_outputs_jacobian(x)
    f = jacobians.two_outputs
    for found in (
        jacobians.jacobian_by_vjps(f, x),
        jacobians.jacobian_by_jvps(f, x),
        torch.autograd.functional.jacobian(f, x),
        numerical_jacobian(f, x),
    ):
        torch.testing.assert_close(found, closed, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("point", POINTS)
def test_backward_with_a_gradient_is_the_vector_jacobian_product(point):
    x = torch.tensor(point, dtype=F64, requires_grad=True)
    v = torch.tensor([1.0, -2.0], dtype=F64)
    jacobians.two_outputs(x).backward(gradient=v)
    torch.testing.assert_close(x.grad, v @ jacobians.two_outputs_jacobian(x.detach()))
    with pytest.raises(RuntimeError, match="scalar outputs"):
        jacobians.two_outputs(x).backward()


def test_sum_trick_gives_the_derivatives_only_for_a_diagonal_jacobian():
    grid = torch.linspace(-2, 2, 5, dtype=F64, requires_grad=True)
    torch.sin(grid**2).sum().backward()
    g = grid.detach()
    torch.testing.assert_close(grid.grad, 2 * g * torch.cos(g**2))
    x = torch.tensor(POINTS[0], dtype=F64, requires_grad=True)
    jacobians.two_outputs(x).sum().backward()
    jac = jacobians.two_outputs_jacobian(x.detach())
    torch.testing.assert_close(x.grad, jac.sum(0))
    assert jac[0, 1] != 0 and jac[1, 1] != 0  # both rows reach x₁: a sum, mixed


def test_exercise_vjp_by_hand():
    # autograd-beyond.md, exercise: vᵀJ = (12, 4, 1) at x = (1, 2, 0), v = (3, 1).
    x = torch.tensor([1.0, 2.0, 0.0], dtype=F64, requires_grad=True)
    jacobians.two_outputs(x).backward(gradient=torch.tensor([3.0, 1.0], dtype=F64))
    assert x.grad.tolist() == [12.0, 4.0, 1.0]


def test_mode_costs_counts_passes_and_flops_and_times_every_repeat():
    many_to_one, one_to_many = jacobians.mode_costs(repeats=3)
    size = jacobians.MODE_SIZE
    assert (many_to_one.n, many_to_one.m) == (size, 1)
    assert (one_to_many.n, one_to_many.m) == (1, size)
    assert (many_to_one.forward_passes, many_to_one.backward_passes) == (size, 1)
    assert (one_to_many.forward_passes, one_to_many.backward_passes) == (1, size)
    one_pass = 2 * size * size * jacobians.MODE_DEPTH  # a matrix-vector product a layer
    assert many_to_one.reverse_flops == one_to_many.forward_flops == one_pass
    assert len(many_to_one.forward_seconds) == len(one_to_many.reverse_seconds) == 3
    with pytest.raises(ValueError, match="size"):
        jacobians.mode_costs(1)
    with pytest.raises(ValueError, match="shape"):
        jacobians.two_outputs(torch.ones(2))


def test_deep_tanh_is_seeded_and_keeps_the_width():
    x = torch.linspace(-1, 1, 6, dtype=F64)
    a, b = (jacobians.deep_tanh(6, 3, seed=0)(x) for _ in range(2))
    assert a.shape == (6,) and torch.equal(a, b)
    assert not torch.equal(a, jacobians.deep_tanh(6, 3, seed=1)(x))


def test_retain_graph_lets_backward_run_twice_and_accumulate():
    w = torch.tensor(1.0, dtype=F64, requires_grad=True)
    loss = functions.exp_loss(w)
    loss.backward()
    with pytest.raises(RuntimeError, match="second time"):
        loss.backward()
    w.grad = None
    loss = functions.exp_loss(w)
    loss.backward(retain_graph=True)
    loss.backward()
    torch.testing.assert_close(w.grad, 2 * functions.exp_loss_grad(w.detach()))


@pytest.mark.parametrize("point", [0.7, -1.3, 0.0])
def test_second_derivative_of_tanh(point):
    x = torch.tensor(point, dtype=F64, requires_grad=True)
    (first,) = torch.autograd.grad(torch.tanh(x), x, create_graph=True)
    (second,) = torch.autograd.grad(first, x)
    closed = functions.tanh_second_derivative(x.detach())
    torch.testing.assert_close(second, closed, rtol=1e-12, atol=1e-14)
    numeric = numerical_gradient(lambda p: 1 - torch.tanh(p) ** 2, x.detach())
    torch.testing.assert_close(numeric, closed, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("seed", range(3))
def test_hessian_vector_product(seed):
    gen = torch.Generator().manual_seed(seed)
    b = torch.randn(4, 4, generator=gen, dtype=F64)
    a = b + b.T
    w = torch.randn(4, generator=gen, dtype=F64, requires_grad=True)
    v = torch.randn(4, generator=gen, dtype=F64)
    (grad,) = torch.autograd.grad(functions.quadratic_sine(w, a), w, create_graph=True)
    (hvp,) = torch.autograd.grad(grad @ v, w)
    closed = functions.quadratic_sine_hvp(w.detach(), a, v)
    torch.testing.assert_close(hvp, closed, rtol=1e-12, atol=1e-12)
    hessian = torch.autograd.functional.hessian(
        lambda p: functions.quadratic_sine(p, a), w.detach()
    )
    torch.testing.assert_close(hessian @ v, closed, rtol=1e-12, atol=1e-12)


def test_hook_sees_the_gradient_and_clips_it():
    w = torch.tensor(-0.5, requires_grad=True)
    b = torch.tensor(0.5, requires_grad=True)
    seen = []
    w.register_hook(lambda g: seen.append(g.item()) or g.clamp(-1, 1))
    x, t = torch.tensor(1.0), torch.tensor(7.0)
    functions.neuron_loss(w, b, x, t).backward()
    hand = functions.neuron_loss_grad(w.detach(), b.detach(), x, t)[0]
    assert seen == [pytest.approx(float(hand))] and float(hand) < -1
    assert w.grad.item() == -1.0


def test_the_correct_custom_function_passes_gradcheck_and_the_wrong_one_fails():
    z = torch.randn(5, dtype=F64, generator=torch.Generator().manual_seed(3))
    z.requires_grad_()
    assert torch.autograd.gradcheck(functions.TanhFunction.apply, (z,))
    assert not torch.autograd.gradcheck(
        functions.TanhWrongBackward.apply, (z,), raise_exception=False
    )
    out = functions.TanhFunction.apply(z)
    out.sum().backward()
    torch.testing.assert_close(z.grad, 1 - torch.tanh(z.detach()) ** 2)
    assert gradlab.functions.TanhFunction is functions.TanhFunction


@pytest.mark.parametrize("start", [3.0, -0.5, 0.4, -2.5, 7.9, 0.9])
def test_dynamic_graph_gradient_matches_closed_form_and_finite_differences(start):
    x = torch.tensor(start, dtype=F64, requires_grad=True)
    functions.halve_then_bend(x).backward()
    closed = functions.halve_then_bend_grad(x.detach())
    torch.testing.assert_close(x.grad, closed, rtol=1e-12, atol=1e-14)
    numeric = numerical_gradient(functions.halve_then_bend, x.detach())
    torch.testing.assert_close(numeric, closed, rtol=1e-7, atol=1e-9)


def test_dynamic_graph_differs_with_the_input():
    from gradlab.figures import autograd_beyond

    large, small = (data().source for data, _ in autograd_beyond.FIGURES.values())
    assert large.count("DivBackward0") == 2 and "SinBackward0" in large
    assert "DivBackward0" not in small and "PowBackward0" in small


def test_frozen_layer_gets_no_gradient_and_inference_tensors_stay_out():
    net = functions.sigmoid_net(seed=0)
    net.linear1.requires_grad_(False)
    x = torch.randn(3, generator=torch.Generator().manual_seed(1))
    net(x).sum().backward()
    assert net.linear1.weight.grad is None and net.linear1.bias.grad is None
    assert net.linear2.weight.grad is not None
    w = torch.tensor(2.0, requires_grad=True)
    with torch.no_grad():
        plain = net(x)
    with torch.inference_mode():
        frozen = net(x)
    assert frozen.is_inference() and not plain.is_inference()
    (plain * w).sum().backward()
    torch.testing.assert_close(w.grad, plain.sum())
    with pytest.raises(RuntimeError, match=r"[Ii]nference tensor"):
        (frozen * w).sum().backward()


def test_data_gives_a_wrong_gradient_without_error():
    w = torch.tensor(1.0, dtype=F64, requires_grad=True)
    functions.exp_loss_through_data(w).backward()
    right = functions.exp_loss_grad(w.detach())
    torch.testing.assert_close(w.grad, right / 2)
    numeric = numerical_gradient(functions.exp_loss, w.detach())
    torch.testing.assert_close(numeric, right, rtol=1e-7, atol=1e-9)
