"""`python -m gradlab`: results, and bad input as one line and a non-zero status.

The tests named ``test_row_N_...`` are the rows of issue 16's table: each gives one
clear line and a non-zero exit (or a bounded, correct run), with no traceback and no
partial file. Most call `gradlab.cli.main` in this process; three start a real one,
where the process is what is tested: an exit status without a traceback, modules
left unloaded by ``--help`` and argument errors, and Ctrl-C on a terminal.
"""

import errno
import fcntl
import json
import os
import pty
import select
import signal
import stat
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import matplotlib.figure
import pytest
import torch
from gradlab.cli import Terminated, main
from gradlab.cli._output import Watch
from gradlab.cli.options import MAX_SEED
from gradlab.descent import gradient_descent
from gradlab.functions import bowl
from gradlab.mlp import init_mlp
from gradlab.training import train_mlp

CODE = Path(__file__).resolve().parent.parent / "code"
ENV = {
    **os.environ,
    "PYTHONPATH": os.pathsep.join([str(CODE), os.environ.get("PYTHONPATH", "")]),
}


def run_cli(capsys, *argv):
    """(status, stdout, stderr) of ``main(argv)``, whether argparse exits or not."""
    try:
        code = main(list(argv))
    except SystemExit as stop:
        code = stop.code
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


# --- the library loop's hook --------------------------------------------------------


def test_a_watched_run_is_the_run_unwatched_bit_for_bit():
    seen = []
    watched = gradient_descent(
        bowl, [-4.0, 2.0], lr=0.15, steps=50, callback=lambda *a: seen.append(a)
    )
    plain = gradient_descent(bowl, [-4.0, 2.0], lr=0.15, steps=50)
    assert torch.equal(watched.params, plain.params)
    assert torch.equal(watched.losses, plain.losses)
    assert [step for step, _, _ in seen] == list(range(51))  # every point, start too
    assert torch.equal(torch.stack([w for _, w, _ in seen]), plain.params)
    assert [loss for _, _, loss in seen] == plain.losses.tolist()


def test_a_watched_fit_without_its_path_is_the_same_fit():
    from gradlab.experiments.mlp import training_set

    params, data = init_mlp(5, seed=0), training_set()
    steps = []
    watched = train_mlp(
        params, data, lr=0.1, epochs=20, callback=lambda step, *_: steps.append(step)
    )
    plain = train_mlp(params, data, lr=0.1, epochs=20)
    assert torch.equal(watched.params, plain.params)
    assert torch.equal(watched.losses, plain.losses) and steps == list(range(21))


def test_a_callback_that_says_stop_ends_the_run_at_that_point():
    full = gradient_descent(bowl, [-4.0, 2.0], lr=0.15, steps=30)
    stopped = gradient_descent(
        bowl, [-4.0, 2.0], lr=0.15, steps=30, callback=lambda step, w, loss: step == 7
    )
    assert stopped.steps == 7
    assert torch.equal(stopped.params, full.params[:8])


@pytest.mark.parametrize(
    ("points", "total", "stop"),
    [
        ([3.0, 1.0, -1.0, 1.0, -1.0], 9, 3),  # a 2-cycle, 6 more steps: even
        ([3.0, 1.0, -1.0, 1.0, -1.0], 8, 4),  # from 3, 5 more would end on -1
        ([2.0, 1.0, 1.0], 7, 2),  # a fixed point
        ([3.0, 2.0, 1.0], 7, None),
        ([3.0, 1.0, 1.0], 2, None),  # the repeat is the run's last point anyway
    ],
)
def test_watch_stops_where_the_rest_of_the_run_only_repeats(points, total, stop):
    watch = Watch(total, "step", quiet=True, stop_repeats=True)
    visits = enumerate(torch.tensor(points)[:, None])  # as the loop calls it
    assert next((step for step, w in visits if watch(step, w)), None) == stop
    assert watch.stopped == (stop is not None)


# --- results ----------------------------------------------------------------------


