"""Many copies of one small network, trained side by side as one: stacked weights.

Copy k of a `Stack` has, in layer l, the weight ``weights[l][k]`` of shape (out, in)
and the bias ``biases[l][k]`` of shape (out,); ReLU sits between the layers and the
last layer gives one score per point. One batched matrix product per layer
(``torch.baddbmm``) runs every copy at once.

The copies share no parameter, so the gradient of the *sum* of their losses with
respect to copy k's parameters is copy k's own gradient; and the optimisers of
``torch.optim`` (SGD, momentum, Adam) act element by element, so one optimiser stepping
the stacked tensors takes every copy's own step. Training S seeds this way costs one
Python loop instead of S, and on tensors this small the loop is most of the cost.
``torch.func.vmap`` over ``torch.func.functional_call`` computes the same scores
(`vmapped_scores`), with more overhead per call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.utils.data import DataLoader

from gradlab import _checks
from gradlab.mlp import MLPParams

#: Hidden activations (copies × rows × units) evaluated at a time on a large set:
#: about what the CPU cache holds.
CHUNK = 400_000


@dataclass(frozen=True)
class Stack:
    """S copies of a ReLU network: per layer, ``weights`` (S, out, in), ``biases``
    (S, out); the last layer has one output (the score)."""

    weights: tuple[Tensor, ...]
    biases: tuple[Tensor, ...]

    @property
    def copies(self) -> int:
        """The number of copies S."""
        return self.weights[0].shape[0]

    def parameters(self) -> list[Tensor]:
        """Every stacked tensor: the weights, then the biases."""
        return [*self.weights, *self.biases]

    def activations(self, x: Tensor) -> list[Tensor]:
        """Each layer's output for inputs ``x``, (N, d) shared by all copies or
        (S, N, d) one set per copy: (S, N, width), after the ReLU for hidden
        layers; the last is the scores (S, N, 1)."""
        h = x if x.ndim == 3 else x.expand(self.copies, *x.shape)
        found = []
        last = len(self.weights) - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            h = torch.baddbmm(b[:, None, :], h, w.transpose(1, 2))
            if i < last:
                h = torch.relu(h)
            found.append(h)
        return found

    def scores(self, x: Tensor) -> Tensor:
        """Every copy's scores for inputs ``x`` ((N, d) or (S, N, d)): shape (S, N)."""
        return self.activations(x)[-1].squeeze(-1)

    def detach(self) -> Stack:
        """A copy of the current values that autograd does not track."""
        return Stack(
            tuple(w.detach().clone() for w in self.weights),
            tuple(b.detach().clone() for b in self.biases),
        )


