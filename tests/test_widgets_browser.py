"""The live widgets on the built pages, used as a reader would: in headless Chromium,
with the network cut, driven by keyboard and clicks. What they show after some steps
must equal `gradlab`'s numbers (float64, to 1e-9) and the chapter's verdicts.

Needs `make book`; run with ``pytest -m browser tests/test_widgets_browser.py``.
"""

from __future__ import annotations

import gradlab
import pytest
import torch
from gradlab.chain import loss_variant, pull_each
from gradlab.defaults import (
    BOWL_LRS,
    BOWL_STEPS,
    CHAIN_LINKS,
    CHAIN_SEED,
    CHAIN_STEPS,
    LOSS_VARIANTS,
)
from gradlab.experiments.chain import SWEEP_LRS, book_start
from gradlab.widgets.chain_lab import chain_rates
from gradlab.widgets.playground import SURFACES, playground_rates

from tests.test_browser import AXE, AXE_TAGS, SHOTS, browser, site  # noqa: F401
from tests.test_widgets import STEPS_CALM, STEPS_CHAOTIC, chain_runs, momentum_path

pytestmark = [pytest.mark.book, pytest.mark.browser]

STATE = "document.querySelector('.gl-widget').gradlabState()"


def open_offline(browser, site: str, name: str, **media):  # noqa: F811
    """The page ``name`` with the network cut: every request but the local site's
    is refused (and recorded). Returns (page, refused, errors)."""
    page = browser.new_page()
    refused, errors = [], []

    def route(r):
        if r.request.url.startswith(site):
            r.continue_()
        else:
            refused.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    if media:
        page.emulate_media(**media)
    page.goto(f"{site}/book/{name}.html", wait_until="networkidle")
    page.locator(".gl-widget").scroll_into_view_if_needed()
    return page, refused, errors


@pytest.fixture(scope="module")
def chain_page(browser, site):  # noqa: F811
    page, refused, errors = open_offline(browser, site, "chain-lab")
    yield page
    assert not refused and not errors, (refused, errors)
    page.close()


@pytest.fixture(scope="module")
def descent_page(browser, site):  # noqa: F811
    page, refused, errors = open_offline(browser, site, "gradients")
    yield page
    assert not refused and not errors, (refused, errors)
    page.close()


@pytest.fixture(scope="module")
def long_runs() -> dict[tuple[str, float], gradlab.History]:
    """gradlab's run of each loss at each rate of the sweep, for the chapter's steps,
    from the chapter's start in float64: (loss, lr) -> History."""
    start, runs = book_start().double(), {}
    for name in LOSS_VARIANTS:
        loss = loss_variant(name, len(start))
        for lr, run in zip(SWEEP_LRS, pull_each(loss, start, SWEEP_LRS), strict=True):
            runs[name, lr] = run
    return runs


def test_the_scripts_verdict_after_the_chapters_steps_is_gradlabs(long_runs):
    """The widget's model, run in node, ends every run with gradlab's verdict; for
    the chapter's pull, with the verdicts of its table (float32 runs there)."""
    jobs = [(name, lr, CHAIN_STEPS) for name, lr in long_runs]
    got = chain_runs(jobs, book_start().double())
    assert [r["verdict"] for r in got] == [run.status for run in long_runs.values()]
    table = gradlab.experiments.chain.lr_sweep()
    assert [long_runs["right", lr].status for lr in SWEEP_LRS] == [
        table[lr].status for lr in SWEEP_LRS
    ]


def choose_rate(page, rate: float, rates: list[float]) -> None:
    """Set the learning-rate slider with the keyboard: Home, then → per position."""
    slider = page.locator(".gl-widget [data-k=lr]")
    slider.focus()
    page.keyboard.press("Home")
    for _ in range(rates.index(rate)):
        page.keyboard.press("ArrowRight")
    slider.dispatch_event("change")  # a slider moved by keys commits on release
    assert page.evaluate(STATE)["lr"] == rate


def step(page, times: int) -> None:
    """Press Step: by mouse, and by keyboard (Enter on the focused button)."""
    button = page.locator(".gl-widget [data-k=step]")
    for i in range(times):
        if i % 2:
            button.click()
        else:
            button.focus()
            page.keyboard.press("Enter")


