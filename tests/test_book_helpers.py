import dataclasses
import sys
from types import SimpleNamespace

import matplotlib
import matplotlib.pyplot as plt
import pytest
import torch
from gradlab.book import (
    MEASURED,
    beyond_round_off,
    figure_data,
    glue,
    glue_table,
    markdown_table,
)
from gradlab.plotting.style import RC, styled
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output


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


@pytest.fixture
def kernel_display():
    """An IPython shell, as a notebook kernel has: what `display` publishes is kept."""
    shell = InteractiveShell.instance()
    try:
        with capture_output() as captured:
            yield captured
    finally:
        InteractiveShell.clear_instance()
        del shell


def records(captured) -> dict[str, tuple[str, dict[str, str]]]:
    """name -> (mime prefix, mime bundle) of what glue published."""
    found = {}
    for out in captured.outputs:
        where = out.metadata["scrapbook"]
        found[where["name"]] = (where["mime_prefix"], out.data)
    return found


def test_glue_records_numbers_hidden_and_marks_measurements(kernel_display):
    glue("loss", torch.tensor(1.5))
    glue("seconds", 0.25, measured=True)
    glue("shown", 3, display=True)
    glue_table("table", ["x"], [[torch.tensor(0.5)]])
    got = records(kernel_display)
    assert list(got) == ["loss", "seconds", "seconds" + MEASURED, "shown", "table"]
    hidden, loss = got["loss"]
    assert hidden and loss == {hidden + "text/plain": "1.5"}  # a number, not a tensor
    assert got["seconds" + MEASURED][1] == {hidden + "text/plain": "True"}
    assert got["shown"] == ("", {"text/plain": "3"})  # shown in the page as well
    prefix, table = got["table"]
    assert prefix == hidden
    assert table[hidden + "text/markdown"] == "| x |\n|---|\n| 0.5 |"


def test_glue_outside_the_book_build_shows_what_the_reader_needs(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "myst_nb", None)  # as on Colab: no myst-nb
    glue("loss", torch.tensor(1.5))
    assert capsys.readouterr().out == ""  # the prose quotes it: nothing to show
    glue("seconds", torch.tensor(0.123456), measured=True)
    glue("steps", 12, measured=True)
    assert capsys.readouterr().out == "seconds: 0.123\n12\n"
    glue("shown", 2.5, display=True)
    glue_table("table", ["x"], [[1.5]])
    shown = capsys.readouterr().out.splitlines()
    assert shown[0] == "2.5" and shown[1].startswith("<IPython.core.display.Markdown")


def test_beyond_round_off_replaces_only_values_below_the_floor():
    assert beyond_round_off(torch.tensor(2.9e-3), 1e-8) == "3e-03"
    assert beyond_round_off(-4.2e-7, 1e-8, ".1e") == "-4.2e-07"
    assert beyond_round_off(-3.2e-17, 1e-15) == "< 1e-15"
    assert beyond_round_off(0.0, 1e-15) == "< 1e-15"
    assert beyond_round_off(1e-15, 1e-15) == "1e-15"  # at the floor: the value


def test_figure_data_changes_with_any_value_or_order_and_ignores_container_type():
    a, b = torch.tensor([1.0, 2.0]), torch.tensor([2.0, 1.0])
    assert figure_data(a) == [[2], 3.0, 5.0]
    assert figure_data(b) == [[2], 3.0, 4.0]  # same sum, other order: other data
    assert figure_data(a.reshape(2, 1)) != figure_data(a)

    @dataclasses.dataclass
    class Result:
        curve: torch.Tensor
        label: str

    assert figure_data(Result(a, "x")) == figure_data((a, "x")) == figure_data([a, "x"])
    assert figure_data({"k": 1}) == ["k", 1] != figure_data({"j": 1})
    drawing, other = SimpleNamespace(source="digraph {}"), SimpleNamespace(source="x")
    assert figure_data(drawing) != figure_data(other)
    layer = torch.nn.Linear(1, 1)
    assert figure_data(layer) == figure_data(dict(layer.state_dict()))
    with pytest.raises(TypeError, match="cannot summarise a set"):
        figure_data({1, 2})


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
