"""The built book in a real browser: Debian's Chromium, headless, driven by Playwright.

The site is served on localhost. Every page of _toc.yml must load without console
errors or failed requests, show every image (DAG SVGs included), show its math (typeset
at build time by KaTeX: every formula drawn in KaTeX's fonts, no math script),
offer the launch and download menus, stay readable in dark mode, and leave a
full-page screenshot under _build/screenshots/ for review.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests._book import ROOT, chapter_files, toc_files

pytestmark = [pytest.mark.book, pytest.mark.browser]

playwright_api = pytest.importorskip("playwright.sync_api")
SHOTS = ROOT / "_build" / "screenshots"
CHAPTERS = {p.relative_to(ROOT).with_suffix("").as_posix() for p in chapter_files()}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def site(html_dir: Path) -> Iterator[str]:
    handler = functools.partial(QuietHandler, directory=str(html_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.fail("no chromium: run `make setup-browser` (apt-get install chromium)")
    with (
        tempfile.TemporaryDirectory() as profile,
        playwright_api.sync_playwright() as p,
    ):
        context = p.chromium.launch_persistent_context(
            profile,
            executable_path=executable,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
        )
        yield context
        context.close()


def open_page(browser, url: str):
    """Open url; return (page, console errors, failed requests)."""
    page = browser.new_page()
    errors, failures = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: failures.append(f"{r.url} ({r.failure})"))
    page.on(
        "response",
        lambda r: failures.append(f"{r.url} ({r.status})") if r.status >= 400 else None,
    )
    page.goto(url, wait_until="networkidle")
    # Images may be lazy: load them all.
    page.evaluate("document.querySelectorAll('img').forEach(i => i.loading = 'eager')")
    page.wait_for_function("Array.from(document.images).every(i => i.complete)")
    return page, errors, failures


# Images of the chapter (figures, the animation's frame) whose stated width and
# height, which reserve their box before they arrive, are not the size the browser
# decodes.
MISSIZED_FIGURES = """Array.from(document.querySelectorAll('article img'))
    .filter(i => !(Math.abs(i.getAttribute('width') - i.naturalWidth) <= 1
                   && Math.abs(i.getAttribute('height') - i.naturalHeight) <= 1))
    .map(i => [i.src.split('/').pop(), i.getAttribute('width'),
               i.getAttribute('height'), i.naturalWidth, i.naturalHeight])"""

BROKEN_IMAGES = """Array.from(document.images)
    .filter(i => !(i.naturalWidth > 0)).map(i => i.src)"""

RAW_TEX = r"""(() => {
    const main = document.querySelector('main') || document.body;
    const clone = main.cloneNode(true);
    clone.querySelectorAll('pre, code, .katex, script, .highlight')
         .forEach(n => n.remove());
    const text = clone.innerText;
    return ['\\(', '\\[', '$$'].filter(s => text.includes(s));
})()"""

# Formulas drawn with nothing, or without KaTeX's fonts (fetched from the site).
UNDRAWN_MATH = """(async () => {
    await document.fonts.ready;
    const bad = [];
    document.querySelectorAll('.math .katex-html').forEach(html => {
        const box = html.getBoundingClientRect();
        if (html.checkVisibility() && !(box.width > 0 && box.height > 0))
            bad.push(html.parentNode.textContent.slice(0, 40));
    });
    if (bad.length === 0 && document.querySelector('.math .katex')
        && !document.fonts.check('16px KaTeX_Main')) bad.push('no KaTeX_Main font');
    return bad;
})()"""
MATH_SCRIPT = """!!window.MathJax || !!window.katex || Array.from(document.scripts)
    .some(s => /mathjax|katex/i.test(s.src + s.textContent))"""

# Fraction of an image's pixels that are opaque and near white, and whether its
# corners are transparent: a figure with a white background would be a white slab on
# the dark page.
SLABS = """async () => {
    const out = [];
    for (const img of document.querySelectorAll('article img')) {
        const c = document.createElement('canvas');
        c.width = img.naturalWidth; c.height = img.naturalHeight;
        const g = c.getContext('2d');
        g.drawImage(img, 0, 0);
        const d = g.getImageData(0, 0, c.width, c.height).data;
        let white = 0, n = c.width * c.height;
        for (let k = 0; k < d.length; k += 4)
            if (d[k+3] > 200 && d[k] > 235 && d[k+1] > 235 && d[k+2] > 235) white++;
        const alpha = (x, y) => d[(y * c.width + x) * 4 + 3];
        const corners = [alpha(0, 0), alpha(c.width - 1, 0), alpha(0, c.height - 1),
                         alpha(c.width - 1, c.height - 1)];
        out.push({src: img.src.split('/').pop(), white: white / n,
                  transparent: corners.every(a => a === 0)});
    }
    return out;
}"""


@pytest.mark.parametrize("name", toc_files())
def test_page_in_a_real_browser(browser, site: str, name: str):
    page, errors, failures = open_page(browser, f"{site}/{name}.html")
    try:
        assert not errors, f"console errors: {errors}"
        assert not failures, f"failed requests: {failures}"
        assert page.evaluate(BROKEN_IMAGES) == []
        assert page.evaluate(MISSIZED_FIGURES) == []
        assert page.evaluate(RAW_TEX) == [], "math left untypeset"
        assert not page.evaluate(MATH_SCRIPT), "a math script on the page"
        formulas = page.locator(".math .katex").count()
        assert page.locator(".math").count() == formulas
        assert page.evaluate(UNDRAWN_MATH) == []
        SHOTS.mkdir(parents=True, exist_ok=True)
        stem = name.replace("/", "-")
        page.screenshot(path=SHOTS / f"{stem}-light.png", full_page=True)

        if name in CHAPTERS:
            launch = page.locator(".dropdown-launch-buttons a")
            hrefs = [launch.nth(i).get_attribute("href") for i in range(launch.count())]
            assert any("colab" in h for h in hrefs) and any(
                "binder" in h for h in hrefs
            )
            downloads = page.locator(".dropdown-download-buttons a")
            texts = [
                downloads.nth(i).get_attribute("href") for i in range(downloads.count())
            ]
            assert any(t.endswith(".ipynb") for t in texts)
            assert any(t.endswith(".md") for t in texts)

        page.evaluate("document.documentElement.dataset.theme = 'dark'")
        page.wait_for_timeout(200)
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        red, green, blue = (
            int(v) for v in background[background.index("(") + 1 : -1].split(",")[:3]
        )
        assert red + green + blue < 150, f"dark mode did not apply: {background}"
        slabs = page.evaluate(
            """Array.from(document.querySelectorAll('article img'))
                .map(i => getComputedStyle(i).backgroundColor)
                .filter(c => c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent')"""
        )
        assert slabs == [], f"figures drawn on a coloured slab in dark mode: {slabs}"
        for figure in page.evaluate(SLABS):
            assert figure["transparent"], f"{figure['src']} has an opaque background"
            assert figure["white"] < 0.25, f"{figure['src']} is mostly white"
        page.screenshot(path=SHOTS / f"{stem}-dark.png", full_page=True)
    finally:
        page.close()


