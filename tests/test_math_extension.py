"""Math typeset at build time by sphinxcontrib-katex, as _config.yml sets it up, with
tools/sphinx_ext/gradlab_pages.py: numbered equations and references work, and a
formula KaTeX cannot typeset is a build warning (so the strict build fails)."""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import pytest

from tests._book import ROOT

#: Unit tests of the build's tools (tools/): `make tool-tests`.
pytestmark = pytest.mark.tools

sys.path.insert(0, str(ROOT / "tools" / "sphinx_ext"))

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


def build(tmp_path: Path, text: str) -> tuple[str, str]:
    """(the page's HTML, the warnings) of a one-page Sphinx build."""
    from sphinx.application import Sphinx

    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "conf.py").write_text(
        "extensions = ['sphinxcontrib.katex', 'gradlab_pages']\n"
        "html_math_renderer = 'katex'\nkatex_prerender = True\n"
        "katex_css_path = 'katex/katex.min.css'\n"
    )
    (tmp_path / "src" / "index.rst").write_text(text)
    warnings = io.StringIO()
    app = Sphinx(
        tmp_path / "src",
        tmp_path / "src",
        tmp_path / "out",
        tmp_path / "doctrees",
        "html",
        status=None,
        warning=warnings,
    )
    app.build()
    return (tmp_path / "out" / "index.html").read_text(), warnings.getvalue()


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> str:
    display = "".join(
        f".. math::\n   :label: eq{k}\n\n   {tex}\n\n"
        for k, tex in enumerate(CONSTRUCTS)
    )
    inline = "".join(f":math:`{tex}` " for tex in CONSTRUCTS)
    text = f"Math\n====\n\n{display}\n{inline}\n\nSee :eq:`eq3`.\n"
    html, warnings = build(tmp_path_factory.mktemp("katex"), text)
    assert warnings == ""
    return html


def test_every_construct_typesets_with_mathml_and_no_script(page: str):
    assert page.count('<span class="katex">') == 2 * len(CONSTRUCTS)
    assert page.count("<math ") == 2 * len(CONSTRUCTS)  # what a screen reader reads
    assert "katex-error" not in page
    assert not re.search(r"<script[^>]*katex", page)
    assert 'href="_static/katex/katex.min.css"' in page


def test_equations_are_numbered_and_referenced(page: str):
    assert '<span class="eqno">(4)<a class="headerlink" href="#equation-eq3"' in page
    assert '<a class="reference internal" href="#equation-eq3">(4)</a>' in page


@pytest.mark.parametrize("tex", [r"\nosuchmacro x", r"\frac{1"])
def test_a_formula_katex_cannot_typeset_is_a_warning(tmp_path: Path, tex: str):
    _, warnings = build(tmp_path, f"Math\n====\n\n:math:`{tex}`\n")
    assert re.search(
        r"index\.rst: WARNING: math: .*(ParseError|\\nosuchmacro)", warnings
    )
