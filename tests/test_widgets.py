"""gradlab.widgets: the live chain lab and descent playground.

Their script's model runs here in node (the same text the page inlines) and must
step as `gradlab.pull`, `gradlab.gradient_descent` and
`gradlab.optimizers.momentum_step` do, in float64, and judge runs as
`gradlab.descent.regime` does. tests/test_widgets_browser.py drives the widgets on
the built pages.
"""

from __future__ import annotations

import functools
import json
import math
import re
import shutil
import subprocess

import gradlab
import pytest
import torch
from gradlab.chain import loss_variant
from gradlab.defaults import BOWL_LRS, BOWL_STEPS, CHAIN_LR, CHAIN_STEPS, LOSS_VARIANTS
from gradlab.descent import History, regime
from gradlab.experiments.chain import SWEEP_LRS, book_start
from gradlab.optimizers import momentum_step
from gradlab.widgets import ChainLab, DescentPlayground, _page
from gradlab.widgets._core_js import CORE
from gradlab.widgets.chain_lab import MAX_LINKS, MIN_LINKS, SEEDS
from gradlab.widgets.playground import SURFACES

#: Runs that thrash are chaotic: a difference in the last bit (another libm's cos,
#: the closed-form gradient against autograd's order of operations) grows up to a
#: hundredfold per step, so they are compared after a few steps, the others after more.
STEPS_CALM, STEPS_CHAOTIC = 20, 3


