"""Simulate Colab: run a chapter's set-up cell in a fresh environment without gradlab.

    python tools/colab_smoke.py [book/gradients.ipynb]

Makes a bare clone of this repository's HEAD, a fresh virtual environment holding
only torch (as Colab has its own torch), runs the notebook's set-up cell with the
repository URL pointed at the bare clone, then imports gradlab and checks that torch
was left as it was. Needs network access to the package index for gradlab's other
dependencies. Prints what it did; exits non-zero on failure.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import chapters  # noqa: E402


def run(*argv: str, **kw) -> str:
    done = subprocess.run(argv, capture_output=True, text=True, **kw)
    if done.returncode != 0:
        sys.exit(
            f"failed: {' '.join(argv)}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
        )
    return done.stdout


def main() -> None:
    notebook = ROOT / (sys.argv[1] if len(sys.argv) > 1 else "book/gradients.ipynb")
    cell = next(
        c for c in json.loads(notebook.read_text())["cells"] if c["cell_type"] == "code"
    )
    source = "".join(cell["source"])
    repo = chapters.config()["repository"]
    configured = f"git+{repo['url']}.git@{repo['branch']}"
    assert configured in source, (
        "the set-up cell does not name the configured repository"
    )
    with tempfile.TemporaryDirectory(prefix="colab-smoke-") as scratch:
        tmp = Path(scratch)
        run("git", "clone", "--quiet", "--bare", str(ROOT), str(tmp / "repo.git"))
        run("python3", "-m", "venv", str(tmp / "venv"))
        python = str(tmp / "venv" / "bin" / "python")
        run(python, "-m", "pip", "install", "--quiet", "torch==2.13.0")
        torch_before = run(
            python, "-c", "import torch; print(torch.__version__)"
        ).strip()
        missing = run(
            python, "-c", "import importlib.util as u; print(u.find_spec('gradlab'))"
        )
        print(f"fresh venv: torch {torch_before}, gradlab spec {missing.strip()}")
        local = source.replace(
            configured, f"git+file://{tmp / 'repo.git'}@{repo['branch']}"
        )
        print(run(python, "-c", local, cwd=tmp), end="")
        check = (
            "import gradlab, torch; "
            "print(gradlab.__version__, gradlab.__file__, torch.__version__)"
        )
        version, where, torch_after = run(python, "-c", check, cwd=tmp).split()
        print(f"after the set-up cell: gradlab {version} imported from {where}")
        print(f"torch before {torch_before}, after {torch_after}")
        if torch_after != torch_before:
            sys.exit("the set-up cell replaced torch")
        print(
            run(python, "-c", local, cwd=tmp) or "running the cell again: nothing to do"
        )


if __name__ == "__main__":
    main()
