"""Experiments of "Computation graphs": the memory a backward pass needs (activations
saved by autograd) against depth and batch size, and what checkpointing trades."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch

from gradlab.batched import (
    checkpointed,
    forward_calls,
    live_outputs,
    saved_activation_bytes,
    tanh_stack,
)

#: Width of every layer of the memory experiments' networks, and their seed.
MEMORY_WIDTH, MEMORY_SEED = 64, 0
#: Depths (Linear + Tanh blocks) and batch sizes of the memory table.
MEMORY_DEPTHS, MEMORY_BATCHES = (2, 4, 8), (16, 64, 256)
#: The checkpointing comparison: depth, batch size, and segments.
CKPT_DEPTH, CKPT_BATCH, CKPT_SEGMENTS = 8, 256, 4


def _batch(batch: int, width: int, seed: int) -> torch.Tensor:
    return torch.randn(batch, width, generator=torch.Generator().manual_seed(seed))


def activation_memory(
    depths: Sequence[int] = MEMORY_DEPTHS,
    batches: Sequence[int] = MEMORY_BATCHES,
    *,
    width: int = MEMORY_WIDTH,
    seed: int = MEMORY_SEED,
) -> dict[tuple[int, int], int]:
    """(depth, batch) -> bytes of activations saved for the backward pass of
    `tanh_stack(depth, width)` on a batch (float32; the parameters left out)."""
    found = {}
    for depth in depths:
        net = tanh_stack(depth, width, seed=seed)
        for batch in batches:
            x = _batch(batch, width, seed + 1)
            found[depth, batch] = saved_activation_bytes(
                lambda net=net, x=x: net(x).sum(), list(net.parameters())
            )
    return found


@dataclass(frozen=True)
class Checkpointing:
    """One network run plainly, under `torch.no_grad()`, and checkpointed: saved
    activation bytes, module outputs alive after the forward pass, module forward
    calls for one forward and backward pass, and the largest gradient difference."""

    saved: dict[str, int]
    alive: dict[str, int]
    forward_calls: dict[str, int]
    grad_gap: float
    modules: int


def checkpointing(
    depth: int = CKPT_DEPTH,
    batch: int = CKPT_BATCH,
    segments: int = CKPT_SEGMENTS,
    *,
    width: int = MEMORY_WIDTH,
    seed: int = MEMORY_SEED,
) -> Checkpointing:
    """Compare the plain backward pass of `tanh_stack` with inference under no_grad
    and with `checkpointed` in ``segments`` pieces (gradients compared in float64)."""
    net = tanh_stack(depth, width, seed=seed).double()
    x, params = _batch(batch, width, seed + 1).double(), list(net.parameters())
    runs = {
        "plain": lambda: net(x),
        "checkpointed": lambda: checkpointed(net, x, segments),
    }
    saved, calls, grads = {}, {}, {}
    for name, run in runs.items():
        saved[name] = saved_activation_bytes(lambda run=run: run().sum(), params)
        calls[name] = forward_calls(net, lambda run=run: run().sum().backward())
        grads[name] = [p.grad.clone() for p in params]
        net.zero_grad(set_to_none=True)
    with torch.no_grad():
        saved["no_grad"] = saved_activation_bytes(lambda: net(x).sum(), params)
        alive_no_grad = live_outputs(net, x)
    gap = max(float((a - b).abs().max()) for a, b in zip(*grads.values(), strict=True))
    return Checkpointing(
        saved=saved,
        alive={"plain": live_outputs(net, x), "no_grad": alive_no_grad},
        forward_calls=calls,
        grad_gap=gap,
        modules=len(net),
    )
