"""Checks of the code exercises of book/digits.md."""

import torch

from gradlab.classify import confusion_matrix
from gradlab.exercises import close, exercise


def _scores_and_labels() -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(28)
    return torch.randn(50, 10, generator=g), torch.randint(0, 10, (50,), generator=g)


@exercise("ex-digits-confusion")
def confusion(answer):
    """answer(predicted, y) -> (10, 10) counts, row = true digit, column = predicted."""
    scores, y = _scores_and_labels()
    predicted = scores.argmax(1)
    want = confusion_matrix(predicted, y)
    yield close("the confusion matrix of 50 predictions", answer(predicted, y), want)
    yield close(
        "every prediction right",
        answer(y, y),
        torch.diag(torch.bincount(y, minlength=10)),
    )


@exercise("ex-digits-decoupled")
def decoupled(answer):
    """answer(w, grad, lr, decay) -> w after one SGD step on the loss + decay/2 ‖w‖²,
    written as a decay of w followed by the gradient's step."""
    g = torch.Generator().manual_seed(29)
    w, grad = torch.randn(4, 3, generator=g), torch.randn(4, 3, generator=g)
    for lr, decay in ((0.1, 0.01), (0.5, 0.2)):
        want = w - lr * (grad + decay * w)
        yield close(
            f"one step at lr {lr:g}, decay {decay:g}", answer(w, grad, lr, decay), want
        )