def node(script: str) -> object:
    """Run ``CORE`` and then ``script`` in node; return what it prints, as JSON."""
    executable = shutil.which("node")
    if executable is None:
        pytest.fail("no node: run `make setup` (the book's math needs it too)")
    done = subprocess.run(
        [executable, "-e", CORE + "\n" + script],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(done.stdout)


@functools.cache
def chain_data() -> dict:
    return ChainLab().data()


def chain_runs(jobs: list[tuple[str, float, int]], start: torch.Tensor) -> list[dict]:
    """The script's runs of the n-link chain from ``start``: (loss, lr, steps) each,
    with the first `STEPS_CALM` + 1 points and losses of each, and its verdict."""
    data = chain_data()
    n = len(start)
    specs = [[data["models"][name][n - MIN_LINKS], lr, k] for name, lr, k in jobs]
    return node(
        f"const start = {json.dumps(start.tolist())};\n"
        f"const out = {json.dumps(specs)}.map(([m, lr, k]) => {{\n"
        "  const r = new GL.Run(GL.chainModel(m.pulls, m.penalty), start, lr, 0);\n"
        "  r.step(k);\n"
        f"  return {{path: r.path.slice(0, {STEPS_CALM + 1}),\n"
        f"    losses: r.losses.slice(0, {STEPS_CALM + 1}), verdict: r.verdict()}};\n"
        "});\nconsole.log(JSON.stringify(out));"
    )


def test_every_pull_steps_as_gradlab_pull():
    """Every loss at every rate of the chapter's sweep for a few steps, and at the
    chapter's rate for more. (Their verdicts after the chapter's steps are compared
    with gradlab's in tests/test_widgets_browser.py: gradlab's runs take seconds.)"""
    start = book_start().double()
    jobs = [(name, lr, STEPS_CHAOTIC) for name in LOSS_VARIANTS for lr in SWEEP_LRS]
    # The end pulled ten times harder thrashes at the chapter's rate ("More strings"
    # pulls it at a tenth of that too).
    calm = {name: CHAIN_LR for name in LOSS_VARIANTS} | {"x-heavy": CHAIN_LR / 10}
    jobs += [(name, lr, STEPS_CALM) for name, lr in calm.items()]
    for (name, lr, k), got in zip(jobs, chain_runs(jobs, start), strict=True):
        want = gradlab.pull(loss_variant(name, len(start)), start, lr=lr, steps=k)
        path = torch.tensor(got["path"], dtype=torch.float64)
        assert torch.allclose(path, want.params, rtol=0, atol=1e-9), (name, lr)
        losses = torch.tensor(got["losses"], dtype=torch.float64)
        assert torch.allclose(losses, want.losses, rtol=0, atol=1e-9), (name, lr)


def test_a_short_chain_from_another_seed_with_a_kink_steps_as_gradlab():
    start = gradlab.random_angles(MIN_LINKS + 1, seed=SEEDS[-1]).double()
    (got,) = chain_runs([("stiff", 0.01, STEPS_CALM)], start)
    want = gradlab.pull(loss_variant("stiff", len(start)), start, lr=0.01, steps=20)
    assert torch.allclose(torch.tensor(got["path"]).double(), want.params, atol=1e-9)


def history(losses, params=None, lr=0.1) -> History:
    losses = torch.as_tensor(losses, dtype=torch.float64)
    if params is None:
        params = torch.zeros(len(losses), 2, dtype=torch.float64)
    return History(torch.as_tensor(params, dtype=torch.float64), losses, lr)


def verdict_cases() -> dict[str, History]:
    """Histories of every verdict, and the rule's edges."""
    steps = torch.arange(80, dtype=torch.float64)
    wobble = torch.stack([torch.cos(steps), torch.sin(steps)], dim=1)
    flip = (-1.0) ** steps
    return {
        "no step": history([3.0]),
        "converged": history(1e-4 * 0.5**steps),
        "still falling": history(10 - 0.1 * steps, 0.1 * wobble),
        "oscillating": history(1 + 0.01 * flip, wobble),
        "thrashing": history(1 + 0.5 * flip, wobble),
        "diverged": history(1.5**steps, wobble),
        "non-finite loss": history([1.0, 2.0, math.inf]),
        "non-finite point": history([1.0, 0.5], [[0.0, 0.0], [math.nan, 0.0]]),
        "level but moving": history(torch.ones(60), steps[:60, None].expand(-1, 2)),
        "too little fall": history(1 - 1e-8 * steps),
        "short": history([2.0, 1.0, 0.5], 0.1 * wobble[:3]),
    }


def test_the_verdict_rule_is_gradlab_descent_regime():
    cases = verdict_cases()
    specs = [[h.losses.tolist(), h.params.tolist(), h.lr] for h in cases.values()]
    got = node(
        f"const specs = {json.dumps(specs)};\n"  # NaN and Infinity: JavaScript's
        "console.log(JSON.stringify(specs.map(([l, p, lr]) => GL.regime(l, p, lr))));"
    )
    want = [regime(h) for h in cases.values()]
    assert got == want
    assert {"converged", "still falling", "oscillating", "thrashing", "diverged",
            "non-finite"} <= set(want)  # fmt: skip


def playground_runs(jobs: list[tuple[str, list, float, float, int]]) -> list[dict]:
    data = DescentPlayground().data()
    script = _page_model_script()
    specs = [[data["surfaces"][s], start, lr, mu, k] for s, start, lr, mu, k in jobs]
    return node(
        script + f"\nconst out = {json.dumps(specs)}.map(([s, w, lr, mu, k]) => "
        "new GL.Run(surfaceModel(s), w, lr, mu).step(k));\n"
        "console.log(JSON.stringify(out.map((r) => r.path)));"
    )


def _page_model_script() -> str:
    """The playground script's `surfaceModel`, cut from the script the page runs."""
    from gradlab.widgets._descent_js import SCRIPT

    return re.search(r"function surfaceModel\(s\) \{.*?\n\}\n", SCRIPT, re.S).group(0)


def momentum_path(loss, start, lr: float, mu: float, steps: int) -> torch.Tensor:
    w = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    path, velocities = [w.detach().clone()], [None]
    for _ in range(steps):
        loss(w).backward()
        momentum_step([w], velocities, lr=lr, momentum=mu)
        w.grad = None
        path.append(w.detach().clone())
    return torch.stack(path)


@pytest.mark.parametrize("name", list(SURFACES))
def test_the_playground_descends_as_gradient_descent_and_momentum_step(name):
    surface, start = SURFACES[name], list(SURFACES[name].start)
    jobs = [(name, start, lr, 0.0, BOWL_STEPS) for lr in BOWL_LRS]
    jobs.append((name, start, BOWL_LRS[0], 0.9, BOWL_STEPS))
    got = playground_runs(jobs)
    for (_, _, lr, mu, steps), path in zip(jobs, got, strict=True):
        if mu == 0:
            want = gradlab.gradient_descent(
                surface.loss,
                torch.tensor(start, dtype=torch.float64),
                lr=lr,
                steps=steps,
            ).params
        else:
            want = momentum_path(surface.loss, start, lr, mu, steps)
        path = torch.tensor(path, dtype=torch.float64)
        assert path.shape == want.shape, (name, lr, mu)
        assert torch.allclose(path, want, rtol=1e-12, atol=1e-9), (name, lr, mu)


def test_the_seeded_starts_are_gradlab_random_angles():
    data = chain_data()
    for seed in SEEDS:
        for n in range(MIN_LINKS, MAX_LINKS + 1):
            want = gradlab.random_angles(n, seed=seed).double()
            assert torch.equal(torch.tensor(data["starts"][seed][:n]).double(), want)


def test_the_pulls_and_limits_are_gradlab_chains():
    data = chain_data()
    n = 10
    for name in LOSS_VARIANTS:
        loss, spec = loss_variant(name, n), data["models"][name][n - MIN_LINKS]
        assert spec["penalty"] == loss.penalty
        assert [(p["joint"], tuple(p["force"])) for p in spec["pulls"]] == [
            (p.joint_of(n), p.force) for p in loss.pulls
        ]
    right = data["limits"]["right"][n - MIN_LINKS]
    assert right == pytest.approx(gradlab.experiments.chain.conditioning(n).limit)
    assert data["limits"]["middle"][n - MIN_LINKS] is None
    assert data["steps"] == CHAIN_STEPS  # Run takes the table's steps
    assert set(SWEEP_LRS) <= set(data["rates"])


def test_the_playground_marks_each_surfaces_stability_limit():
    surfaces = DescentPlayground().data()["surfaces"]
    assert surfaces["round"]["limit"] == pytest.approx(2.0)
    assert surfaces["bowl"]["limit"] == pytest.approx(2 / 10)
    assert surfaces["sin"]["limit"] == pytest.approx(2 / (6 * math.pi))
    assert set(BOWL_LRS) <= set(DescentPlayground().data()["rates"])


@pytest.mark.parametrize("widget", [ChainLab(), DescentPlayground()], ids=type)
def test_each_widget_is_one_small_self_contained_fragment(widget):
    html = widget._repr_html_()
    assert _page.gzipped_size(html) <= _page.BUDGET
    assert html.count("<script>") == 1 and "<script " not in html
    for fetching in ("src=", "href=", "http", "fetch(", "XMLHttpRequest", "import("):
        assert fetching not in html, fetching
    assert 'class="gl-fallback"' in html  # what shows without script
    again = type(widget)()._repr_html_()  # the same, but for its place on the page
    ids = re.compile(r"gl-[a-z-]+-[0-9a-f]{8}-\d+")
    assert ids.sub("ID", again) == ids.sub("ID", html) and again != html


def test_bad_settings_say_what_is_allowed():
    with pytest.raises(ValueError, match="links"):
        ChainLab(links=MAX_LINKS + 1)
    with pytest.raises(ValueError, match="loss"):
        ChainLab(loss="sideways")
    with pytest.raises(ValueError, match="lr must be one of"):
        ChainLab(lr=0.0123)
    with pytest.raises(ValueError, match="surface"):
        DescentPlayground(surface="saddle")


@pytest.mark.book
@pytest.mark.parametrize(
    ("chapter", "kind"), [("chain-lab", "chain-lab"), ("gradients", "descent")]
)
def test_the_page_and_the_reader_notebook_keep_the_widget(html_dir, chapter, kind):
    page = (html_dir / "book" / f"{chapter}.html").read_text()
    widget = re.search(rf'<div class="gl-widget"[^>]*data-gradlab-widget="{kind}".*?'
                       r"</script></div>", page, re.S)  # fmt: skip
    assert widget and "const GL" in widget.group(0)
    # The reader notebook as the page's download offers it, with its outputs (the
    # copy for Colab and Binder has none: they run it).
    notebook = html_dir / "_sources" / "book" / f"{chapter}.ipynb"
    outputs = [
        "".join(o.get("data", {}).get("text/html", ""))
        for cell in json.loads(notebook.read_text())["cells"]
        for o in cell.get("outputs", [])
    ]
    found = [h for h in outputs if f'data-gradlab-widget="{kind}"' in h]
    assert len(found) == 1 and "<script>" in found[0] and "const GL" in found[0]


def test_above_the_mark_the_bowl_path_zigzags_ever_wider():
    """The gradients chapter: "Step above the mark on the bowl and the path zig-zags
    ever wider"; just below the mark it zig-zags inwards."""
    from gradlab.widgets.playground import playground_rates

    limit = SURFACES["bowl"].limit()
    rates = playground_rates()
    below, above = (
        max(r for r in rates if r < limit),
        min(r for r in rates if r > limit),
    )
    start = list(SURFACES["bowl"].start)
    jobs = [("bowl", start, lr, 0.0, BOWL_STEPS) for lr in (below, above)]
    inward, outward = (torch.tensor(p)[:, 1] for p in playground_runs(jobs))
    for path, grows in ((inward, False), (outward, True)):
        assert bool((path[1:] * path[:-1] < 0).all())  # a zig-zag: y flips sign
        assert bool(((path[1:].abs() > path[:-1].abs()) == grows).all())
