"""`import gradlab` loads neither torch nor matplotlib; every public name still
resolves, on first use. (That the command line's help and argument errors load
neither is checked with the other CLI probes in test_cli.py.)"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import gradlab
import gradlab.plotting
import pytest

CODE = Path(__file__).resolve().parent.parent / "code"

# Runs in a fresh interpreter and prints what it saw as JSON.
PROBE = """
import json, sys

def heavy():
    return sorted(name for name in ("matplotlib", "torch") if name in sys.modules)

seen = {}
import gradlab, gradlab.plotting
seen["import"] = heavy()
seen["pull"] = gradlab.pull.__module__
seen["gradcheck"] = gradlab.gradcheck.numerical_gradient.__module__
seen["after use"] = heavy()
print(json.dumps(seen))
"""


# Started when this module is collected, so that it runs on the other core while the
# rest of the suite runs.
PROBING = subprocess.Popen(
    [sys.executable, "-c", PROBE],
    stdout=subprocess.PIPE,
    stderr=subprocess.PIPE,
    text=True,
    env={
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(CODE), os.environ.get("PYTHONPATH", "")]),
    },
)


@pytest.fixture(scope="module")
def seen() -> dict:
    out, errors = PROBING.communicate(timeout=120)
    assert PROBING.returncode == 0, errors
    return json.loads(out)


def test_import_loads_neither_torch_nor_matplotlib(seen):
    assert seen["import"] == []


def test_names_and_submodules_load_on_first_use(seen):
    assert seen["pull"] == "gradlab.chain"
    assert seen["gradcheck"] == "gradlab.gradcheck"
    assert "torch" in seen["after use"]


@pytest.mark.parametrize("package", [gradlab, gradlab.plotting, gradlab.experiments])
def test_every_exported_name_resolves_and_is_listed(package):
    namespace: dict = {}
    exec(f"from {package.__name__} import *", namespace)
    assert set(package.__all__) <= set(namespace)
    assert set(package.__all__) <= set(dir(package))


def test_the_top_level_api_is_small_and_the_chapters_spell_the_rest_by_module():
    # The ~30 names a reader types most; every other `gradlab.X` a chapter writes is
    # a submodule (`gradlab.chain.fan_of_strings`), never a removed top-level name.
    assert len(gradlab.__all__) <= 30
    submodules = {p.stem for p in Path(gradlab.__file__).parent.iterdir()}
    for md in sorted((Path(__file__).parent.parent / "book").glob("*.md")):
        for name in re.findall(r"\bgradlab\.(\w+)", md.read_text()):
            assert name in gradlab.__all__ or name in submodules, (md.name, name)


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="has no attribute 'no_such_name'"):
        gradlab.no_such_name  # noqa: B018
