"""gradlab.exercises: the checks readers run on their own answers say what is off, and
in the built book every solution passes its check while every unanswered cell fails."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import torch
from gradlab import exercises
from gradlab.exercises import close, holds

from tests._book import chapter_files, sources

W = torch.arange(12.0).reshape(3, 4)
CALL = re.compile(r"exercises\.check\(\s*[\"']([^\"']+)[\"']")


@pytest.mark.parametrize(
    ("answer", "why"),
    [
        (None, "not answered yet"),
        (..., "not answered yet"),
        ("twelve", "expected numbers, got a str"),
        (W.T, "shape (4, 3): looks transposed"),
        (W.reshape(4, 3), "the right numbers in shape (4, 3), not (3, 4)"),
        (-W, "the wrong sign"),
        (W / 12, "0.08333 times the expected values"),
        (W + 0.5 * torch.eye(3, 4), "0.5 at index (0, 0) where 0 is expected"),
        (W[0], "shape (4,) where (3, 4) is expected"),
    ],
)
def test_a_wrong_answer_is_told_what_is_off(answer, why):
    result = close("dW", answer, W)
    assert not result.ok and result.why.startswith(why)
    assert str(result) == f"✗ dW: {result.why}"


def test_a_right_answer_passes_in_any_dtype_or_container():
    for answer in (W, W.float(), W.double().numpy(), W.tolist()):
        assert close("dW", answer, W).ok
    assert str(close("dW", W, W)) == "✓ dW"
    assert close("a number", 2.0, torch.tensor(2.0 + 1e-12)).ok
    third = 1 / 3  # a Python float reaches the comparison in float64, all its digits
    assert close(
        "a third", third, torch.tensor(third, dtype=torch.float64), rtol=1e-15
    ).ok
    assert close("a number", 2.0, 3.0).why == "2 where 3 is expected"  # no factor
    assert not holds("monotone", False, "it rises at step 3").ok


@exercises.exercise("ex-test-double")
def _double(answer):
    x = torch.tensor([1.0, -2.0, 3.0], dtype=torch.float64)
    yield close("double(x)", answer(x), 2 * x)
    yield holds("double keeps the dtype", answer(x).dtype == x.dtype, "not float64")


def test_check_prints_one_line_per_comparison_and_a_verdict(capsys):
    exercises.check("ex-test-double", lambda x: x + x)
    assert capsys.readouterr().out == (
        "✓ double(x)\n✓ double keeps the dtype\nAll checks pass.\n"
    )
    exercises.check("ex-test-double", lambda x: None)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "✗ double(x): not answered yet (the answer is None)"
    assert out[1].startswith("✗ your code ran: AttributeError")  # None.dtype
    assert out[-1] == "2 of 2 checks fail."


def test_the_readers_error_is_one_line_not_a_traceback(capsys):
    exercises.check("ex-test-double", lambda x: x + "oops")
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("✗ your code ran: TypeError") and len(out) == 2
    with pytest.raises(ValueError, match="no checked exercise is labelled 'ex-nope'"):
        exercises.check("ex-nope", None)
    with pytest.raises(ValueError, match="two checkers"):
        exercises.exercise("ex-test-double")(_double)


def checked_cells(chapter: Path):
    """(label, tags, printed text) of every executed cell that calls a check."""
    found = []
    for cell in sources.executed(chapter).cells:
        call = CALL.search(cell.source) if cell.cell_type == "code" else None
        if call:
            printed = "".join(o.get("text", "") for o in cell.outputs)
            found.append((call[1], cell.metadata.get("tags", []), printed))
    return found


@pytest.mark.book
@pytest.mark.parametrize("chapter", chapter_files(), ids=lambda p: p.stem)
def test_solutions_pass_their_checks_and_unanswered_cells_do_not(chapter: Path):
    labels = {
        line.split(":label:")[1].strip()
        for line in chapter.read_text().splitlines()
        if line.startswith(":label: ex-")
    }
    asked, solved = set(), set()
    for label, tags, printed in checked_cells(chapter):
        assert label in labels, f"{label}: no such exercise in {chapter.name}"
        if "exercise-check" in tags:
            assert "remove-output" in tags  # the page shows the cell, not its output
            assert "✗" in printed and "All checks pass." not in printed, label
            asked.add(label)
        else:
            assert "All checks pass." in printed and "✗" not in printed, label
            solved.add(label)
    assert asked == solved  # each reader's cell has a solution that passes


@pytest.mark.book
def test_every_checker_is_used_by_its_chapter():
    used = {label for md in chapter_files() for label, _, _ in checked_cells(md)}
    registered = set(exercises.checkers()) - {"ex-test-double"}
    assert registered <= used


# --- wrong answers of a known kind get a hint that names it (review r1) ---


def _div_assigning(a, b):
    """closure_div with the bug the chapter teaches: = where += belongs."""
    from gradlab.engine import Value

    out = Value(a.data / b.data, (a, b), "÷")

    def _backward():
        a.grad = out.grad / b.data
        b.grad = -a.data / b.data**2 * out.grad

    out._backward = _backward
    return out


def _failures(label, answer):
    return [r for r in exercises.results(label, answer) if not r.ok]


def test_a_closure_that_assigns_fails_the_division_check():
    (failed,) = _failures("ex-autograd-from-scratch-closure-div", _div_assigning)
    assert "+=" in failed.why


def test_a_quotient_without_a_backward_step_is_told_so():
    from gradlab.engine import Value

    def no_closure(a, b):
        return Value(a.data / b.data, (a, b), "÷")

    (failed,) = _failures("ex-autograd-from-scratch-closure-div", no_closure)
    assert "_backward" in failed.why


def test_swapped_one_sided_derivatives_are_named_as_swapped():
    def swapped(f, w, h=1e-6):
        return float((f(w + h) - f(w)) / h), float((f(w) - f(w - h)) / h)

    failed = _failures("ex-computation-graphs-one-sided", swapped)
    assert failed and all(r.why == "left and right swapped" for r in failed)


def test_answers_of_the_wrong_form_get_a_sentence_not_a_python_error():
    def three(x, t, w1, b1, w2, b2):
        return w1, b1, w2

    (failed,) = _failures("ex-computation-graphs-tanh-delta", three)
    assert "four gradients" in failed.why and "got 3" in failed.why
    (failed,) = _failures("ex-autograd-stop-gradient", lambda w: 0.25)
    assert "got a float" in failed.why
    (failed,) = _failures("ex-autograd-beyond-dual", lambda x: x)
    assert "pair (value, tangent)" in failed.why


def test_the_best_bowl_step_is_accepted_to_four_decimals_only():
    assert not _failures("ex-gradients-best-bowl-step", 0.1818)
    assert _failures("ex-gradients-best-bowl-step", 0.18)


def test_a_hessian_vector_product_without_create_graph_is_told_to_add_it():
    def no_create_graph(f, w, v):
        w = w.requires_grad_()
        (g,) = torch.autograd.grad(f(w), w)
        (hv,) = torch.autograd.grad(g @ v, w)
        return hv

    (failed,) = _failures("ex-autograd-beyond-hvp", no_create_graph)
    assert "create_graph=True" in failed.why
