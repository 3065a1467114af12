"""Graph drawings: deterministic DOT text, labels that equal what torch computed."""

import contextlib
import io
import re

import gradlab
import pytest
import torch
from gradlab.graphs import autograd_dag, trace_values_and_grads, value_grad_dag

from tests._fresh import fresh_python

DOT_SCRIPT = """
import torch, gradlab
x = torch.tensor(2.0, requires_grad=True)
y = torch.tensor(4.0, requires_grad=True)
parts = gradlab.functions.composite_parts(x, y)
names = {"x": x, "y": y, **parts._asdict()}
print(gradlab.autograd_dag(parts.z4, names, show_saved=True).source)
trace = gradlab.trace_values_and_grads(
    gradlab.functions.composite_parts, x=torch.tensor(2.0), y=torch.tensor(4.0))
print(gradlab.value_grad_dag(trace).source)
"""


# A fresh interpreter: other object ids, its own hash seed even if ours is pinned.
dot_in_a_fresh_process = fresh_python(
    "dot_in_a_fresh_process", DOT_SCRIPT, {"PYTHONHASHSEED": "random"}
)


def test_dot_text_is_identical_in_a_fresh_process(dot_in_a_fresh_process):
    here = io.StringIO()
    with contextlib.redirect_stdout(here):
        exec(DOT_SCRIPT, {})
    fresh = dot_in_a_fresh_process
    assert fresh == here.getvalue()
    assert "n0" in fresh and not re.search(r"\t\d{6,}", fresh)


def test_dot_text_is_identical_for_a_rebuilt_computation():
    def draw():
        x = torch.tensor(2.0, requires_grad=True)
        y = torch.tensor(4.0, requires_grad=True)
        parts = gradlab.functions.composite_parts(x, y)
        return autograd_dag(parts.z4, {"x": x, **parts._asdict()}, show_saved=True)

    assert draw().source == draw().source


def test_names_label_leaves_intermediates_and_output():
    x = torch.tensor(2.0, requires_grad=True)
    y = torch.tensor(4.0, requires_grad=True)
    parts = gradlab.functions.composite_parts(x, y)
    src = autograd_dag(parts.z4, {"x": x, "y": y, **parts._asdict()}).source
    for text in (
        '"x\n()"',
        '"y\n()"',
        '"z1\nExpBackward0"',
        '"z2\nAddBackward0"',
        '"z3\nPowBackward0"',
        '"z4\n()"',
    ):
        assert text in src
    assert "bgcolor=transparent" in src and "#777777" in src


def test_nodes_are_numbered_in_topological_order():
    x = torch.tensor(2.0, requires_grad=True)
    y = torch.tensor(4.0, requires_grad=True)
    out = gradlab.functions.composite(x, y)
    src = autograd_dag(out, show_saved=True).source
    for tail, head in re.findall(r"n(\d+) -> n(\d+)", src):
        assert int(tail) < int(head)


def test_saved_tensors_appear_only_when_asked():
    x = torch.tensor(2.0, requires_grad=True)
    plain = autograd_dag(torch.exp(x) * x, {"x": x}).source
    saved = autograd_dag(torch.exp(x) * x, {"x": x}, show_saved=True).source
    assert "result" not in plain and '"result\n()"' in saved