def _relu_layers(model: nn.Module) -> list[nn.Linear]:
    """The Linear layers of a Linear–ReLU–…–Linear `nn.Sequential` (a final Flatten
    allowed); anything else raises."""
    kinds = [type(m) for m in model] if isinstance(model, nn.Sequential) else []
    if kinds and kinds[-1] is nn.Flatten:
        kinds = kinds[:-1]
    expected = [nn.Linear, nn.ReLU] * (len(kinds) // 2) + [nn.Linear]
    if not kinds or kinds != expected:
        raise TypeError("stacking needs nn.Sequential(Linear, ReLU, ..., Linear)")
    return [m for m in model if isinstance(m, nn.Linear)]


def stack_modules(models: Sequence[nn.Module]) -> Stack:
    """The ``models`` (one architecture, Linear and ReLU layers) as one `Stack`.

    The stacked tensors are new leaves (``torch.func.stack_module_state``); the
    models are left as they are.
    """
    if not models:
        raise ValueError("stack at least one model")
    for model in models:
        _relu_layers(model)
    params, _ = torch.func.stack_module_state(list(models))
    layers = [name.removesuffix(".weight") for name in params if name[-7:] == ".weight"]
    return Stack(
        tuple(params[f"{n}.weight"] for n in layers),
        tuple(params[f"{n}.bias"] for n in layers),
    )


def stack_params(params: Sequence[MLPParams]) -> Stack:
    """Raw-tensor classifiers (`gradlab.mlp.MLPParams`, one hidden width) as a
    `Stack` of new leaf tensors."""
    if not params:
        raise ValueError("stack at least one set of parameters")
    w1, b1, w2, b2 = (
        torch.stack(ts) for ts in zip(*(p.tensors() for p in params), strict=True)
    )
    stacked = (w1, w2[:, None, :]), (b1, b2[:, None])
    return Stack(
        *(tuple(t.detach().clone().requires_grad_() for t in s) for s in stacked)
    )


def unstack(stack: Stack, k: int) -> MLPParams:
    """Copy ``k`` of a one-hidden-layer `Stack` as `MLPParams` (detached)."""
    if len(stack.weights) != 2:
        raise ValueError("only a one-hidden-layer stack is an MLPParams")
    (w1, w2), (b1, b2) = stack.weights, stack.biases
    return MLPParams(*(t.detach()[k].clone() for t in (w1, b1, w2[:, 0], b2[:, 0])))


def concat(stacks: Sequence[Stack]) -> Stack:
    """Stacks of one architecture side by side, as one Stack (differentiable)."""
    if len(stacks) == 1:
        return stacks[0]
    return Stack(
        tuple(torch.cat(ws) for ws in zip(*(s.weights for s in stacks), strict=True)),
        tuple(torch.cat(bs) for bs in zip(*(s.biases for s in stacks), strict=True)),
    )


def copy_losses(scores: Tensor, y: Tensor) -> Tensor:
    """Each copy's mean binary cross-entropy: scores (S, N), labels (N,) or (S, N)
    in {0, 1}; returns (S,). The same loss as `gradlab.mlp.nll_loss`."""
    y = y.expand_as(scores)
    return F.binary_cross_entropy_with_logits(scores, y, reduction="none").mean(-1)


def copy_errors(stack: Stack, x: Tensor, y: Tensor) -> Tensor:
    """Each copy's error rate on labelled points, shared (N, d) and (N,) or one set
    per copy (S, N, d) and (S, N); returns (S,). Large sets go in chunks."""
    with torch.no_grad():
        if x.ndim == 3:
            return ((stack.scores(x) > 0).to(y.dtype) != y).double().mean(-1)
        widest = max(w.shape[1] for w in stack.weights)
        rows = max(1, CHUNK // (stack.copies * widest))
        wrong = sum(
            ((stack.scores(xc) > 0).to(yc.dtype) != yc).double().sum(-1)
            for xc, yc in zip(x.split(rows), y.split(rows), strict=True)
        )
        return wrong / len(y)


def vmapped_scores(models: Sequence[nn.Module], x: Tensor) -> Tensor:
    """The scores of Stack.scores computed the other way: ``torch.func.vmap`` over
    a functional call of one model with each copy's stacked parameters; (S, N)."""
    params, buffers = torch.func.stack_module_state(list(models))
    skeleton = models[0]

    def one(p: dict, b: dict, x: Tensor) -> Tensor:
        return torch.func.functional_call(skeleton, (p, b), (x,))

    return torch.func.vmap(one, in_dims=(0, 0, None))(params, buffers, x).reshape(
        len(models), len(x)
    )


def shufflers(n: int, seeds: Sequence[int]) -> list[DataLoader]:
    """One `DataLoader` per seed dealing 0 … n−1 in one batch, freshly shuffled on
    every pass: the order in which ``DataLoader(..., shuffle=True,
    generator=torch.Generator().manual_seed(seed))`` visits n points, epoch by epoch,
    as long as each pass is run to its end (``torch.cat(list(loader))``)."""
    _checks.whole_number(n, "n", minimum=1)
    return [
        DataLoader(
            torch.arange(n),
            batch_size=n,
            shuffle=True,
            generator=torch.Generator().manual_seed(_checks.seed(s)),
        )
        for s in seeds
    ]


def train_stacked(
    stacks: Sequence[Stack],
    optimizers: Sequence[torch.optim.Optimizer],
    x: Tensor,
    y: Tensor,
    *,
    batch_size: int,
    epochs: int,
    seeds: Sequence[int],
    schedulers: Sequence[torch.optim.lr_scheduler.LRScheduler] = (),
) -> Tensor:
    """Mini-batch training of several stacks of S copies (S = len(seeds)) at once.

    Every epoch, copy k of every stack visits the points in the order seed k's
    shuffler deals (so stacks see the same batches: a paired comparison), one
    optimiser step per batch of ``batch_size``; then each scheduler steps once. The
    ``optimizers`` between them hold every stack's tensors. ``x`` (N, d) and ``y``
    (N,) are shared, or (S, N, d) and (S, N) give each copy its own set. Returns
    each copy's loss on all its N points before training and after every epoch:
    shape (len(stacks), S, epochs + 1).
    """
    copies = len(seeds)
    if any(s.copies != copies for s in stacks):
        raise ValueError(f"every stack needs one copy per seed ({copies})")
    _checks.whole_number(batch_size, "batch_size", minimum=1)
    _checks.whole_number(epochs, "epochs")
    xs = x.expand(copies, *x.shape) if x.ndim == 2 else x
    ys = y.expand(copies, *y.shape) if y.ndim == 1 else y
    n = ys.shape[-1]
    loaders = shufflers(n, seeds) if batch_size < n else None
    history = [_all_losses(stacks, xs, ys)]
    for _ in range(epochs):
        xo, yo = _in_epoch_order(xs, ys, loaders, len(stacks))
        _stacked_epoch(stacks, optimizers, xo, yo, batch_size)
        for scheduler in schedulers:
            scheduler.step()
        history.append(_all_losses(stacks, xs, ys))
    return torch.stack(history, -1).reshape(len(stacks), copies, epochs + 1)


def _all_losses(stacks: Sequence[Stack], xs: Tensor, ys: Tensor) -> Tensor:
    """Each copy's loss on all its points ``xs`` (S, N, d), ``ys`` (S, N), stack
    after stack: shape (c·S,) for c stacks, computed without gradients."""
    c = len(stacks)
    with torch.no_grad():
        return copy_losses(concat(stacks).scores(xs.repeat(c, 1, 1)), ys.repeat(c, 1))


def _in_epoch_order(
    xs: Tensor, ys: Tensor, loaders: list[DataLoader] | None, c: int
) -> tuple[Tensor, Tensor]:
    """Each copy's points ``xs`` (S, N, d), ``ys`` (S, N) in the order its shuffler
    deals them this epoch (as they are, without ``loaders``: a full batch needs no
    shuffling), repeated for ``c`` stacks: (c·S, N, d) and (c·S, N)."""
    copies, n = ys.shape
    order = (
        torch.stack([torch.cat(list(loader)) for loader in loaders])
        if loaders
        else torch.arange(n).expand(copies, n)
    )
    xo = xs.gather(1, order[..., None].expand(-1, -1, xs.shape[-1])).repeat(c, 1, 1)
    return xo, ys.gather(1, order).repeat(c, 1)


def _stacked_epoch(
    stacks: Sequence[Stack],
    optimizers: Sequence[torch.optim.Optimizer],
    x: Tensor,
    y: Tensor,
    batch_size: int,
) -> None:
    """One epoch of `train_stacked` over points already in each copy's order, ``x``
    (c·S, N, d) and ``y`` (c·S, N): one step of every optimiser per batch."""
    for start in range(0, y.shape[-1], batch_size):
        batch = slice(start, start + batch_size)
        for optimizer in optimizers:
            optimizer.zero_grad()
        together = concat(stacks)
        copy_losses(together.scores(x[:, batch]), y[:, batch]).sum().backward()
        for optimizer in optimizers:
            optimizer.step()
