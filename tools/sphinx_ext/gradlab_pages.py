"""Sphinx extension: light, accessible pages, without forking the theme.

What the theme (pydata-sphinx-theme under sphinx-book-theme) would load on every
page, and what this extension does instead:

- Font Awesome's full SVG-with-JS bundle (1.4 MB) for about a dozen icons: the
  script is dropped (`_templates/layout.html`, through the `gradlab_head` filter), and
  `_static/gradlab-icons.css` draws the icons the built pages use, each as a small
  inline SVG mask taken from that same bundle, in the text colour;
- Sphinx's search index and tools in `<head>` of every page, blocking the first paint,
  for pydata-sphinx-theme's search-as-you-type, which is off: dropped (the search page
  loads its own);
- MathJax in the browser: none; the math is typeset at build time (gradlab_math.py);
- the page scripts (the theme's, Sphinx's, the buttons'), which run before the first
  paint even when deferred: held back (``type="text/plain"``) and started in order
  once the page has been painted (`LATER`, inline in the head), without preloading;
  an inline line there also settles the colour mode before that paint (the theme's
  script would otherwise do it, and a reader in dark mode would see a light flash);
- the glyph rules of Font Awesome in the theme's stylesheet (a third of its bytes,
  dead once the icons are masks): taken out of the built copy;
- sphinx-design's stylesheet and script on every page: only on pages that use it;
- figures without their size in the markup, all fetched with the page (a chapter of
  Graphviz drawings requested six SVGs beside its stylesheets): every figure's
  ``<img>`` states its width and height, read from the PNG or SVG file (or the
  inline image: the animation's first frame), and all but the page's first figure
  load lazily;
- PNG images inlined as data URIs (the chain-lab animation's frames): lossless WebP,
  half the bytes;
- the launch menu's Colab and Binder logos, fetched with every page though the menu is
  closed: drawn as CSS backgrounds (gradlab.css), fetched when the menu opens;
- no meta description: the page's first paragraph becomes one;
- the hidden-cell toggles' label "Toggle hidden content", which does not contain
  their visible text ("Show code cell content"): dropped, so the visible text names
  them; the animation's frame slider gets a label.
"""

from __future__ import annotations

import functools
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from docutils import nodes

if TYPE_CHECKING:
    from sphinx.application import Sphinx

FA_SCRIPT = re.compile(
    r'\s*<script defer src="[^"]*scripts/fontawesome\.js[^"]*"></script>'
)
SEARCH_SCRIPT = re.compile(
    r'<script src="([^"]*(?:searchtools\.js|language_data\.js|searchindex\.js))">'
)
SEARCH_TAG = re.compile(
    r'\s*<script src="[^"]*(?:searchtools|language_data|searchindex)\.js"></script>'
)
ICON_CLASS = re.compile(r"\bfa-([a-z0-9-]+)")
#: Font Awesome's own helper classes, which are not icons.
FA_HELPERS = {"solid", "regular", "brands", "lg", "fw", "xl", "sm", "xs", "2x", "spin"}
ICON_DEF = re.compile(
    r'(?:"([\w-]+)"|([\w$]+)):\[(\d+),(\d+),\[([^\]]*)\],"[0-9a-f]+",(?:"([^"]*)"|\[)'
)
STYLE_DEF = re.compile(r'\b\w+\("(fab|far|fas)",\w+\)')
DESCRIPTION_CHARS = 155
FIGURE = re.compile(
    r'<figure class="([^"]*)" id="([^"]*)">(\s*<img [^>]*src="[^"]*_images/([^"/]+)")'
)
#: A figure this wide (natural pixels) has several panels side by side: the book's
#: single panels are at most 6.9 inches at 100 dpi.
WIDE_PIXELS = 900
#: On a phone, a wide figure is shown at this fraction of its natural width at
#: least, in a frame that scrolls sideways (gradlab.css).
PHONE_FRACTION = 0.6