def test_graph_renders_as_svg():
    x = torch.tensor(3.5, requires_grad=True)
    svg = autograd_dag(x**2, {"x": x}).pipe(format="svg", encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg


def test_bad_input_is_rejected():
    with pytest.raises(ValueError, match="no grad_fn"):
        autograd_dag(torch.tensor(1.0))
    with pytest.raises(TypeError, match="tensor"):
        autograd_dag(3.0)
    x = torch.ones(40, requires_grad=True)
    deep = x
    for _ in range(70):
        deep = torch.sin(deep)
    with pytest.raises(ValueError, match="max_nodes"):
        autograd_dag(deep.sum())
    with pytest.raises(TypeError, match="floating"):
        trace_values_and_grads(lambda x: x * 2, x=torch.tensor(1))
    with pytest.raises(ValueError, match="scalar"):
        trace_values_and_grads(lambda x: x * 2, x=torch.ones(2))
    with pytest.raises(ValueError, match="in-place"):
        trace_values_and_grads(lambda x: (x * 2).mul_(3), x=torch.ones(()))


def _label_numbers(src: str) -> dict[str, tuple[float, float | None]]:
    found = {}
    for key, label in re.findall(r'\t(n\d+) \[label="(.*?)"', src):
        value = float(re.search(r"value (\S+)", label)[1])
        grad = re.search(r"grad (\S+)", label)[1]
        found[key] = (value, None if grad == "—" else float(grad))
    return found


@pytest.mark.parametrize("point", [(2.0, 4.0), (-0.7, 0.3)])
def test_every_label_equals_what_torch_computed(point):
    x = torch.tensor(point[0], dtype=torch.float64, requires_grad=True)
    y = torch.tensor(point[1], dtype=torch.float64, requires_grad=True)
    parts = gradlab.functions.composite_parts(x, y)
    for part in parts:
        part.retain_grad()
    parts.z4.backward()
    trace = trace_values_and_grads(
        gradlab.functions.composite_parts, x=x.detach(), y=y.detach()
    )
    labels = _label_numbers(value_grad_dag(trace).source)
    assert len(labels) == len(trace.nodes)
    expected = {"x": x, "y": y, **parts._asdict()}
    for name, tensor in expected.items():
        node = trace.by_name(name)
        value, grad = labels[node.key]
        assert value == pytest.approx(float(tensor.detach()), rel=1e-3, abs=1e-12)
        assert grad == pytest.approx(float(tensor.grad), rel=1e-3, abs=1e-12)
    for (
        node
    ) in trace.nodes:  # every node: label = traced numbers, grad = d out / d node
        value, grad = labels[node.key]
        assert value == pytest.approx(float(node.value), rel=1e-3, abs=1e-12)
        assert grad == pytest.approx(float(node.grad), rel=1e-3, abs=1e-12)
    assert trace.output.value == pytest.approx(float(parts.z4.detach()))
    assert float(trace.output.grad) == 1.0


def test_traced_gradients_of_every_node_match_finite_differences():
    """Perturb the value of each intermediate node and recompute the output."""
    trace = trace_values_and_grads(
        gradlab.functions.tanh_log_parts,
        x=torch.tensor(0.5, dtype=torch.float64),
        y=torch.tensor(1.0, dtype=torch.float64),
        z=torch.tensor(2.0, dtype=torch.float64),
    )
    vals = {n: float(trace.by_name(n).value) for n in "abcdeuf"}
    downstream = {
        "a": lambda v: torch.tanh(torch.log(1 + vals["d"] / vals["a"] * v)),
        "b": lambda v: torch.tanh(torch.log(1 + 2.0 * vals["a"] / v)),
        "c": lambda v: torch.tanh(torch.log(1 + 2.0 * v)),
        "d": lambda v: torch.tanh(torch.log(1 + v)),
        "u": lambda v: torch.tanh(torch.log(v)),
        "e": torch.tanh,
    }
    for name, rest in downstream.items():
        value = trace.by_name(name).value
        numeric = gradlab.gradcheck.numerical_gradient(rest, value)
        assert float(trace.by_name(name).grad) == pytest.approx(float(numeric), 1e-7)


def test_trace_leaves_the_callers_tensors_alone():
    x = torch.tensor(3.5, requires_grad=True)
    trace = trace_values_and_grads(gradlab.functions.square, x=x)
    assert x.grad is None
    assert float(trace.by_name("x").grad) == 7.0
    assert [n.key for n in trace.nodes] == ["n0", "n1"]
    assert trace.nodes[1].op == "^ 2"
    with pytest.raises(KeyError):
        trace.by_name("nope")


DAG_FIGURES = {
    "computation-graphs": [
        "cg-square-dag",
        "cg-composite-dag",
        "cg-relu-dag",
        "cg-tanh-log-values",
        "cg-sigmoid-net-dag",
        "cg-composite-values",
    ],
    "autograd": ["ag-saved-dag"],
    "autograd-beyond": ["bs-dynamic-large", "bs-dynamic-small"],
    "autograd-from-scratch": ["afs-side-by-side"],
}


@pytest.mark.book
@pytest.mark.parametrize("page", sorted(DAG_FIGURES))
def test_built_pages_embed_the_dags_as_svg(html_dir, page):
    text = (html_dir / "book" / f"{page}.html").read_text(encoding="utf-8")
    for name in DAG_FIGURES[page]:
        figure = re.search(rf'<figure[^>]*id="{name}".*?</figure>', text, re.DOTALL)
        assert figure, f"figure {name} is not on {page}"
        image = re.search(r'<img[^>]*src="([^"]+\.svg)"', figure[0])
        assert image, f"figure {name} has no SVG image"
        svg = (html_dir / "book" / image[1]).read_text(encoding="utf-8")
        assert "<svg" in svg and "#777777" in svg
