"""gradlab.batched: the hand-written batch gradients against central finite
differences in float64, and the memory counters on networks whose counts are known."""

import pytest
import torch
from gradlab import batched
from gradlab.gradcheck import max_relative_error, numerical_gradient

F64 = torch.float64


def test_linear_backward_matches_finite_differences():
    gen = torch.Generator().manual_seed(0)
    x, w, b, delta = (
        torch.randn(*s, generator=gen, dtype=F64)
        for s in ((5, 3), (3, 4), (4,), (5, 4))
    )
    dx, dw, db = batched.linear_backward(x, w, delta)
    for got, wrt, loss in (
        (dx, x, lambda v: ((v @ w + b) * delta).sum()),
        (dw, w, lambda v: ((x @ v + b) * delta).sum()),
        (db, b, lambda v: ((x @ w + v) * delta).sum()),
    ):
        assert max_relative_error(got, numerical_gradient(loss, wrt)) < 1e-6
    # and the check fails on a deliberately wrong gradient (the mean, not the sum)
    loss_w = lambda v: ((x @ v + b) * delta).sum()  # noqa: E731
    assert max_relative_error(dw / len(x), numerical_gradient(loss_w, w)) > 0.5


def test_two_layer_backprop_matches_finite_differences():
    net = batched.two_layer(3, 4, 2, seed=0)
    gen = torch.Generator().manual_seed(1)
    x, t = (torch.randn(6, k, generator=gen, dtype=F64) for k in (3, 2))
    hand = batched.two_layer_backprop(net, x, t)
    for name, value in vars(net).items():

        def loss(v, name=name):
            return batched.TwoLayer(**{**vars(net), name: v}).loss(x, t)

        assert max_relative_error(hand[name], numerical_gradient(loss, value)) < 1e-7


def test_saved_bytes_count_activations_once_and_not_the_parameters():
    net = batched.tanh_stack(3, 8, seed=0)
    x = torch.randn(5, 8)
    params = list(net.parameters())
    assert batched.saved_activation_bytes(lambda: net(x).sum(), params) == 4 * 5 * 8 * 4
    with_weights = batched.saved_activation_bytes(lambda: net(x).sum())
    assert with_weights == 4 * 5 * 8 * 4 + 2 * 8 * 8 * 4  # the first layer's W: unused
    with torch.no_grad():
        assert batched.saved_activation_bytes(lambda: net(x).sum(), params) == 0


def test_checkpointed_gives_the_same_output_and_gradients_with_more_calls():
    net = batched.tanh_stack(4, 8, seed=0).double()
    x = torch.randn(5, 8, dtype=F64)
    torch.testing.assert_close(batched.checkpointed(net, x, 2), net(x), rtol=0, atol=0)
    plain = batched.forward_calls(net, lambda: net(x).sum().backward())
    grads = [p.grad.clone() for p in net.parameters()]
    net.zero_grad()
    more = batched.forward_calls(
        net, lambda: batched.checkpointed(net, x, 2).sum().backward()
    )
    assert plain == len(net) < more
    for p, g in zip(net.parameters(), grads, strict=True):
        torch.testing.assert_close(p.grad, g, rtol=0, atol=0)


def test_live_outputs_counts_what_the_graph_keeps():
    net = batched.tanh_stack(3, 4, seed=0)
    x = torch.randn(2, 4)
    assert batched.live_outputs(net, x) == 3  # the tanh outputs
    with torch.no_grad():
        assert batched.live_outputs(net, x) == 1  # the result only


@pytest.mark.parametrize("depth", [1, 2])
def test_tanh_stack_has_depth_blocks(depth):
    net = batched.tanh_stack(depth, 4, seed=0)
    assert len(net) == 2 * depth
    assert all(p.dtype == torch.float32 for p in net.parameters())
