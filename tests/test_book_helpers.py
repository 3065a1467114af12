import matplotlib
import matplotlib.pyplot as plt
import pytest
import torch
from gradlab.book import glue, markdown_table
from gradlab.plotting.style import RC, styled


def test_markdown_table_formats_numbers_and_tensors():
    table = markdown_table(["a", "b"], [[1.23456, torch.tensor(2.0)], ["x", 3]])
    assert table.splitlines() == [
        "| a | b |",
        "|---|---|",
        "| 1.235 | 2 |",
        "| x | 3 |",
    ]
    with pytest.raises(ValueError, match="one cell per header"):
        markdown_table(["a"], [[1, 2]])


def test_glue_outside_a_notebook_does_not_fail():
    assert glue("name", torch.tensor(1.5)) is None


def test_styled_keeps_global_rcparams_and_a_switched_on_interactive_mode():
    before = matplotlib.rcParams["text.color"]
    was_interactive = matplotlib.is_interactive()

    @styled
    def draw():
        assert matplotlib.rcParams["text.color"] == RC["text.color"]
        matplotlib.interactive(True)  # what IPython does on the first figure
        return plt.figure()

    try:
        fig = draw()
        assert fig.get_facecolor()[3] == 0  # transparent: no white slab on dark pages
        assert matplotlib.rcParams["text.color"] == before
        assert matplotlib.is_interactive()
    finally:
        matplotlib.interactive(was_interactive)


def test_pin_float_path_sets_the_books_path_and_keeps_a_chosen_one(monkeypatch):
    from gradlab.book import FLOAT_PATH, SECOND_FLOAT_PATH, pin_float_path

    monkeypatch.setattr("platform.machine", lambda: "x86_64")
    empty: dict[str, str] = {}
    assert pin_float_path(empty) == FLOAT_PATH == empty
    chosen = dict(SECOND_FLOAT_PATH)
    assert pin_float_path(chosen) == SECOND_FLOAT_PATH  # an exported path wins
    partly = {"MKL_CBWR": "AUTO"}
    assert pin_float_path(partly) == {**FLOAT_PATH, "MKL_CBWR": "AUTO"}


def test_pin_float_path_leaves_other_processors_alone(monkeypatch):
    from gradlab.book import pin_float_path

    monkeypatch.setattr("platform.machine", lambda: "aarch64")
    environ: dict[str, str] = {}
    assert pin_float_path(environ) == {} and environ == {}