def test_descent_prints_the_final_loss_and_writes_a_figure(capsys, tmp_path):
    out_file = tmp_path / "run.png"
    code, out, err = run_cli(capsys, "descent", "--lr", "0.15", "--out", str(out_file))
    assert code == 0 and err == ""
    assert "after 30 steps at lr 0.15" in out and "(did not diverge)" in out
    assert out_file.stat().st_size > 1000
    assert os.listdir(tmp_path) == ["run.png"]  # no temporary file left beside it


def test_descent_reports_divergence(capsys):
    code, out, _ = run_cli(capsys, "descent", "--lr", "0.25", "--steps", "50")
    assert code == 0 and "(diverged)" in out


def test_descent_on_the_rescaled_parabola_reaches_the_best_loss(capsys, tmp_path):
    argv = ["--problem", "parabola-rescaled", "--lr", "0.8", "--steps", "100"]
    figure = tmp_path / "fit.svg"
    code, out, _ = run_cli(capsys, "descent", *argv, "--out", str(figure))
    assert code == 0
    final = float(out.split("->")[1].split()[0])
    assert final < 5.4  # the least-squares minimum is 5.319
    assert figure.read_text().startswith("<?xml")  # the format its extension names


def test_help_shows_argparse_defaults_and_limits(capsys):
    code, out, _ = run_cli(capsys, "descent", "--help")
    assert code == 0
    assert "(default: 0.15)" in out and "(default: 30)" in out
    assert "at most 100,000" in out and "(default: None)" not in out


def test_dry_run_prints_the_work_against_its_limits(capsys):
    code, out, err = run_cli(capsys, "mlp", "--epochs", "1000", "--dry-run")
    assert code == 0 and err == ""
    assert "1,000 epochs (at most 100,000)" in out and "work 1,000,000" in out


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["descent", "--lr", "abc"], "expected a number > 0, got 'abc'"),
        (["descent", "--lr", "-1"], "expected a finite number > 0"),
        (["descent", "--steps", "1.5"], "expected a whole number >= 0"),
        (["descent", "--problem", "sphere"], "invalid choice: 'sphere'"),
        (["descent", "--out", "/no/such/folder/x.png"], "no folder '/no/such/folder'"),
        (["descent", "--out", "/proc/x.png"], "cannot write '/proc/x.png'"),  # root too
        (["descent", "--out", ""], "expected a file path, got ''"),
        (["descent", "--out", "x.png/"], "is a folder name, expected a file"),
        (["figures", "--only", "nope", "--out", "/tmp"], "unknown figure nope"),
        (["figures"], "one of the arguments --out --list is required"),
        (["figures", "--out", "/dev/null"], "is a character device, not a folder"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (
            ["descent", "--seed", "9223372036854775807", "--problem", "parabola"],
            "seed + 1",
        ),
    ],
)
def test_bad_input_is_one_line_on_stderr_and_exit_2(capsys, argv, needle):
    code, out, err = run_cli(capsys, *argv)
    assert code == 2 and out == ""
    assert needle in one_line(err)