def test_site_search_finds_a_term_from_the_chapters(browser, site: str):
    page, errors, _ = open_page(browser, f"{site}/search.html?q=gradient")
    try:
        page.wait_for_selector("#search-results li", timeout=15_000)
        hits = page.locator("#search-results li a").all_inner_texts()
        assert any("Gradient" in h for h in hits), hits
        assert not errors
    finally:
        page.close()


def test_search_from_a_chapter_reaches_the_results(browser, site: str):
    """Chapters load no search script (gradlab_pages.py): the search button's dialog
    sends the query to the search page, which finds it."""
    page, errors, _ = open_page(browser, f"{site}/book/autograd.html")
    try:
        page.locator(".search-button__button:visible").first.click()
        page.keyboard.type("gradient")
        page.keyboard.press("Enter")
        page.wait_for_selector("#search-results li", timeout=15_000)
        assert "search.html?q=gradient" in page.url
        assert not errors
    finally:
        page.close()


def test_scripts_start_after_the_first_paint_and_dark_mode_does_not_flash(
    browser, site: str
):
    """gradlab_pages.py holds the page scripts back until a frame is painted; the
    colour mode is settled before it, by the inline lines in the head."""
    page = browser.new_page()
    try:
        page.emulate_media(color_scheme="dark")
        page.add_init_script(
            """document.addEventListener('readystatechange', () => {
                if (document.readyState === 'interactive')
                    window.themeWhenParsed = document.documentElement.dataset.theme;
            });"""
        )
        page.goto(f"{site}/book/gradients.html", wait_until="networkidle")
        assert page.evaluate("window.themeWhenParsed") == "dark"
        assert page.locator("script[data-gradlab-later]").count() == 0
        page.locator(".dropdown-launch-buttons button").click()
        page.locator(".dropdown-launch-buttons .dropdown-menu").wait_for()
        assert page.locator("button.copybtn").count() > 0
    finally:
        page.close()


def test_math_renders_from_disk_without_a_server(browser, html_dir: Path):
    page = browser.new_page()
    try:
        page.goto((html_dir / "book" / "gradients.html").as_uri(), wait_until="load")
        assert page.locator("article .math .katex").count() > 10
        assert page.evaluate(UNDRAWN_MATH) == []
        assert page.evaluate(RAW_TEX) == []
    finally:
        page.close()


AXE = ROOT / ".vendor" / "node" / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page) -> list[str]:
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]


