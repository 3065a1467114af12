"""The library's loops, run in chunks so that the command line can show progress and
stop a run that can only repeat itself.

Each chunk continues from where the last one ended with the same deterministic
steps, so the joined history is the one a single call would return, number for
number; the library's loops stay as the book shows them. Imported after parsing: it
loads torch.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import torch
from torch import Tensor

from gradlab.data import LabelledPoints
from gradlab.descent import History, LossFn, gradient_descent
from gradlab.mlp import MLPParams
from gradlab.training import MLPRun, mlp_objective

OnStep = Callable[[int], None] | None

#: Seconds of work per chunk: often enough for a bar, rare enough to cost nothing.
CHUNK_SECONDS = 0.2
_MAX_CHUNK = 1_000


class _Chunks:
    """Chunk sizes that grow until a chunk takes about CHUNK_SECONDS."""

    def __init__(self, total: int) -> None:
        self.total, self.done, self.size = total, 0, 8
        self.started = time.perf_counter()

    def next(self) -> int:
        return min(self.size, self.total - self.done)

    def advance(self, steps: int, on_step: OnStep) -> None:
        elapsed = time.perf_counter() - self.started
        if steps and elapsed > 0:
            rate = steps / elapsed
            self.size = int(max(1, min(_MAX_CHUNK, rate * CHUNK_SECONDS)))
        self.done += steps
        self.started = time.perf_counter()
        if on_step is not None:
            on_step(self.done)


def first_repeat(points: Tensor, total: int, since: int = 0) -> int | None:
    """First index j >= ``since`` at which a deterministic run of ``total`` steps that
    visited ``points`` (k + 1, d) can stop with the final point it would reach.

    Once the point at j equals the one at j − 1 (a fixed point) or at j − 2 (a
    2-cycle, which rounding often produces near a minimum), every later step
    repeats them; a 2-cycle ends on the point at j only after an even number of
    further steps.

    >>> first_repeat(torch.tensor([[3.0], [1.0], [-1.0], [1.0], [-1.0]]), total=9)
    3
    """
    lo = max(since - 2, 0)  # the two points before ``since`` are all that is needed
    flat = points[lo:].reshape(len(points) - lo, -1)
    j = torch.arange(lo, len(points))
    still = torch.zeros(len(j), dtype=torch.bool)
    still[1:] = (flat[1:] == flat[:-1]).all(1)
    cycle = torch.zeros(len(j), dtype=torch.bool)
    cycle[2:] = (flat[2:] == flat[:-2]).all(1) & ((total - j[2:]) % 2 == 0)
    found = ((still | cycle) & (j >= since)).nonzero()
    return int(j[found[0]]) if len(found) else None


def descend(
    loss_fn: LossFn,
    start: Tensor | list[float],
    *,
    lr: float,
    steps: int,
    on_step: OnStep = None,
    keep_path: bool = True,
) -> tuple[History, bool]:
    """`gradient_descent` in chunks; returns the history and whether it stopped
    early because the parameters repeat (its end is then the full run's end).

    Without ``keep_path`` (a run too long to keep every point) every step is run.
    """
    points: list[Tensor] = []
    losses: list[Tensor] = []
    chunks = _Chunks(steps)
    w = torch.as_tensor(start)
    recent = None  # the last two points so far
    repeated = False
    while True:
        n = chunks.next()
        part = gradient_descent(loss_fn, w, lr=lr, steps=n, keep_path=keep_path)
        path, part_losses, taken = part.params, part.losses, part.steps
        if recent is not None:  # a chunk starts where the last one ended
            path, part_losses = path[1:], part_losses[1:]
        if keep_path:
            # The new points and the two before them: a repeat is found wherever
            # the chunks begin, so what is printed does not depend on timing.
            tail = path if recent is None else torch.cat([recent, path])
            since = len(tail) - taken  # index in ``tail`` of the first new point
            offset = chunks.done + 1 - since  # tail[i] is point offset + i of the run
            end = first_repeat(tail, steps - offset, since)
            if end is not None:
                keep = len(path) - (len(tail) - 1 - end)
                path, part_losses = path[:keep], part_losses[:keep]
                taken, repeated = end - since + 1, True
            recent = path[-2:] if recent is None else torch.cat([recent, path])[-2:]
            points.append(path)
        else:
            points = [points[0] if points else path[0:1], path[-1:]]
            recent = path[-1:]
        losses.append(part_losses)
        w = path[-1]
        chunks.advance(taken, on_step)
        if repeated or taken < n or chunks.done == steps:
            return History(torch.cat(points), torch.cat(losses), part.lr), (
                repeated and chunks.done < steps
            )


def train(
    params: MLPParams,
    data: LabelledPoints,
    *,
    lr: float,
    epochs: int,
    on_step: OnStep = None,
) -> MLPRun:
    """`gradlab.training.train_mlp` in chunks (every epoch is run)."""
    objective, theta = mlp_objective(params, data), params.flat()
    history, _ = descend(
        objective, theta, lr=lr, steps=epochs, on_step=on_step, keep_path=False
    )
    return MLPRun.of(history, params)