def test_unwritable_output_in_a_real_process(tmp_path):
    locked = tmp_path / "file-not-folder"
    locked.write_text("")
    done = subprocess.run(
        [sys.executable, "-m", "gradlab", "descent", "--out", str(locked / "x.png")],
        capture_output=True,
        text=True,
        env=ENV,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


# --- issue 16, row by row -----------------------------------------------------------

LONG_NAME = "a" * 300


@pytest.mark.parametrize(
    "argv",
    [
        ["descent", "--out", f"{LONG_NAME}.png"],
        ["figures", "--out", LONG_NAME],
        ["chain", "--animation", f"{LONG_NAME}.gif"],
    ],
)
def test_row_1_a_name_too_long_is_one_line(capsys, tmp_path, monkeypatch, argv):
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli(capsys, *argv)
    assert code == 2 and "file name too long" in one_line(err)
    assert os.listdir(tmp_path) == []


def test_row_2_a_chain_that_blows_up_is_drawn_and_reported(capsys, tmp_path):
    figure = tmp_path / "x.png"
    code, out, err = run_cli(
        capsys, "chain", "--lr", "1e308", "--steps", "5", "--out", str(figure)
    )
    assert code == 0 and err == ""
    assert "after 1 step at lr 1e+308: did not converge (non-finite)" in out
    assert figure.stat().st_size > 5_000


@pytest.mark.parametrize("command", ["descent", "mlp", "chain"])
def test_row_3_an_output_needs_an_extension(capsys, tmp_path, command):
    code, _, err = run_cli(capsys, command, "--out", str(tmp_path / "noext"))
    assert code == 2 and "has no file extension: end it in .png" in one_line(err)
    assert os.listdir(tmp_path) == []


def test_row_4_a_device_is_not_an_output(capsys):
    code, _, err = run_cli(capsys, "descent", "--out", "/dev/full")
    assert code == 2
    assert "'/dev/full': it is a character device, not a regular file" in one_line(err)
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)
    assert not os.path.exists("/dev/full.png")


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["descent", "--steps", "1000000000"], "at most 100,000 (a longer run takes"),
        (["chain", "--steps", "1e9"], "--steps: at most 100,000 (a longer run"),
        (["mlp", "--epochs", "1e9"], "--epochs: at most 100,000 (more would"),
        (["mlp", "--epochs", "1e3"], "got '1e3' (write it as 1000)"),
        (["chain", "--steps", "9" * 5000], "got a number of 5000 digits"),
        (["chain", "--steps", "100000", "--links", "1000"], "at most 20,000,000 (the"),
        (
            ["mlp", "--epochs", "10000", "--hidden", "2000"],
            "--epochs × --train-size × --hidden is at most 3,000,000,000",
        ),
    ],
)
def test_row_5_work_is_bounded_with_the_limit_and_why(capsys, argv, needle):
    code, _, err = run_cli(capsys, *argv)
    assert code == 2 and needle in one_line(err)


def test_row_5_a_run_that_only_repeats_stops_early_where_the_full_run_ends(capsys):
    # At lr 0.2 the bowl's run falls into a 2-cycle (w2 = ±2) at step 466.
    code, out, _ = run_cli(capsys, "descent", "--lr", "0.2", "--steps", "500")
    assert code == 0
    assert out.splitlines()[1] == (
        "stopped early: from step 468 on the parameters only repeat, so the other "
        "32 steps would end on this same point"
    )
    full = gradient_descent(bowl, [-4.0, 2.0], lr=0.2, steps=500)
    assert f"-> {full.final_loss:.6g} after 468 steps" in out


@pytest.mark.parametrize(
    ("signal_raises", "status", "line"),
    [(KeyboardInterrupt, 130, "interrupted"), (Terminated, 143, "terminated")],
)
def test_row_6_ctrl_c_or_sigterm_while_writing_leaves_no_file(
    capsys, tmp_path, monkeypatch, signal_raises, status, line
):
    def stopped(self, fname, **kwargs):
        Path(fname).write_bytes(b"half a PNG")
        raise signal_raises

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", stopped)
    code, _, err = run_cli(capsys, "descent", "--out", str(tmp_path / "run.png"))
    assert code == status and err == f"{line}\n"
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["mlp", "--hidden", "1000000000"], "--hidden: at most 2,000 (the 26,492 test"),
        (["mlp", "--train-size", "1000000000"], "--train-size: at most 1,000,000"),
        (["chain", "--links", "1000000000"], "--links: at most 10,000"),
    ],
)
def test_row_7_sizes_are_bounded_before_any_allocation(capsys, argv, needle):
    code, _, err = run_cli(capsys, *argv)
    assert code == 2 and needle in one_line(err)


def _fills_the_disk(path):
    Path(path).write_bytes(b"\x89PNG partial")
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_row_8_a_full_disk_leaves_the_old_file_and_no_partial_one(
    capsys, tmp_path, monkeypatch
):
    old = tmp_path / "run.png"
    old.write_bytes(b"the previous figure")
    monkeypatch.setattr(
        matplotlib.figure.Figure, "savefig", lambda self, f, **kw: _fills_the_disk(f)
    )
    code, out, err = run_cli(capsys, "descent", "--out", str(old))
    assert code == 2 and "figure written" not in out
    assert f"cannot write '{old}': no space left on device" in one_line(err)
    assert os.listdir(tmp_path) == ["run.png"]
    assert old.read_bytes() == b"the previous figure"