@pytest.mark.parametrize("lr", SWEEP_LRS)
@pytest.mark.parametrize("name", LOSS_VARIANTS)
def test_the_chain_lab_shows_gradlabs_chain_after_n_steps(
    chain_page, long_runs, name, lr
):
    page = chain_page
    page.select_option(".gl-widget [data-k=links]", str(CHAIN_LINKS))
    page.select_option(".gl-widget [data-k=seed]", str(CHAIN_SEED))
    page.select_option(".gl-widget [data-k=loss]", name)
    choose_rate(page, lr, chain_rates())
    start = book_start().double()
    k = STEPS_CHAOTIC if long_runs[name, lr].status == "thrashing" else STEPS_CALM
    step(page, k)
    state = page.evaluate(STATE)
    want = gradlab.pull(loss_variant(name, len(start)), start, lr=lr, steps=k)
    assert state["steps"] == k
    got = torch.tensor(state["positions"], dtype=torch.float64)
    assert torch.allclose(got, gradlab.positions(want.params[-1]), rtol=0, atol=1e-9)
    assert state["loss"] == pytest.approx(want.final_loss, rel=0, abs=1e-9)
    shown = page.locator(".gl-widget [data-k=verdict]").inner_text()
    assert f"Verdict: {want.status} (" in shown
    page.locator(".gl-widget [data-k=reset]").click()
    assert page.evaluate(STATE)["steps"] == 0


@pytest.mark.parametrize("lr", SWEEP_LRS)
def test_run_reaches_the_chapter_tables_verdict(chain_page, lr):
    table = gradlab.experiments.chain.lr_sweep(lrs=[lr])
    page = chain_page
    page.select_option(".gl-widget [data-k=loss]", "right")
    choose_rate(page, lr, chain_rates())
    page.locator(".gl-widget [data-k=run]").click()
    steps = table[lr].steps
    page.wait_for_function(
        f"document.querySelector('.gl-widget').dataset.step === '{steps}'",
        timeout=60_000,
    )
    page.wait_for_function(
        "document.querySelector('.gl-widget [data-k=run]').textContent === 'Run'"
    )
    verdict = page.locator(".gl-widget [data-k=verdict]").inner_text()
    assert verdict.startswith(f"Verdict: {table[lr].status} (")
    assert page.evaluate(STATE)["verdict"] == table[lr].status


def test_reduced_motion_runs_in_jumps_without_animation(browser, site):  # noqa: F811
    page, refused, errors = open_offline(
        browser, site, "chain-lab", reduced_motion="reduce"
    )
    try:
        run = page.locator(".gl-widget [data-k=run]")
        run.click()
        assert page.evaluate(STATE)["steps"] == 100  # one jump, no frame in between
        assert run.get_attribute("aria-pressed") == "true"
        run.press("Enter")  # Pause, from the keyboard
        page.wait_for_timeout(700)
        assert page.evaluate(STATE)["steps"] == 100
        assert run.inner_text() == "Run"
        assert not refused and not errors
    finally:
        page.close()


def type_start(page, x: float, y: float) -> None:
    for key, value in (("x", x), ("y", y)):
        field = page.locator(f".gl-widget [data-k={key}]")
        field.fill(str(value))
        field.press("Enter")
        field.dispatch_event("change")


@pytest.mark.parametrize("surface", list(SURFACES))
def test_the_playground_path_is_gradient_descents(descent_page, surface):
    page = descent_page
    page.select_option(".gl-widget [data-k=surface]", surface)
    x, y = SURFACES[surface].start
    type_start(page, x, y)
    for lr in BOWL_LRS:
        choose_rate(page, lr, playground_rates())
        step(page, BOWL_STEPS)
        state = page.evaluate(STATE)
        w = torch.tensor([x, y], dtype=torch.float64)
        loss = SURFACES[surface].loss
        want = gradlab.gradient_descent(loss, w, lr=lr, steps=BOWL_STEPS)
        got = torch.tensor(state["path"], dtype=torch.float64)
        assert got.shape == want.params.shape
        assert torch.allclose(got, want.params, rtol=1e-12, atol=1e-9), (surface, lr)
        assert state["verdict"] == want.status
        page.locator(".gl-widget [data-k=reset]").click()


