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