@pytest.mark.parametrize("name", toc_files())
def test_no_axe_violations_at_desktop_and_phone_widths_in_both_modes(
    browser, site: str, name: str
):
    """axe-core (WCAG 2.1 A and AA), served from .vendor/node: none on any page."""
    if not AXE.is_file():
        pytest.fail("no axe-core: run `make setup-browser`")
    page, _, _ = open_page(browser, f"{site}/{name}.html")
    try:
        found = {}
        for width, height in ((1280, 900), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            page.wait_for_timeout(600)  # the theme re-marks scroll boxes 300 ms after
            for mode in ("light", "dark"):
                page.evaluate(f"document.documentElement.dataset.theme = '{mode}'")
                page.wait_for_timeout(400)  # colours change with a transition
                violations = axe_violations(page)
                if violations:
                    found[f"{width}px {mode}"] = violations
        assert not found, found
    finally:
        page.close()


# Each article image's shown width against its natural width, and whether the page
# scrolls sideways.
WIDTHS = """() => ({
    images: Array.from(document.querySelectorAll('article figure img')).map(i => ({
        src: i.src.split('/').pop(), natural: i.naturalWidth,
        shown: i.getBoundingClientRect().width})),
    sideways: document.documentElement.scrollWidth > window.innerWidth + 1,
})"""
SINGLE_PANEL_PIXELS = 900  # tools/sphinx_ext/gradlab_pages.py: WIDE_PIXELS


@pytest.mark.parametrize("name", sorted(CHAPTERS))
def test_phone_width_figures_are_readable_and_controls_fit(
    browser, site: str, name: str
):
    page = browser.new_page()
    try:
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{site}/{name}.html", wait_until="networkidle")
        page.evaluate(
            "document.querySelectorAll('img').forEach(i => i.loading = 'eager')"
        )
        page.wait_for_function("Array.from(document.images).every(i => i.complete)")
        found = page.evaluate(WIDTHS)
        assert not found["sideways"], "the page scrolls sideways at 390 px"
        for image in found["images"]:
            if image["natural"] >= SINGLE_PANEL_PIXELS:
                assert image["shown"] >= 0.6 * image["natural"] - 1, image
        controls = page.evaluate(
            """Array.from(document.querySelectorAll('.anim-controls button'))
                .filter(b => b.getBoundingClientRect().right >
                             b.closest('.animation').getBoundingClientRect().right + 1)
                .map(b => b.title)"""
        )
        assert controls == [], f"animation controls outside their box: {controls}"
    finally:
        page.close()


VISIBLE_SEARCH_BUTTONS = """Array.from(
    document.querySelectorAll('.search-button__button'))
    .filter(b => b.checkVisibility() && b.getBoundingClientRect().width > 0).length"""


@pytest.mark.parametrize("name", ["book/intro", "book/gradients"])
def test_one_search_button_and_no_empty_top_bar(browser, site: str, name: str):
    """pydata-sphinx-theme 0.17 would add a bar with a second search field above
    sphinx-book-theme's layout (_config.yml: navbar_persistent)."""
    page = browser.new_page()
    try:
        for width, height in ((1280, 900), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            page.goto(f"{site}/{name}.html", wait_until="networkidle")
            assert page.evaluate(VISIBLE_SEARCH_BUTTONS) == 1, f"at {width} px"
            top = page.evaluate(
                "document.querySelector('.bd-header')?.getBoundingClientRect().height"
            )
            assert not top, f"a top bar {top} px high at {width} px"
    finally:
        page.close()


@pytest.mark.parametrize("name", ["book/autograd", "book/chain-lab"])
def test_print_hides_chrome_wraps_code_and_keeps_captions(
    browser, site: str, name: str, tmp_path: Path
):
    page = browser.new_page()
    try:
        page.goto(f"{site}/{name}.html", wait_until="networkidle")
        page.emulate_media(media="print")
        shown = page.evaluate(
            """sel => Array.from(document.querySelectorAll(sel))
                .filter(e => getComputedStyle(e).display !== 'none').length""",
            ".bd-header, .bd-sidebar-primary, .bd-sidebar-secondary, .prev-next-area",
        )
        assert shown == 0, "navigation is printed"
        wraps = page.evaluate(
            """Array.from(document.querySelectorAll('article pre'))
                .every(p => getComputedStyle(p).whiteSpace === 'pre-wrap')"""
        )
        assert wraps, "code does not wrap in print"
        captions = page.evaluate(
            """Array.from(document.querySelectorAll('article figure'))
                .every(f => !f.querySelector('img') || (f.querySelector('figcaption')
                     && getComputedStyle(f.querySelector('figcaption')).display
                        !== 'none'))"""
        )
        assert captions, "a printed figure lost its caption"
        pdf = tmp_path / "page.pdf"
        page.pdf(path=str(pdf))
        assert pdf.stat().st_size > 10_000
    finally:
        page.close()
