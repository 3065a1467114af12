"""Sphinx extension: light, accessible pages, without forking the theme. What
pydata-sphinx-theme 0.17 would load on every page, and what we do instead (sizes
gzipped, as `make audit` measures them):

- Font Awesome's SVG-with-JS bundle (543 KiB, more than any page's rest) for about
  thirty icons: dropped (`gradlab_head`, in `_templates/layout.html`); the icons the
  pages use are drawn from `_static/gradlab-icons.css` as SVG masks taken from the
  bundle, whose glyph rules (21 of the theme's render-blocking 66 KiB stylesheet) go;
- Sphinx's search scripts and index (27 KiB, blocking the first paint), for the
  search-as-you-type that is off: only on the search page;
- the page scripts, which run before the first paint even when deferred: held back
  (`gradlab_later`) and started in order once the page is painted (the layout's
  script). Lighthouse mobile performance with and without, back to back on a loaded
  machine: mlp-training 89 and 73, chain-lab 86 and 80;
- sphinx-design's assets (11 KiB), KaTeX's stylesheet (4 KiB): only where used;
- figures: sized (no layout shift), lazy after the page's first, PNGs and the
  animation's frames as lossless WebP (the book's PNGs: 1,376 KiB, as WebP 698 KiB);
  a multi-panel figure scrolls sideways on a phone;
- myst-nb's hidden-cell toggle is labelled "Toggle hidden content", not its visible
  text (WCAG 2.5.3): the label goes; the animation's slider and the scrolling tables
  get a label and a tab stop.

sphinxcontrib-katex typesets the math at build time; this copies KaTeX's stylesheet
and fonts to ``_static/katex`` (no CDN) and makes a formula KaTeX cannot typeset a
build warning, so the strict build fails.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import html
import io
import re
import shutil
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import IO, TYPE_CHECKING
from urllib.parse import quote

import imagesize
from PIL import Image
from sphinx.util import logging

if TYPE_CHECKING:
    from sphinx.application import Sphinx

logger = logging.getLogger(__name__)
KATEX = Path(__file__).resolve().parents[2] / ".vendor/node/node_modules/katex/dist"
#: What KaTeX shows (``throwOnError: false``) for a formula it cannot parse, and for an
#: unknown command (in its ``errorColor``).
KATEX_ERROR = re.compile(
    r'<span class="katex-error" title="([^"]*)"'
    r'|<mstyle mathcolor="#cc0000"><mtext>(\\[^<]*)</mtext>'
)
#: Dropped from <head>: Font Awesome's script, script preloads, the search scripts.
HEAD_DROPPED = re.compile(
    r'\s*(?:<script defer src="[^"]*scripts/fontawesome\.js[^"]*"></script>'
    r'|<link rel="preload" as="script" href="[^"]*" />)'
)
SCRIPT = re.compile(r'<script (?:defer(?:="defer")? )?src="(?![^"]*documentation_opt)')
SEARCH_SCRIPT = re.compile(
    r'\s*<script src="[^"]*(?:searchtools|language_data|searchindex)\.js"></script>'
)
ICON_CLASS = re.compile(r"\bfa-([a-z0-9-]+)")
#: Font Awesome's own helper classes, which are not icons.
FA_HELPERS = {"solid", "regular", "brands", "lg", "fw", "xl", "sm", "xs", "2x", "spin"}
ICON_DEF = re.compile(
    r'(?:"([\w-]+)"|([\w$]+)):\[(\d+),(\d+),\[([^\]]*)\],"[0-9a-f]+",(?:"([^"]*)"|\[)'
)
STYLE_DEF = re.compile(r'\b\w+\("(fab|far|fas)",\w+\)')
#: Rules that only give a Font Awesome icon its glyph (``.fa-x:before{content:..}``).
FA_GLYPH_RULE = re.compile(
    r"(?<=[{}])(?:\.fa-[a-z0-9-]+:(?:before|after),?)+\{content:[^;{}]*;?\}"
)
ICON_SELECTOR = {
    "fab": ".fa-brands.fa-{0}, .fab.fa-{0}",
    "far": ".fa-regular.fa-{0}, .far.fa-{0}",
    "fas": ".fa-{0}",
}
#: A figure this wide (natural pixels) has several panels side by side: the book's
#: single panels are at most 6.9 inches at 100 dpi. On a phone it is shown at
#: PHONE_FRACTION of its natural width at least, in a frame that scrolls sideways.
WIDE_PIXELS, PHONE_FRACTION = 900, 0.6
FIGURE = re.compile(
    r'<figure class="([^"]*)" id="([^"]*)">(\s*<img [^>]*src="[^"]*_images/([^"/]+)")'
)
IMG = re.compile(r'<img ([^>]*)src="([^"]*_images/([^"/]+\.(png|svg)))"([^>]*?)\s*/?>')
PNG_DATA = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=\\\n]+)")
DATA_IMG = re.compile(
    r'<img ([^>]*)src="data:image/(?:png|webp);base64,([A-Za-z0-9+/=]+)"([^>]*)>'
)
#: How every WebP of the build is written: lossless, at Pillow's default effort.
WEBP = {"lossless": True, "method": 4}
#: A label for the animation's slider, a tab stop for the scrolling tables, and the
#: hidden-cell toggle named by its visible text alone.
LABELLED = {
    '<summary aria-label="Toggle hidden content">': "<summary>",
    'class="anim-slider"': 'class="anim-slider" aria-label="Animation frame"',
    '<div class="pst-scrollable-table-container">': (
        '<div class="pst-scrollable-table-container" tabindex="0">'
    ),
}


def gradlab_later(markup: str, hold: bool = True) -> str:
    """The <script src> tags of ``markup`` held back for the layout's script to start,
    but documentation_options.js, whose object the inline scripts after it use."""
    later = '<script type="text/plain" data-gradlab-later src="'
    return SCRIPT.sub(later, str(markup)) if hold else str(markup)


def gradlab_head(markup: str, search_as_you_type: bool = False) -> str:
    """The theme's <head> markup without Font Awesome's script and preloads, and
    without the search scripts unless search-as-you-type needs them."""
    markup = HEAD_DROPPED.sub("", str(markup))
    return markup if search_as_you_type else SEARCH_SCRIPT.sub("", markup)


def font_awesome_icons(bundle: str) -> dict[str, dict[str, tuple[int, int, str]]]:
    """{style: {icon name or alias: (width, height, SVG path)}} from the JS bundle,
    which defines the brands, regular and solid icons in that order, each block
    followed by its registration call ``x("fab", ...)``, ``x("far", ...)``, ..."""
    ends = [(m.start(), m.group(1)) for m in STYLE_DEF.finditer(bundle)]
    icons: dict[str, dict[str, tuple[int, int, str]]] = {s: {} for s in ICON_SELECTOR}
    for m in ICON_DEF.finditer(bundle):
        style = next((s for pos, s in ends if pos > m.start()), None)
        if style is None or m.group(6) is None:  # None: a duotone icon (two paths)
            continue
        names = [m.group(1) or m.group(2)]
        names += [a.strip('"') for a in m.group(5).split(",") if a.startswith('"')]
        for name in names:
            icons[style].setdefault(name, (int(m[3]), int(m[4]), m[6]))
    return icons


def _svg_url(width: int, height: int, path: str) -> str:
    svg = (
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}'>"
        f"<path d='{path}'/></svg>"
    )
    return 'url("data:image/svg+xml,' + quote(svg, safe=" /:=',.-") + '")'


def icons_css(used: set[tuple[str, str]], icons: dict) -> str:
    """CSS drawing each (style, name) icon as a mask filled with the text colour."""
    lines = [
        "/* Generated by tools/sphinx_ext/gradlab_pages.py: the Font Awesome icons the"
        " pages use (Font Awesome Free, icons CC BY 4.0), drawn by gradlab.css. */"
    ]
    if "pencil" in icons["fas"]:
        lines.append(f":root {{ --gl-pencil: {_svg_url(*icons['fas']['pencil'])}; }}")
    for style, name in sorted(used):
        if name in icons[style]:
            selector = ICON_SELECTOR[style].format(name)
            lines.append(
                f"{selector} {{ --gl-icon: {_svg_url(*icons[style][name])}; }}"
            )
    return "\n".join(lines) + "\n"


def used_icons(html_dir: Path) -> set[tuple[str, str]]:
    """(style, name) of every Font Awesome icon in the built HTML."""
    used = set()
    for page in html_dir.rglob("*.html"):
        for classes in re.findall(r'class="([^"]*\bfa-?[^"]*)"', page.read_text()):
            words = set(classes.split())
            style = "fab" if {"fa-brands", "fab"} & words else "fas"
            style = "far" if {"fa-regular", "far"} & words else style
            names = {m[1] for w in words if (m := ICON_CLASS.fullmatch(w))}
            used |= {(style, name) for name in names - FA_HELPERS}
    return used


def image_size(image: Path | IO[bytes]) -> tuple[int, int] | None:
    """(width, height) in CSS pixels of a PNG, WebP or SVG (pt or px) image in an
    <img>, or None if it states none."""
    width, height = imagesize.get(image)
    return (round(width), round(height)) if width > 0 and height > 0 else None


@functools.cache
def _file_size(path: Path, mtime_ns: int) -> tuple[int, int] | None:
    """`image_size` of a file, read once per version: each page asks for every image."""
    return image_size(path)


def _wide_figures(body: str, sizes: dict[str, tuple[int, int]]) -> str:
    """Mark multi-panel figures: readable on a phone in a sideways-scrolling frame
    (focusable, so a keyboard can scroll it too)."""

    def mark(m: re.Match) -> str:
        width = (sizes.get(m.group(4)) or (0, 0))[0]
        if width < WIDE_PIXELS:
            return m.group(0)
        return (
            f'<figure class="{m[1]} gradlab-wide" id="{m[2]}" tabindex="0"'
            f' style="--gradlab-phone-width: {round(width * PHONE_FRACTION)}px">{m[3]}'
        )

    return FIGURE.sub(mark, body)


def _pictures(body: str, sizes: dict[str, tuple[int, int]]) -> str:
    """Each figure's image with its size stated and, after the page's first, loaded
    lazily; each PNG as a <picture> offering its WebP twin (``_write_webp``)."""
    count = 0

    def sized(m: re.Match) -> str:
        nonlocal count
        count += 1
        size = sizes.get(m.group(3))
        extra = f' width="{size[0]}" height="{size[1]}"' if size else ""
        extra += ' loading="lazy"' if count > 1 else ""
        img = f'<img {m[1]}src="{m[2]}"{m[5]}{extra} />'
        if m.group(4) == "svg":
            return img
        webp = m.group(2)[: -len(".png")] + ".webp"
        return f'<picture><source srcset="{webp}" type="image/webp">{img}</picture>'

    return IMG.sub(sized, body)


def webp_data_uris(body: str) -> str:
    """Every inline PNG (``data:image/png;base64,...``, which matplotlib's animation
    writer wraps with backslash-newlines inside its script) as lossless WebP."""

    def webp(m: re.Match) -> str:
        png = base64.b64decode(m.group(1).replace("\\\n", ""))
        out = io.BytesIO()
        with Image.open(io.BytesIO(png)) as image:
            image.save(out, "WEBP", **WEBP)
        return "data:image/webp;base64," + base64.b64encode(out.getvalue()).decode()

    return PNG_DATA.sub(webp, body)


def sized_data_images(body: str) -> str:
    """Each <img> with an inline PNG or WebP (the animation's first frame) states its
    size, read from the image, unless it already does."""

    def sized(m: re.Match) -> str:
        size = image_size(io.BytesIO(base64.b64decode(m.group(2))))
        if size is None or re.search(r"\swidth=", f" {m[1]}{m[3]}"):
            return m.group(0)
        return m.group(0)[:-1] + f' width="{size[0]}" height="{size[1]}">'

    return DATA_IMG.sub(sized, body)


def _webp_twin(png: Path) -> None:
    with Image.open(png) as image:
        image.save(png.with_suffix(".webp"), "WEBP", **WEBP)


def _write_webp(outdir: Path) -> None:
    """Lossless WebP twins of the built PNGs that lack an up-to-date one, four at a
    time."""
    stale = [
        png
        for png in (outdir / "_images").glob("*.png")
        if not (webp := png.with_suffix(".webp")).is_file()
        or webp.stat().st_mtime < png.stat().st_mtime
    ]
    with ProcessPoolExecutor(4) as pool:  # starts no process for an empty list
        list(pool.map(_webp_twin, stale))


def _rewrite_body(app: Sphinx, body: str) -> str:
    """Figures sized, lazy and WebP; inline PNGs as WebP; `LABELLED`'s labels."""
    images = getattr(app.builder, "images", {}).items()  # {source: name in _images/}
    paths = {name: Path(app.srcdir) / source for source, name in images}
    sizes = {
        name: _file_size(path, path.stat().st_mtime_ns)
        for name, path in paths.items()
        if path.suffix in (".png", ".svg") and path.is_file()
    }
    body = _pictures(_wide_figures(body, sizes), sizes)
    if "data:image/png;base64," in body:
        body = webp_data_uris(body)
    if "<img " in body and "data:image/" in body:
        body = sized_data_images(body)
    for plain, labelled in LABELLED.items():
        body = body.replace(plain, labelled)
    return body


def _on_page(app: Sphinx, pagename: str, templatename: str, context: dict, doctree):
    """Once the other extensions have made the page and its asset lists."""
    context.update(gradlab_head=gradlab_head, gradlab_later=gradlab_later)  # the layout
    if "body" in context:
        context["body"] = _rewrite_body(app, context["body"])
        for error, command in KATEX_ERROR.findall(context["body"]):
            problem = html.unescape(error) or f"KaTeX has no command {command}"
            logger.warning("math: %s", problem, location=pagename)
    body = context.get("body", "")
    unused = ["sphinx-design", "design-tabs"] * ('class="sd-' not in body)
    unused += ["katex"] * ('class="katex' not in body)

    def used(asset) -> bool:
        return not any(u in str(asset.filename) for u in unused)

    for key in ("css_files", "script_files"):  # new lists, this page's alone
        context[key] = [asset for asset in context.get(key, []) if used(asset)]


def _on_builder_inited(app: Sphinx) -> None:
    if app.builder.format == "html" and app.config.katex_prerender:
        _start_katex()


def _start_katex() -> str:
    """Start sphinxcontrib-katex's render server, up to five times while it refuses:
    it connects once the server's socket file exists, which node creates just before
    it listens, so a busy machine can refuse that connection (the refused server is
    then left running until the machine's next restart)."""
    from sphinxcontrib.katex import render_latex

    for _ in range(4):
        with contextlib.suppress(ConnectionRefusedError):
            return render_latex("x")
    return render_latex("x")


def _copy_katex(static: Path) -> None:
    """KaTeX's stylesheet and its WOFF2 fonts (the only format browsers fetch); the
    text of a formula is shown in a fallback font until KaTeX's arrives (``swap``)."""
    if not (KATEX / "katex.min.css").is_file():
        raise RuntimeError(f"KaTeX is missing ({KATEX}): run `make setup`")
    (static / "katex" / "fonts").mkdir(parents=True, exist_ok=True)
    css = (KATEX / "katex.min.css").read_text()
    swap = css.replace("@font-face{", "@font-face{font-display:swap;")
    (static / "katex" / "katex.min.css").write_text(swap)
    for font in (KATEX / "fonts").glob("*.woff2"):
        shutil.copy(font, static / "katex" / "fonts")


def _on_build_finished(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    import pydata_sphinx_theme

    static = Path(app.outdir) / "_static"
    _copy_katex(static)
    _write_webp(Path(app.outdir))
    theme = Path(pydata_sphinx_theme.__file__).parent / "theme/pydata_sphinx_theme"
    bundle = (theme / "static/scripts/fontawesome.js").read_text()
    css = icons_css(used_icons(Path(app.outdir)), font_awesome_icons(bundle))
    (static / "gradlab-icons.css").write_text(css)
    # The bundle is no page's script any more; leave no file to fetch by mistake.
    for name in ("fontawesome.js", "fontawesome.js.map"):
        (static / "scripts" / name).unlink(missing_ok=True)
    theme_css = static / "styles" / "pydata-sphinx-theme.css"
    if theme_css.is_file():
        theme_css.write_text(FA_GLYPH_RULE.sub("", theme_css.read_text()))


def setup(app: Sphinx) -> dict:
    app.add_css_file("gradlab-icons.css")
    app.connect("builder-inited", _on_builder_inited)
    app.connect("html-page-context", _on_page, priority=900)
    app.connect("build-finished", _on_build_finished)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