PRELOAD_SCRIPT = re.compile(r'\s*<link rel="preload" as="script" href="[^"]*" />')
DEFERRED_SCRIPT = re.compile(r'<script defer src="')
#: Inline in every page's head: the colour mode now, the held scripts after the first
#: paint (a frame is about to be painted when requestAnimationFrame calls back; a
#: timeout after it runs once it is), or after 5 s should no frame come.
LATER = """(() => {
  const root = document.documentElement;
  const mode = root.dataset.mode;  // the reader's choice: auto, light or dark
  if (!mode || mode === "auto") {
    const dark = window.matchMedia("(prefers-color-scheme: dark)").matches;
    root.dataset.theme = dark ? "dark" : "light";
  } else {
    root.dataset.theme = mode;
  }
  let started = false;
  const start = () => {
    if (started) return;
    started = true;
    document.querySelectorAll("script[data-gradlab-later]").forEach((held) => {
      const script = document.createElement("script");
      for (const { name, value } of held.attributes) {
        if (name !== "type" && name !== "data-gradlab-later") {
          script.setAttribute(name, value);
        }
      }
      script.async = false;  // in document order
      held.replaceWith(script);
    });
  };
  document.addEventListener("DOMContentLoaded", () => {
    requestAnimationFrame(() => setTimeout(start, 0));
    setTimeout(start, 5000);
  });
})();"""


def gradlab_later(html: str, hold: bool = True) -> str:
    """The theme's deferred <script> tags held back for `LATER` to start."""
    if not hold:
        return str(html)
    return DEFERRED_SCRIPT.sub(
        '<script type="text/plain" data-gradlab-later src="', str(html)
    )


def gradlab_head(html: str, search_as_you_type: bool = False) -> str:
    """The theme's <head> markup without Font Awesome's script, and without the
    search scripts unless search-as-you-type needs them (then deferred)."""
    html = PRELOAD_SCRIPT.sub("", FA_SCRIPT.sub("", str(html)))
    if search_as_you_type:
        return SEARCH_SCRIPT.sub(r'<script defer src="\1">', html)
    return SEARCH_TAG.sub("", html)


def font_awesome_icons(bundle: str) -> dict[str, dict[str, tuple[int, int, str]]]:
    """{style: {icon name or alias: (width, height, SVG path)}} from the JS bundle.

    The bundle defines the brands, regular and solid icons in that order, each block
    followed by its registration call ``x("fab", ...)``, ``x("far", ...)``,
    ``x("fas", ...)``.
    """
    ends = [(m.start(), m.group(1)) for m in STYLE_DEF.finditer(bundle)]
    icons: dict[str, dict[str, tuple[int, int, str]]] = {
        "fab": {},
        "far": {},
        "fas": {},
    }
    for m in ICON_DEF.finditer(bundle):
        if m.group(6) is None:  # a duotone icon (two paths): not used here
            continue
        style = next((s for pos, s in ends if pos > m.start()), None)
        if style is None:
            continue
        names = [m.group(1) or m.group(2)]
        names += [a.strip('"') for a in m.group(5).split(",") if a.startswith('"')]
        for name in names:
            icons[style].setdefault(
                name, (int(m.group(3)), int(m.group(4)), m.group(6))
            )
    return icons


def _svg_url(width: int, height: int, path: str) -> str:
    svg = (
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}'>"
        f"<path d='{path}'/></svg>"
    )
    return "data:image/svg+xml," + quote(svg, safe=" /:=',.-")


def icons_css(used: set[tuple[str, str]], icons: dict) -> str:
    """CSS drawing each (style, name) icon as a mask filled with the text colour."""
    lines = [
        "/* Generated by tools/sphinx_ext/gradlab_pages.py: the Font Awesome icons the",
        "   pages use, as SVG masks (Font Awesome Free, icons CC BY 4.0). */",
        ".fa, .fas, .far, .fab, .fa-solid, .fa-regular, .fa-brands {",
        "  display: inline-block; width: 1.25em; height: 1em;",
        "  vertical-align: -0.125em; background-color: currentColor;",
        "  -webkit-mask: var(--gl-icon) center / contain no-repeat;",
        "  mask: var(--gl-icon) center / contain no-repeat; }",
        ".fa-lg { font-size: 1.25em; line-height: 0.05em; vertical-align: -0.075em; }",
        "/* No glyph from the theme's Font Awesome CSS (it would fetch its fonts). */",
        ".fa::before, .fas::before, .far::before, .fab::before, .fa-solid::before,",
        ".fa-regular::before, .fa-brands::before { content: none !important; }",
    ]
    # The theme draws an icon after each admonition's title with Font Awesome's font;
    # exercises and solutions get their pencil as a mask instead, the others none.
    lines.append(
        ".admonition > .admonition-title::after, div.admonition > .admonition-title"
        "::after { content: none !important; }"
    )
    pencil = icons.get("fas", {}).get("pencil")
    if pencil is not None:
        lines.append(f':root {{ --gl-pencil: url("{_svg_url(*pencil)}"); }}')
        lines.append(
            "div.admonition.exercise > p.admonition-title::after,"
            " div.admonition.solution > p.admonition-title::after"
            ' { content: "" !important; font: inherit; width: 1em; height: 1em;'
            " background-color: currentColor; -webkit-mask: var(--gl-pencil) center /"
            " contain no-repeat; mask: var(--gl-pencil) center / contain no-repeat; }"
        )
    for style, name in sorted(used):
        found = icons.get(style, {}).get(name)
        if found is None:
            continue
        url = _svg_url(*found)
        selector = {
            "fab": f".fa-brands.fa-{name}, .fab.fa-{name}",
            "far": f".fa-regular.fa-{name}, .far.fa-{name}",
            "fas": f".fa-{name}",
        }[style]
        lines.append(f'{selector} {{ --gl-icon: url("{url}"); }}')
    return "\n".join(lines) + "\n"


