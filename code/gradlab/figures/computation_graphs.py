"""Figures of book/computation-graphs.md, by the names the chapter gives them."""

import torch

import gradlab


def _square():
    x = torch.tensor(3.5, requires_grad=True)
    y = gradlab.square(x)
    return gradlab.autograd_dag(y, {"x": x, "y": y})


def _composite():
    x = torch.tensor(2.0, requires_grad=True)
    y = torch.tensor(4.0, requires_grad=True)
    parts = gradlab.composite_parts(x, y)
    return gradlab.autograd_dag(parts.z4, {"x": x, "y": y, **parts._asdict()})


def _relu():
    w = torch.tensor(1.0, requires_grad=True)
    x, b, t = torch.tensor(2.0), torch.tensor(4.0), torch.tensor(3.0)
    loss = gradlab.relu_graph(x, b, w, t).l
    return gradlab.autograd_dag(loss, {"w": w, "l": loss})


def _sigmoid_net():
    net = gradlab.sigmoid_net(seed=0)
    out = net(torch.randn(3, generator=torch.Generator().manual_seed(1)))
    return gradlab.autograd_dag(out, dict(net.named_parameters()) | {"output": out})


FIGURES = {
    "cg-square-dag": _square,
    "cg-composite-dag": _composite,
    "cg-relu-dag": _relu,
    "cg-tanh-log-values": lambda: gradlab.value_grad_dag(
        gradlab.trace_values_and_grads(
            gradlab.tanh_log_parts,
            x=torch.tensor(0.5),
            y=torch.tensor(1.0),
            z=torch.tensor(2.0),
        )
    ),
    "cg-sigmoid-net-dag": _sigmoid_net,
    "cg-composite-values": lambda: gradlab.value_grad_dag(
        gradlab.trace_values_and_grads(
            gradlab.composite_parts, x=torch.tensor(2.0), y=torch.tensor(4.0)
        )
    ),
}