def test_row_8_figures_on_a_full_disk_keeps_and_lists_the_finished_ones(
    capsys, tmp_path, monkeypatch
):
    import gradlab.figures

    calls = []
    write = gradlab.figures.write_figure

    def second_fails(figure, path):
        calls.append(path)
        return write(figure, path) if len(calls) == 1 else _fills_the_disk(path)

    monkeypatch.setattr(gradlab.figures, "write_figure", second_fails)
    out_dir = tmp_path / "new" / "figures"
    argv = ["--only", "cg-composite-dag", "--only", "cg-relu-dag"]
    code, out, err = run_cli(capsys, "figures", "--out", str(out_dir), *argv)
    assert code == 2 and "no space left on device" in one_line(err)
    assert "the 1 of 2 figures listed above are complete" in err
    assert out.splitlines() == [str(out_dir / "cg-composite-dag.svg")]
    assert os.listdir(out_dir) == ["cg-composite-dag.svg"]
    assert (out_dir / "cg-composite-dag.svg").read_text().startswith("<?xml")


def test_row_8_a_failure_before_any_figure_removes_the_folders_it_made(
    capsys, tmp_path, monkeypatch
):
    import gradlab.figures

    monkeypatch.setattr(
        gradlab.figures, "write_figure", lambda f, p: _fills_the_disk(p)
    )
    (tmp_path / "kept").mkdir()  # there before: stays, although it is empty
    for out_dir in (tmp_path / "new" / "figures", tmp_path / "kept"):
        code, _, err = run_cli(
            capsys, "figures", "--out", str(out_dir), "--only", "cg-relu-dag"
        )
        assert code == 2 and "no space left on device" in one_line(err)
    assert os.listdir(tmp_path) == ["kept"] and os.listdir(tmp_path / "kept") == []


def test_row_9_a_fifo_is_refused_without_opening_it(capsys, tmp_path):
    fifo = tmp_path / "fifo.png"
    os.mkfifo(fifo)
    signal.alarm(10)  # opening a FIFO for writing would block until a reader comes
    try:
        code, _, err = run_cli(capsys, "descent", "--out", str(fifo))
    finally:
        signal.alarm(0)
    assert code == 2
    assert "it is a named pipe (FIFO), not a regular file" in one_line(err)


@pytest.mark.parametrize("seed", [str(2**64), str(2**63)])
def test_row_10_seeds_are_bounded_where_torch_stops_telling_them_apart(capsys, seed):
    code, _, err = run_cli(capsys, "mlp", "--seed", seed)
    assert code == 2 and "--seed: at most 9,223,372,036,854,775,807" in one_line(err)


def test_row_10_the_largest_seed_is_accepted(capsys):
    code, out, _ = run_cli(capsys, "chain", "--seed", str(MAX_SEED), "--steps", "2")
    assert code == 0 and "after 2 steps" in out


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (
            ["descent", "--out", "run.xyz"],
            "cannot write .xyz files ('run.xyz'): use .png",
        ),
        (
            ["chain", "--animation", "a.xyz"],
            "cannot write .xyz files ('a.xyz'): use .gif",
        ),
    ],
)
def test_row_11_formats_are_checked_while_parsing(capsys, argv, needle):
    with pytest.raises(SystemExit) as stop:  # from argparse: before any work
        main(argv)
    assert stop.value.code == 2 and needle in one_line(capsys.readouterr().err)