def used_icons(html_dir: Path) -> set[tuple[str, str]]:
    """(style, name) of every Font Awesome icon in the built HTML."""
    used = set()
    for page in html_dir.rglob("*.html"):
        for classes in re.findall(r'class="([^"]*\bfa-?[^"]*)"', page.read_text()):
            words = classes.split()
            style = (
                "fab"
                if {"fa-brands", "fab"} & set(words)
                else "far"
                if {"fa-regular", "far"} & set(words)
                else "fas"
            )
            for word in words:
                m = ICON_CLASS.fullmatch(word)
                if m and m.group(1) not in FA_HELPERS:
                    used.add((style, m.group(1)))
    return used


def _description(doctree: nodes.document | None, fallback: str) -> str:
    if doctree is not None:
        for para in doctree.findall(nodes.paragraph):
            text = " ".join(para.astext().split())
            if len(text) > 40:
                if len(text) > DESCRIPTION_CHARS:
                    text = text[: DESCRIPTION_CHARS - 1].rsplit(" ", 1)[0] + "…"
                return text
    return fallback


#: The root element of an SVG file, and a length of it in CSS pixels (a point is
#: 4/3 px; Graphviz writes points).
SVG_ROOT = re.compile(r"<svg\b[^>]*>")
SVG_LENGTH = re.compile(r"([0-9.]+)(pt|px)?")
PX_PER_UNIT = {"pt": 4 / 3, "px": 1.0, None: 1.0}


def svg_size(text: str) -> tuple[int, int] | None:
    """(width, height) in CSS pixels of an SVG image, as a browser shows it in an
    <img>: from the root's width and height in pt or px; None if it has none."""
    root = SVG_ROOT.search(text)
    if root is None:
        return None
    size = []
    for key in ("width", "height"):
        attribute = re.search(rf'\s{key}="([^"]*)"', root.group(0))
        length = attribute and SVG_LENGTH.fullmatch(attribute.group(1).strip())
        if not length:
            return None
        size.append(round(float(length.group(1)) * PX_PER_UNIT[length.group(2)]))
    return size[0], size[1]


def _image_sizes(app: Sphinx) -> dict[str, tuple[int, int]]:
    """{name in _images/: (width, height)} of the PNG and SVG images of the build."""
    sizes = {}
    for source, name in getattr(app.builder, "images", {}).items():
        path = Path(app.srcdir) / source
        if path.suffix in (".png", ".svg") and path.is_file():
            size = _file_size(path, path.stat().st_mtime_ns)
            if size is not None:
                sizes[name] = size
    return sizes


@functools.cache
def _file_size(path: Path, mtime_ns: int) -> tuple[int, int] | None:
    """(width, height) of a PNG or SVG file, read once per version of the file (every
    page asks for every image of the build)."""
    if path.suffix == ".svg":
        return svg_size(path.read_text(errors="replace"))
    from PIL import Image

    with Image.open(path) as image:
        return image.size


def _wide_figures(body: str, sizes: dict[str, tuple[int, int]]) -> str:
    """Mark multi-panel figures: readable on a phone in a sideways-scrolling frame
    (focusable, so a keyboard can scroll it too), and sized against layout shifts."""

    def mark(m: re.Match) -> str:
        size = sizes.get(m.group(4))
        if size is None or size[0] < WIDE_PIXELS:
            return m.group(0)
        phone = round(size[0] * PHONE_FRACTION)
        return (
            f'<figure class="{m.group(1)} gradlab-wide" id="{m.group(2)}" tabindex="0"'
            f' style="--gradlab-phone-width: {phone}px">{m.group(3)}'
        )

    return FIGURE.sub(mark, body)


PNG_DATA = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=\\\n]+)")


#: How every WebP of the build is written: lossless, at Pillow's default effort
#: (``method=6`` makes this book's figures 0.4 % smaller in twice the time).
WEBP = {"lossless": True, "method": 4}


