"""tools/sphinx_ext/gradlab_math.py: TeX typeset at build time by MathJax in node."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from docutils import nodes

from tests._book import ROOT

sys.path.insert(0, str(ROOT / "tools" / "sphinx_ext"))
import gradlab_math

#: Every construct the chapters use, and the ones they are likely to use next.
CONSTRUCTS = [
    r"\operatorname{softplus}(s) = \log(1 + e^{s})",
    r"\mathbf{W} \in \mathbb{R}^{n \times m}, \quad \mathcal{L}(\theta)",
    r"\frac{\partial f}{\partial x} = \tfrac12 \lVert x \rVert^2",
    r"\underbrace{a + b}_{\text{two terms}} \cdot \mathbb{1}[a w > 0]",
    r"\begin{aligned} a &= b + c \\ d &= e \end{aligned}",
    r"\begin{pmatrix} \partial f / \partial x \\ \partial f / \partial y \end{pmatrix}",
    r"\tanh\!\Big(\ln\Big[1 + z\,\frac{2x}{\sin y}\Big]\Big), \big(x\big)",
    r"\dot\theta, \ddot\theta, \hat y, x^\top, w^\ast, a \odot b, \nabla_w",
    r"\sum_{i=1}^N \int_0^\infty \sqrt{2} \varepsilon \le \eta \ge \kappa",
]


@pytest.fixture(scope="module")
def tex(tmp_path_factory) -> gradlab_math.TexToSvg:
    renderer = gradlab_math.TexToSvg(tmp_path_factory.mktemp("math") / "cache.json")
    yield renderer
    renderer.close()


@pytest.mark.parametrize("display", [False, True])
@pytest.mark.parametrize("formula", CONSTRUCTS)
def test_every_construct_typesets_as_svg_with_mathml(tex, formula: str, display):
    html, glyphs = tex.render(formula, display)
    assert html.startswith('<mjx-container class="MathJax" jax="SVG"')
    assert "<svg" in html and "<math" in html  # the picture and what a reader hears
    assert 'data-mml-node="merror"' not in html
    refs = set(gradlab_math.GLYPH_REF.findall(html))
    assert refs and refs <= set(glyphs)
    # A path per glyph; invisible ones (function application, a space) have none.
    assert all(re.fullmatch(r"(M[-\d. A-Z]+)?", d) for d in glyphs.values())


def test_align_environment_typesets(tex):
    html, _ = tex.render(r"\begin{align} a &= b \\ c &= d \end{align}", True)
    assert 'data-mml-node="mtable"' in html


@pytest.mark.parametrize(
    "formula", [r"\nosuchmacro x", r"\frac{1", r"\begin{align} a \end{aligned}"]
)
def test_a_formula_mathjax_cannot_typeset_is_an_error(tex, formula: str):
    with pytest.raises(gradlab_math.TexError):
        tex.render(formula, True)


def test_answers_are_cached_on_disk(tmp_path: Path):
    cache = tmp_path / "cache.json"
    first = gradlab_math.TexToSvg(cache)
    rendered = first.render("x^2", False)
    first.close()
    second = gradlab_math.TexToSvg(cache)
    assert second.render("x^2", False) == rendered
    assert second._process is None  # no node started
    assert second.css == first.css


def test_glyph_defs_hold_the_glyphs_the_page_refers_to():
    page = '<use xlink:href="#MJX-TEX-I-78"/><use xlink:href="#MJX-TEX-N-32"/>'
    glyphs = {"MJX-TEX-I-78": "M1 2Z", "MJX-TEX-N-32": "M3 4Z", "MJX-TEX-N-33": "M5Z"}
    defs = gradlab_math.glyph_defs(page, glyphs)
    assert defs.count("<path ") == 2 and 'aria-hidden="true"' in defs
    assert "display: none" in defs and "M5Z" not in defs
    assert gradlab_math.glyph_defs("<p>no math</p>", glyphs) == ""


def _block(text: str, classes: tuple[str, ...] = ()) -> nodes.math_block:
    return nodes.math_block(text, text, nowrap=False, number=None, classes=[*classes])


def test_display_tex_wraps_like_sphinx_mathjax():
    assert gradlab_math.display_tex(_block("a = b")) == "a = b"
    split = gradlab_math.display_tex(_block(r"a \\ b"))
    assert split == r"\begin{split}a \\ b\end{split}"
    two = gradlab_math.display_tex(_block("a = b\n\nc = d"))
    assert two == r"\begin{align}\begin{aligned}a = b\\c = d\end{aligned}\end{align}"
    ams = _block(r"\begin{align} a \\ b \end{align}", classes=("amsmath",))
    assert gradlab_math.display_tex(ams) == ams.astext()
