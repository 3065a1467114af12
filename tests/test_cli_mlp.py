import pytest
from gradlab.cli import main


def test_mlp_prints_errors_and_writes_the_boundary(capsys, tmp_path):
    out_file = tmp_path / "boundary.png"
    code = main(["mlp", "--hidden", "20", "--epochs", "50", "--out", str(out_file)])
    out, err = capsys.readouterr()
    assert code == 0 and err == ""
    assert "20 hidden units, 50 epochs at lr 0.1" in out
    assert (
        "test error" in out and "on 26,492 points" in out and "Bayes error 9.33%" in out
    )
    assert out_file.stat().st_size > 5000


def test_mlp_defaults_are_the_chapter_settings(capsys):
    assert main(["mlp"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("5 hidden units, 100 epochs at lr 0.1:")
    assert "train error 26.00% on 200 points" in out


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["mlp", "--hidden", "0"], "expected a whole number >= 1, got 0"),
        (["mlp", "--hidden", "-4"], "expected a whole number >= 1, got -4"),
        (["mlp", "--hidden", "five"], "expected a whole number >= 1, got 'five'"),
        (["mlp", "--epochs", "1e3"], "expected a whole number >= 1, got '1e3'"),
        (["mlp", "--lr", "fast"], "expected a number > 0, got 'fast'"),
        (["mlp", "--seed", "-1"], "expected a whole number >= 0"),
        (["mlp", "--out", "/no/such/folder/b.png"], "no folder '/no/such/folder'"),
    ],
)
def test_mlp_bad_input_is_one_line_and_status_2(capsys, argv, needle):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    out, err = capsys.readouterr()
    assert out == "" and needle in err and err.count("\n") == 1