def webp_data_uris(body: str) -> str:
    """Every inline PNG (``data:image/png;base64,...``, which matplotlib's animation
    writer wraps with backslash-newlines inside its script) as lossless WebP."""
    import base64
    import io

    from PIL import Image

    def webp(m: re.Match) -> str:
        png = base64.b64decode(m.group(1).replace("\\\n", ""))
        out = io.BytesIO()
        with Image.open(io.BytesIO(png)) as image:
            image.save(out, "WEBP", **WEBP)
        return "data:image/webp;base64," + base64.b64encode(out.getvalue()).decode()

    return PNG_DATA.sub(webp, body)


DATA_IMG = re.compile(
    r'<img ([^>]*)src="data:image/(?:png|webp);base64,([A-Za-z0-9+/=]+)"([^>]*)>'
)


def sized_data_images(body: str) -> str:
    """Each <img> with an inline PNG or WebP (the animation's first frame) states its
    size, read from the image, unless it already does."""
    import base64
    import io

    from PIL import Image

    def sized(m: re.Match) -> str:
        if re.search(r"\swidth=", " " + m.group(1) + m.group(3)):
            return m.group(0)
        with Image.open(io.BytesIO(base64.b64decode(m.group(2)))) as image:
            width, height = image.size
        return m.group(0)[:-1] + f' width="{width}" height="{height}">'

    return DATA_IMG.sub(sized, body)


IMG = re.compile(r'<img ([^>]*)src="([^"]*_images/([^"/]+\.(png|svg)))"([^>]*?)\s*/?>')


def _pictures(body: str, sizes: dict[str, tuple[int, int]]) -> str:
    """Each figure's image with its size stated (no layout shift when it arrives) and,
    after the page's first, loaded lazily (not fetched with the page's stylesheets);
    each PNG as a <picture> offering its lossless WebP twin (half the bytes; written
    by ``_write_webp``)."""
    count = 0

    def sized(m: re.Match) -> str:
        nonlocal count
        count += 1
        size = sizes.get(m.group(3))
        extra = f' width="{size[0]}" height="{size[1]}"' if size else ""
        if count > 1:
            extra += ' loading="lazy"'
        img = f'<img {m.group(1)}src="{m.group(2)}"{m.group(5)}{extra} />'
        if m.group(4) == "svg":
            return img
        webp = m.group(2)[: -len(".png")] + ".webp"
        return f'<picture><source srcset="{webp}" type="image/webp">{img}</picture>'

    return IMG.sub(sized, body)


def _write_webp(outdir: Path) -> None:
    """Lossless WebP twins of the built PNGs that lack an up-to-date one, on every
    core."""
    stale = [
        png
        for png in (outdir / "_images").glob("*.png")
        if not (webp := png.with_suffix(".webp")).is_file()
        or webp.stat().st_mtime < png.stat().st_mtime
    ]
    if len(stale) < 2:
        for png in stale:
            _webp_twin(png)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    fork = multiprocessing.get_context("fork") if sys.platform == "linux" else None
    with ProcessPoolExecutor(mp_context=fork) as pool:
        list(pool.map(_webp_twin, stale))


def _webp_twin(png: Path) -> None:
    from PIL import Image

    with Image.open(png) as image:
        image.save(png.with_suffix(".webp"), "WEBP", **WEBP)


#: Rules that only give a Font Awesome icon its glyph (``.fa-x:before{content:..}``).
FA_GLYPH_RULE = re.compile(
    r"(?<=[{}])(?:\.fa-[a-z0-9-]+:(?:before|after),?)+\{content:[^;{}]*;?\}"
)
#: Launch-menu logos drawn by gradlab.css (``.gradlab-logo-<name>``).
LOGOS = {
    "_static/images/logo_colab.png": "colab",
    "_static/images/logo_binder.svg": "binder",
}


def strip_font_awesome_glyphs(css: str) -> str:
    """The stylesheet without the rules that only set an icon's glyph."""
    return FA_GLYPH_RULE.sub("", css)


def _logos_as_backgrounds(buttons: list) -> None:
    for button in buttons:
        name = LOGOS.get(button.get("icon", ""))
        if name is not None:
            # sphinx-book-theme draws an icon starting with "fa" as <i class=...>.
            button["icon"] = f"fa gradlab-logo gradlab-logo-{name}"
        _logos_as_backgrounds(button.get("buttons", []))


