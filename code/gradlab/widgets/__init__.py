"""Live figures: the chain lab and a descent playground, run in the reader's browser.

Each widget is an object whose rich output (`_repr_html_`) is one self-contained HTML
fragment: inline style and script, no third-party code, nothing fetched. The same
output shows on the book's page and in Jupyter, Colab or Binder. Its script runs the
chapter's model in float64 (`gradlab.chain`, `gradlab.descent`), with settings and
seeded starts computed here; where script does not run, a sentence says so.

>>> html = ChainLab()._repr_html_()
>>> html.startswith('<div class="gl-widget"')
True

For tests, each widget's element has ``gradlabState()``, which returns what it shows
(steps, settings, the current angles or point, every loss, the verdict), and the
attributes ``data-step`` and ``data-verdict``.
"""

from gradlab.widgets.chain_lab import ChainLab
from gradlab.widgets.playground import DescentPlayground

__all__ = ["ChainLab", "DescentPlayground"]
