import subprocess
import sys

import pytest
from gradlab.cli import main


def run_cli(capsys, *argv):
    code = main(list(argv)) if argv else None
    out, err = capsys.readouterr()
    return code, out, err


def test_module_entry_point_lists_subcommands():
    done = subprocess.run(
        [sys.executable, "-m", "gradlab", "--help"], capture_output=True, text=True
    )
    assert done.returncode == 0
    assert "descent" in done.stdout and "figures" in done.stdout


def test_descent_prints_the_final_loss_and_writes_a_figure(capsys, tmp_path):
    out_file = tmp_path / "run.png"
    code, out, err = run_cli(capsys, "descent", "--lr", "0.15", "--out", str(out_file))
    assert code == 0 and err == ""
    assert "after 30 steps at lr 0.15" in out and "(did not diverge)" in out
    assert out_file.stat().st_size > 1000


def test_descent_reports_divergence(capsys):
    code, out, _ = run_cli(capsys, "descent", "--lr", "0.25", "--steps", "50")
    assert code == 0 and "(diverged)" in out


def test_descent_on_the_rescaled_parabola_reaches_the_best_loss(capsys):
    code, out, _ = run_cli(
        capsys,
        "descent",
        "--problem",
        "parabola-rescaled",
        "--lr",
        "0.8",
        "--steps",
        "100",
    )
    assert code == 0
    final = float(out.split("->")[1].split()[0])
    assert final < 5.4  # the least-squares minimum is 5.319


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["descent", "--lr", "abc"], "expected a number > 0, got 'abc'"),
        (["descent", "--lr", "-1"], "expected a finite number > 0"),
        (["descent", "--steps", "1.5"], "expected a whole number >= 0"),
        (["descent", "--problem", "sphere"], "invalid choice: 'sphere'"),
        (["descent", "--out", "/no/such/folder/x.png"], "no folder '/no/such/folder'"),
        (
            ["descent", "--out", "/proc/x.png"],
            "cannot write '/proc/x.png'",
        ),  # even root
        (["figures", "--only", "nope", "--out", "/tmp"], "unknown figure nope"),
        (["figures"], "--out FOLDER is required"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
    ],
)
def test_bad_input_is_one_line_on_stderr_and_exit_2(capsys, argv, needle):
    try:
        code = main(argv)  # errors found by the library come back as a status
    except SystemExit as stop:  # errors found by argparse exit
        code = stop.code
    assert code == 2
    _, err = capsys.readouterr()
    assert needle in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_unwritable_output_in_a_real_process(tmp_path):
    locked = tmp_path / "file-not-folder"
    locked.write_text("")
    done = subprocess.run(
        [sys.executable, "-m", "gradlab", "descent", "--out", str(locked / "x.png")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1
