"""Sphinx extension: the book's math typeset at build time, as SVG; no math script.

MathJax in the browser costs a phone seconds of main-thread work on a page with a
hundred formulas (Lighthouse's mobile performance 44-86 on the math chapters). Here
the same MathJax (3.2.2, TeX input, SVG output, assistive MathML for screen readers)
runs once, at build time, in node (`gradlab_tex2svg.js`), and the pages carry the
result: each formula an inline SVG drawn in the text colour (dark mode included),
followed by its MathML, which screen readers read and which is hidden on screen.
Each page holds the glyphs its formulas use once, in a hidden ``<svg><defs>``
(MathJax's "global" font cache); the few rules MathJax's SVG output needs are inlined
in the page's head. Pages without math get nothing.

It is Sphinx's HTML math renderer ``gradlab_svg`` (`html_math_renderer` in
_config.yml), so ``sphinx.ext.mathjax`` adds no script. A formula that MathJax cannot
typeset (an unknown macro, a missing brace) is a build warning, so the strict build
fails, and the page shows its TeX. Formulas are cached by their TeX in
``_build/.math-cache.json`` (kept by ``make clean``): a build starts node only for
formulas it has not seen.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx.locale import _
from sphinx.util import logging
from sphinx.util.math import get_node_equation_number

if TYPE_CHECKING:
    from sphinx.application import Sphinx

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
WORKER = HERE / "gradlab_tex2svg.js"
ROOT = HERE.parent.parent
MATHJAX = ROOT / ".vendor" / "node" / "node_modules" / "mathjax"
GLYPH_REF = re.compile(r'xlink:href="#(MJX-[\w-]+)"')


def renderer_key(mathjax_version: str) -> str:
    """Names what turns TeX into SVG: the node script and MathJax's version."""
    return hashlib.sha256(WORKER.read_bytes() + mathjax_version.encode()).hexdigest()


class TexError(ValueError):
    """MathJax could not typeset a formula."""


class TexToSvg:
    """TeX to SVG through one node process (started on the first uncached formula),
    with every answer cached on disk by formula."""

    def __init__(self, cache_file: Path, mathjax: Path = MATHJAX) -> None:
        self.cache_file = cache_file
        self.mathjax = mathjax
        self.key = renderer_key(self._mathjax_version())
        self.formulas: dict[str, dict] = {}
        self.glyphs: dict[str, str] = {}
        self.css = ""
        self.changed = False
        self._process: subprocess.Popen | None = None
        self._owner = 0  # the pid that started the process (Sphinx may fork)
        try:
            cached = json.loads(cache_file.read_text())
        except (OSError, ValueError):
            cached = {}
        if cached.get("key") == self.key:
            self.formulas = cached["formulas"]
            self.glyphs = cached["glyphs"]
            self.css = cached["css"]

    def _mathjax_version(self) -> str:
        package = self.mathjax / "package.json"
        if not package.is_file():
            raise RuntimeError(
                f"MathJax is missing ({self.mathjax}): run `make setup`, which fetches "
                "it with npm"
            )
        return json.loads(package.read_text())["version"]

    def _start(self) -> subprocess.Popen:
        if self._process is None or self._owner != os.getpid():
            try:
                self._process = subprocess.Popen(
                    ["node", str(WORKER), str(self.mathjax)],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    text=True,
                    encoding="utf-8",
                )
            except FileNotFoundError:
                raise RuntimeError(
                    "node is missing: it typesets the book's math at build time "
                    "(`make setup` installs it with npm)"
                ) from None
            self._owner = os.getpid()
            first = self._process.stdout.readline()
            if not first:
                raise RuntimeError("MathJax did not start in node (see above)")
            self.css = json.loads(first)["css"]
        return self._process

    def render(self, tex: str, display: bool) -> tuple[str, dict[str, str]]:
        """(the formula's HTML, {glyph id: SVG path} of the glyphs it uses)."""
        key = f"{'display' if display else 'inline'}:{tex}"
        found = self.formulas.get(key)
        if found is None:
            process = self._start()
            process.stdin.write(json.dumps({"tex": tex, "display": display}) + "\n")
            process.stdin.flush()
            line = process.stdout.readline()
            if not line:
                raise RuntimeError("MathJax's node process ended unexpectedly")
            answer = json.loads(line)
            if "error" in answer:
                raise TexError(answer["error"])
            self.glyphs.update(answer["glyphs"])
            found = {"html": answer["html"], "glyphs": sorted(answer["glyphs"])}
            self.formulas[key] = found
            self.changed = True
        return found["html"], {g: self.glyphs[g] for g in found["glyphs"]}

    def stylesheet(self) -> str:
        if not self.css:
            self._start()
        return self.css

    def close(self) -> None:
        if self._process is not None and self._owner == os.getpid():
            self._process.stdin.close()
            self._process.wait(timeout=30)
            self._process = None
        if self.changed:
            data = {
                "key": self.key,
                "css": self.css,
                "glyphs": self.glyphs,
                "formulas": self.formulas,
            }
            scratch = self.cache_file.with_suffix(".tmp")
            scratch.write_text(json.dumps(data))
            scratch.replace(self.cache_file)
            self.changed = False


