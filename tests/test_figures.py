"""The figure registry (`python -m gradlab figures`) matches what the chapters embed."""

import pytest
from gradlab.cli import main
from gradlab.figures import registry, write_figures

from tests._book import chapter_files, figure_names


def test_registry_names_equal_the_chapters_figure_names():
    in_chapters = [
        name for chapter in chapter_files() for name in figure_names(chapter)
    ]
    assert len(in_chapters) == len(set(in_chapters)), "a figure name is used twice"
    assert set(registry()) == set(in_chapters)


def test_one_figure_is_written_under_its_name(tmp_path, capsys):
    assert main(["figures", "--out", str(tmp_path), "--only", "gradient-field"]) == 0
    assert (tmp_path / "gradient-field.png").stat().st_size > 10_000
    assert capsys.readouterr().out.strip().endswith("gradient-field.png")


def test_list_prints_every_name(capsys):
    assert main(["figures", "--list"]) == 0
    assert capsys.readouterr().out.split() == sorted(registry())


def test_unknown_names_are_rejected(tmp_path):
    with pytest.raises(ValueError, match="unknown figure"):
        write_figures(tmp_path, ["no-such-figure"])