def test_the_playground_with_momentum_and_a_tapped_start(descent_page):
    page = descent_page
    page.select_option(".gl-widget [data-k=surface]", "bowl")
    canvas = page.locator(".gl-widget [data-k=map]")
    box = canvas.bounding_box()
    canvas.click(position={"x": box["width"] * 0.25, "y": box["height"] * 0.25})
    start = page.evaluate(STATE)["path"][0]
    view = SURFACES["bowl"].view
    assert start == pytest.approx([-view / 2, view / 2], abs=0.05)  # a pixel or two
    momentum = page.locator(".gl-widget [data-k=momentum]")
    momentum.focus()
    page.keyboard.press("Home")
    for _ in range(18):  # 0.05 a press
        page.keyboard.press("ArrowRight")
    momentum.dispatch_event("change")
    choose_rate(page, BOWL_LRS[0], playground_rates())
    step(page, BOWL_STEPS)
    state = page.evaluate(STATE)
    assert state["momentum"] == 0.9
    want = momentum_path(SURFACES["bowl"].loss, start, BOWL_LRS[0], 0.9, BOWL_STEPS)
    got = torch.tensor(state["path"], dtype=torch.float64)
    assert torch.allclose(got, want, rtol=1e-12, atol=1e-9)


WIDGET_AXE = """(tags) => axe.run(document.querySelector('.gl-widget'),
    {runOnly: {type: 'tag', values: tags}})
    .then(r => r.violations.map(v => v.id + ': ' + v.nodes.map(n => n.target)))"""

FITS = """(() => { const w = document.querySelector('.gl-widget');
    const r = w.getBoundingClientRect();
    return {sideways: document.documentElement.scrollWidth > innerWidth + 1,
            overflow: w.scrollWidth > w.clientWidth + 1, right: r.right,
            width: innerWidth}; })()"""


@pytest.mark.parametrize("name", ["chain-lab", "gradients"])
def test_widgets_are_accessible_at_phone_width_and_in_dark_mode(browser, site, name):  # noqa: F811
    if not AXE.is_file():
        pytest.fail("no axe-core: run `make setup-browser`")
    page, refused, errors = open_offline(browser, site, name)
    try:
        page.add_script_tag(path=str(AXE))
        found = {}
        for width, height in ((1280, 900), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            page.wait_for_timeout(300)
            fits = page.evaluate(FITS)
            assert not fits["sideways"] and not fits["overflow"], (width, fits)
            for mode in ("light", "dark"):
                page.evaluate(f"document.documentElement.dataset.theme = '{mode}'")
                page.wait_for_timeout(400)
                violations = page.evaluate(WIDGET_AXE, AXE_TAGS)
                if violations:
                    found[f"{width}px {mode}"] = violations
                widget = page.locator(".gl-widget")
                widget.scroll_into_view_if_needed()
                SHOTS.mkdir(parents=True, exist_ok=True)
                widget.screenshot(path=SHOTS / f"widget-{name}-{width}-{mode}.png")
        assert not found, found
        ink = page.evaluate(
            "getComputedStyle(document.querySelector('.gl-widget')).color"
        )
        assert sum(int(v) for v in ink[ink.index("(") + 1 : -1].split(",")[:3]) > 400
        labels = page.evaluate(
            """Array.from(document.querySelectorAll(
                    '.gl-widget input, .gl-widget select'))
                .filter(e => !(e.labels && e.labels.length)).map(e => e.dataset.k)"""
        )
        assert labels == []
        page.locator(".gl-widget [data-k=step]").focus()
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline not in ("", "none")
        assert not refused and not errors, (refused, errors)
    finally:
        page.close()


@pytest.mark.parametrize("name", ["chain-lab", "gradients"])
def test_without_script_a_sentence_stands_in(browser, site, name):  # noqa: F811
    page = browser.new_page()
    try:
        cdp = page.context.new_cdp_session(page)
        cdp.send("Emulation.setScriptExecutionDisabled", {"value": True})
        page.goto(f"{site}/book/{name}.html")
        fallback = page.locator(".gl-widget .gl-fallback")
        assert fallback.is_visible() and "needs JavaScript" in fallback.inner_text()
        assert not page.locator(".gl-widget .gl-ui").is_visible()
    finally:
        page.close()