def test_row_12_two_outputs_on_one_file_are_refused(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli(
        capsys, "chain", "--out", "same.png", "--animation", "same.png"
    )
    assert code == 2 and "--animation: cannot write .png files" in one_line(err)
    os.symlink("run.gif", "link.png")  # the same file under two names
    code, _, err = run_cli(
        capsys, "chain", "--out", "link.png", "--animation", "run.gif"
    )
    assert code == 2 and "--out and --animation both name 'link.png'" in one_line(err)


@pytest.mark.parametrize("value", ["-inf", "-1e5", "-nan", "-Infinity"])
def test_row_13_negative_numbers_parse_and_are_rejected(capsys, value):
    code, _, err = run_cli(capsys, "descent", "--lr", value)
    assert code == 2
    assert f"argument --lr: expected a finite number > 0, got '{value}'" in one_line(
        err
    )


PROBE = """
import contextlib, io, json, sys
from gradlab.cli import main
seen = {}
for argv in ARGVS:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as stop:
            code = stop.code
    seen[" ".join(argv)] = [code, out.getvalue(), err.getvalue()]
seen["heavy"] = sorted(m for m in ("torch", "matplotlib") if m in sys.modules)
print(json.dumps(seen))
"""
QUICK = [
    ["--help"],
    ["--version"],
    ["descent", "--help"],
    ["descent", "--lr", "-inf"],
    ["descent", "--lr", "-1"],
    ["descent", "--out", "noext"],
    ["descent", "--out", "run.xyz"],
    ["descent", "--steps", "1000000000"],
    ["mlp", "--seed", "18446744073709551616"],
    ["mlp", "--hidden", "2000", "--train-size", "100000"],
    ["chain", "--steps", "5000", "--links", "10000"],
    ["mlp", "--dry-run"],
]


def test_row_14_help_version_and_errors_answer_without_torch():
    code = PROBE.replace("ARGVS", json.dumps(QUICK))
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=ENV
    )
    assert done.returncode == 0, done.stderr
    probed = json.loads(done.stdout)
    assert probed.pop("heavy") == []
    code, out, err = probed.pop("--help")
    assert code == 0 and "descent" in out and "figures" in out and err == ""
    code, out, err = probed.pop("descent --lr -1")
    assert code == 2 and out == "" and "expected a finite number > 0" in one_line(err)
    code, out, err = probed.pop("--version")
    assert code == 0 and out.startswith("gradlab ") and err == ""
    code, out, err = probed.pop("descent --help")
    assert code == 0 and "--dry-run" in out
    code, out, err = probed.pop("mlp --dry-run")
    assert code == 0 and out.startswith("mlp: 100 epochs")
    for argv, (code, out, err) in probed.items():
        assert code == 2 and out == "" and err.count("\n") == 1, argv


def _as_a_terminal_user() -> None:
    """In the child: Ctrl-C's default meaning. A suite started in the background by a
    non-interactive shell (`make test &` in a script) inherits SIGINT ignored, which
    Python keeps: such a run would finish instead of being interrupted."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _read(terminal: int) -> bytes:
    """What the terminal holds (b"" once the other end is closed)."""
    try:
        return os.read(terminal, 65536)
    except OSError:
        return b""


def test_rows_5_and_6_a_terminal_shows_a_bar_and_ctrl_c_ends_it_in_one_line(tmp_path):
    """`descent` with stderr on a pseudo-terminal (80 columns), sent SIGINT as soon
    as its progress bar is shown, so that it is interrupted mid-run."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    argv = ["descent", "--problem", "parabola", "--lr", "1e-5", "--steps", "100000"]
    process = subprocess.Popen(
        [sys.executable, "-m", "gradlab", *argv, "--out", str(tmp_path / "run.png")],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=slave,
        env=ENV,
        preexec_fn=_as_a_terminal_user,
    )
    os.close(slave)
    try:
        seen, deadline = b"", time.monotonic() + 60
        while b"step/s" not in seen and time.monotonic() < deadline:
            if select.select([master], [], [], 0.2)[0]:
                seen += _read(master)
        process.send_signal(signal.SIGINT)
        while chunk := _read(master):
            seen += chunk
        out, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(master)
    assert b"step/s" in seen  # the bar was up when SIGINT came: mid-run
    assert process.returncode == 130 and out == b""
    after = seen.rsplit(b"step/s]", 1)[-1].decode()
    assert after.strip(" \r") == "interrupted\r\n"  # the bar is wiped, then one line
    assert os.listdir(tmp_path) == []


# --- each subcommand's results and its own bad input --------------------------------


def test_chain_at_the_chapter_settings_prints_the_chapter_numbers(capsys):
    code, printed, err = run_cli(capsys, "chain")
    assert code == 0 and err == ""
    assert "8.409 -> 0.0008945 after 1000 steps" in printed
    assert ": did not converge (still falling)" in printed


