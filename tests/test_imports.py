"""`import gradlab` loads neither torch nor matplotlib; every public name and every
name a chapter spells through gradlab still resolves, on first use. (That the command
line's help and argument errors load neither is checked with the other CLI probes in
test_cli.py.)"""

import json
import os
import re
from pathlib import Path

import gradlab
import gradlab.experiments
import gradlab.plotting
import pytest

from tests._fresh import fresh_python

ROOT = Path(__file__).resolve().parent.parent

# Runs in a fresh interpreter (this one has loaded torch long ago) and prints what it
# saw as JSON.
PROBE = """
import json, sys

def heavy():
    return sorted(name for name in ("matplotlib", "torch") if name in sys.modules)

seen = {}
import gradlab, gradlab.experiments, gradlab.plotting
seen["import"] = heavy()
seen["listed"] = dir(gradlab.experiments) + dir(gradlab.plotting)
seen["after listing"] = heavy()
seen["pull"] = gradlab.pull.__module__
seen["gradcheck"] = gradlab.gradcheck.numerical_gradient.__module__
seen["after use"] = heavy()
print(json.dumps(seen))
"""


# In a fresh interpreter started in the background (tests/_fresh.py), with this
# checkout's package first on its path.
CODE_FIRST = os.pathsep.join([str(ROOT / "code"), os.environ.get("PYTHONPATH", "")])
seen_json = fresh_python("seen_json", PROBE, {"PYTHONPATH": CODE_FIRST})


@pytest.fixture
def seen(seen_json: str) -> dict:
    return json.loads(seen_json)


def test_import_loads_neither_torch_nor_matplotlib(seen):
    assert seen["import"] == []
    assert "chain" in seen["listed"] and seen["after listing"] == []


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


def test_experiments_and_plotting_list_each_of_their_modules():
    for package in (gradlab.experiments, gradlab.plotting):
        modules = {p.stem for p in Path(package.__file__).parent.glob("[!_]*.py")}
        assert set(package.__all__) == modules


def resolve(dotted: str) -> object:
    """The object ``gradlab.a.b.c`` names, reached by attribute access alone."""
    found: object = gradlab
    for part in dotted.split(".")[1:]:
        found = getattr(found, part)
    return found


def test_the_top_level_api_is_small_and_every_name_a_chapter_spells_resolves():
    # The ~30 names a reader types most; every other `gradlab.X` a chapter writes is
    # spelled through the module that defines it (`gradlab.experiments.chain.lr_sweep`)
    # and resolves after a bare `import gradlab`, never a removed name.
    assert len(gradlab.__all__) <= 30
    for md in sorted((ROOT / "book").glob("*.md")):
        for dotted in sorted(set(re.findall(r"\bgradlab(?:\.\w+)+", md.read_text()))):
            try:
                resolve(dotted)
            except AttributeError as error:
                raise AssertionError(f"{md.name}: {dotted}: {error}") from None


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no_such_name"):
        gradlab.no_such_name  # noqa: B018
    with pytest.raises(AttributeError, match="lr_sweep"):
        gradlab.experiments.lr_sweep  # noqa: B018  # spelled through its module