def _on_page_late(app: Sphinx, pagename: str, templatename: str, context, doctree):
    """After sphinx-book-theme has made its header buttons and the asset lists."""
    _logos_as_backgrounds(context.get("header_buttons", []))
    if 'class="sd-' not in context.get("body", ""):
        for key in ("css_files", "script_files"):
            context[key][:] = [
                f
                for f in context.get(key, [])
                if not re.search(r"sphinx-design|design-tabs", str(f.filename))
            ]


def _on_page(app: Sphinx, pagename: str, templatename: str, context: dict, doctree):
    if "body" in context:
        sizes = _image_sizes(app)
        body = _pictures(_wide_figures(context["body"], sizes), sizes)
        if "data:image/png;base64," in body:
            body = webp_data_uris(body)
        if "<img " in body and "data:image/" in body:
            body = sized_data_images(body)
        # A table wider than a phone scrolls in its box: let a keyboard reach it.
        context["body"] = body.replace(
            '<div class="pst-scrollable-table-container">',
            '<div class="pst-scrollable-table-container" tabindex="0">',
        )
    context["gradlab_search_as_you_type"] = (
        str(context.get("theme_search_as_you_type")).lower() == "true"
    )
    title = app.config.project
    context["gradlab_description"] = _description(
        doctree, f"{title}: an executable textbook on gradients and autograd."
    )
    scripts = context.get("script_files", [])
    # Hold the page scripts back until the first paint (`LATER`), with new objects:
    # the builder shares these between pages. documentation_options.js stays: inline
    # scripts below it use its object. The search page's own searchtools.js runs at
    # once and needs doctools.js: nothing is held back there.
    for k, script in enumerate(scripts if pagename != "search" else ()):
        name = str(script.filename or "")
        if (
            name
            and "documentation_options" not in name
            and "async" not in (script.attributes)
        ):
            attributes = {
                **script.attributes,
                "type": "text/plain",
                "data-gradlab-later": "",
            }
            attributes.pop("defer", None)
            scripts[k] = type(script)(
                script.filename, priority=script.priority, **attributes
            )


def _on_doctree_resolved(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    for raw in doctree.findall(nodes.raw):
        if "anim-slider" in raw.astext():
            text = raw.astext().replace(
                'class="anim-slider"',
                'class="anim-slider" aria-label="Animation frame"',
            )
            raw.children = [nodes.Text(text)]


def _visit_hide(self, node) -> None:
    from html import escape

    classes = " ".join(node["classes"])
    self.body.append(f'<details class="admonition hide {classes}">\n<summary>\n')
    self.body.append(
        f'<p class="collapsed admonition-title">{escape(node["prompt_show"])}</p>\n'
    )
    self.body.append(
        f'<p class="expanded admonition-title">{escape(node["prompt_hide"])}</p>\n'
    )
    self.body.append("</summary>\n")


def _on_builder_inited(app: Sphinx) -> None:
    if hasattr(app.builder, "templates"):
        app.builder.templates.environment.filters["gradlab_head"] = gradlab_head
        app.builder.templates.environment.filters["gradlab_later"] = gradlab_later


def _on_build_finished(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    import pydata_sphinx_theme

    bundle = (
        Path(pydata_sphinx_theme.__file__).parent
        / "theme/pydata_sphinx_theme/static/scripts/fontawesome.js"
    ).read_text()
    outdir = Path(app.outdir)
    _write_webp(outdir)
    css = icons_css(used_icons(outdir), font_awesome_icons(bundle))
    (outdir / "_static" / "gradlab-icons.css").write_text(css)
    # The bundle is no page's script any more; leave no 1.4 MB file to fetch by mistake.
    for name in ("fontawesome.js", "fontawesome.js.map"):
        (outdir / "_static" / "scripts" / name).unlink(missing_ok=True)
    theme_css = outdir / "_static" / "styles" / "pydata-sphinx-theme.css"
    if theme_css.is_file():
        css = theme_css.read_text()
        lighter = strip_font_awesome_glyphs(css)
        if lighter != css:
            theme_css.write_text(lighter)


def setup(app: Sphinx) -> dict:
    from myst_nb.sphinx_ import HideCodeCellNode, depart_HideCellInput

    app.add_node(
        HideCodeCellNode, override=True, html=(_visit_hide, depart_HideCellInput)
    )
    app.add_css_file("gradlab-icons.css")
    app.add_js_file(None, body=LATER, priority=1)
    app.connect("builder-inited", _on_builder_inited)
    app.connect("html-page-context", _on_page)
    app.connect("html-page-context", _on_page_late, priority=900)
    app.connect("doctree-resolved", _on_doctree_resolved)
    app.connect("build-finished", _on_build_finished)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