def glyph_defs(page_html: str, glyphs: dict[str, str]) -> str:
    """The hidden SVG holding every glyph the page's formulas refer to, or ''."""
    used = sorted(set(GLYPH_REF.findall(page_html)))
    if not used:
        return ""
    paths = "".join(f'<path id="{g}" d="{glyphs[g]}"></path>' for g in used)
    return (
        '<svg class="gradlab-math-glyphs" xmlns="http://www.w3.org/2000/svg"'
        f' style="display: none" aria-hidden="true"><defs>{paths}</defs></svg>\n'
    )


def display_tex(node: nodes.math_block) -> str:
    """The TeX of a display formula as sphinx.ext.mathjax (and MyST, for amsmath
    environments) would hand it to MathJax, without the \\[ \\] around it."""
    if node["nowrap"] or "amsmath" in node.get("classes", []):
        return node.astext()
    parts = [part for part in node.astext().split("\n\n") if part.strip()]
    parts = [
        r"\begin{split}" + part + r"\end{split}" if r"\\" in part else part
        for part in parts
    ]
    if len(parts) > 1:  # several equations: aligned one under the other
        return (
            r"\begin{align}\begin{aligned}"
            + r"\\".join(parts)
            + (r"\end{aligned}\end{align}")
        )
    return parts[0] if parts else ""


def _typeset(translator, node, tex: str, display: bool) -> str:
    renderer: TexToSvg = translator.builder.app.gradlab_tex_to_svg
    try:
        rendered, _glyphs = renderer.render(tex, display)
    except TexError as err:
        logger.warning("math: MathJax cannot typeset %r: %s", tex, err, location=node)
        return f'<code class="gradlab-math-error">{html.escape(tex)}</code>'
    return rendered


def visit_math(self, node: nodes.math) -> None:
    self.body.append(self.starttag(node, "span", "", CLASS="math notranslate"))
    self.body.append(_typeset(self, node, node.astext(), display=False))
    self.body.append("</span>")
    raise nodes.SkipNode


def visit_displaymath(self, node: nodes.math_block) -> None:
    self.body.append(self.starttag(node, "div", CLASS="math notranslate"))
    if node["number"]:
        number = get_node_equation_number(self, node)
        self.body.append(f'<span class="eqno">({number})')
        self.add_permalink_ref(node, _("Link to this equation"))
        self.body.append("</span>")
    self.body.append(_typeset(self, node, display_tex(node), display=True))
    self.body.append("</div>\n")
    raise nodes.SkipNode


def _strings(value: Any):
    """Every string inside a page context value (the body, the tocs, prev/next...)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _on_builder_inited(app: Sphinx) -> None:
    if app.builder.format != "html":
        return
    cache = Path(app.outdir).parent / ".math-cache.json"
    app.gradlab_tex_to_svg = TexToSvg(cache)


def _on_page(app: Sphinx, pagename: str, templatename: str, context: dict, doctree):
    if app.builder.format != "html" or "body" not in context:
        return
    page = "\n".join(
        s for key, s in context.items() if key != "body" for s in _strings(s)
    )
    defs = glyph_defs(context["body"] + page, app.gradlab_tex_to_svg.glyphs)
    if defs:
        context["body"] = defs + context["body"]
        css = app.gradlab_tex_to_svg.stylesheet()
        context["gradlab_math_css"] = " ".join(css.split())


def _on_build_finished(app: Sphinx, exception: Exception | None) -> None:
    renderer = getattr(app, "gradlab_tex_to_svg", None)
    if renderer is not None:
        renderer.close()


def setup(app: Sphinx) -> dict:
    app.add_html_math_renderer(
        "gradlab_svg", (visit_math, None), (visit_displaymath, None)
    )
    app.connect("builder-inited", _on_builder_inited)
    app.connect("html-page-context", _on_page)
    app.connect("build-finished", _on_build_finished)
    # A new script or MathJax version means every page is written again.
    package = MATHJAX / "package.json"
    version = json.loads(package.read_text())["version"] if package.is_file() else ""
    return {
        "version": "1.0",
        "env_version": int(renderer_key(version)[:8], 16),
        "parallel_read_safe": True,
        "parallel_write_safe": False,
    }