def test_chain_writes_its_figure_and_animation(capsys, tmp_path):
    out, anim = tmp_path / "chain.png", tmp_path / "chain.gif"
    argv = ["--steps", "3", "--out", str(out), "--animation", str(anim)]
    code, printed, err = run_cli(capsys, "chain", *argv)
    assert code == 0 and err == ""
    assert printed.splitlines()[1:] == [
        f"figure written to {out}",
        f"animation written to {anim}",
    ]
    assert out.read_bytes()[:4] == b"\x89PNG" and anim.read_bytes()[:3] == b"GIF"


def test_chain_of_other_lengths_pulls_its_own_middle(capsys):
    code, out, _ = run_cli(
        capsys, "chain", "--links", "7", "--loss", "middle", "--steps", "300"
    )
    assert code == 0 and "7 links, loss 'middle': 6.825 -> 1.866 after 300" in out


def test_chain_reports_a_run_that_does_not_converge(capsys):
    code, out, _ = run_cli(capsys, "chain", "--lr", "0.5", "--steps", "200")
    assert code == 0 and "did not converge (thrashing)" in out


def test_mlp_prints_errors_and_writes_the_boundary(capsys, tmp_path):
    out_file = tmp_path / "boundary.png"
    argv = ["mlp", "--hidden", "20", "--epochs", "50", "--out", str(out_file)]
    code, out, err = run_cli(capsys, *argv)
    assert code == 0 and err == ""
    assert "20 hidden units, 50 epochs at lr 0.1" in out
    assert "test error" in out and "on 26,492 points" in out
    assert "Bayes error 9.33%" in out
    assert out_file.stat().st_size > 5000


def test_mlp_defaults_are_the_chapter_settings(capsys):
    from gradlab.experiments.mlp import lab_run, training_set
    from gradlab.mlp import mlp_predict
    from gradlab.training import error_rate

    code, out, _ = run_cli(capsys, "mlp")
    assert code == 0 and out.startswith("5 hidden units, 100 epochs at lr 0.1:")
    run, train = lab_run(), training_set()
    error = error_rate(mlp_predict(run.trained, train.x), train.y)
    assert f"loss {run.losses[0]:.4f} -> {run.final_loss:.4f}" in out
    assert f"train error {100 * error:.2f}% on 200 points" in out


def test_figures_writes_one_figure_under_its_name(tmp_path, capsys):
    argv = ["figures", "--out", str(tmp_path), "--only", "gradient-field"]
    code, out, _ = run_cli(capsys, *argv)
    assert code == 0 and out.strip().endswith("gradient-field.png")
    assert (tmp_path / "gradient-field.png").stat().st_size > 10_000


def test_figures_list_prints_every_name(capsys):
    from gradlab.figures import registry

    code, out, _ = run_cli(capsys, "figures", "--list")
    assert code == 0 and out.split() == sorted(registry())


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["chain", "--lr", "-1"], "expected a finite number > 0"),
        (["chain", "--lr", "fast"], "'fast'"),
        (["chain", "--links", "0"], "got 0"),
        (["chain", "--loss", "sideways"], "sideways"),
        (["chain", "--out", "/no/such/folder/chain.png"], "no folder"),
        (["chain", "--links", "1", "--loss", "middle"], "at least 2 links"),
        (["mlp", "--hidden", "0"], "expected a whole number >= 1, got 0"),
        (["mlp", "--hidden", "-4"], "expected a whole number >= 1, got -4"),
        (["mlp", "--hidden", "five"], "expected a whole number >= 1, got 'five'"),
        (["mlp", "--epochs", "1e3"], "expected a whole number >= 1, got '1e3'"),
        (["mlp", "--lr", "fast"], "expected a number > 0, got 'fast'"),
        (["mlp", "--seed", "-1"], "expected a whole number >= 0"),
        (["mlp", "--out", "/no/such/folder/b.png"], "no folder '/no/such/folder'"),
    ],
)
def test_subcommand_bad_input_is_one_line_and_status_2(capsys, argv, needle):
    code, out, err = run_cli(capsys, *argv)
    assert code == 2 and out == "" and needle in one_line(err)
