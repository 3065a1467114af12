"""One widget as one self-contained HTML fragment: its style, its markup, a message
for where script does not run, and its script with its data inlined."""

from __future__ import annotations

import gzip
import hashlib
import itertools
import json
from html import escape

from gradlab.widgets._core_js import CORE
from gradlab.widgets._style import STYLE

#: Each widget's fragment, gzipped, stays within this many bytes (25 KiB).
BUDGET = 25 * 1024
_count = itertools.count()


def widget_id(kind: str, data: dict) -> str:
    """An id for one widget on a page: the same settings give the same id on every
    run (a rebuilt page reads the same), and a second widget on a page another."""
    digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
    return f"gl-{kind}-{digest[:8]}-{next(_count)}"


def fragment(kind: str, uid: str, markup: str, fallback: str, script: str, data: dict):
    """The widget ``kind`` as HTML: ``markup`` (hidden until its script starts it),
    ``fallback`` shown where script does not run, and ``script`` defining
    ``start(root, data)``, called with ``data`` as JSON."""
    payload = json.dumps(data, separators=(",", ":"), allow_nan=False)
    return (
        f'<div class="gl-widget" id="{uid}" data-gradlab-widget="{kind}">'
        f"<style>{STYLE}</style>"
        f'<p class="gl-fallback">{escape(fallback)}</p>'
        f'<div class="gl-ui" hidden>{markup}</div>'
        f"<script>(() => {{{CORE}\n{script}\n"
        f'start(document.getElementById("{uid}"), {payload});\n}})();</script>'
        "</div>"
    )


def gzipped_size(html: str) -> int:
    """Bytes of ``html`` gzipped at the highest level (how a server sends it)."""
    return len(gzip.compress(html.encode(), compresslevel=9, mtime=0))


def options(values, chosen, label=str) -> str:
    """<option> elements for ``values``, ``chosen`` selected."""
    return "".join(
        f'<option value="{escape(str(v))}"{" selected" if v == chosen else ""}>'
        f"{escape(label(v))}</option>"
        for v in values
    )


def control(uid: str, key: str, label: str, field: str) -> str:
    """A labelled control: ``field`` is its element with ``{id}`` for its id."""
    name = f"{uid}-{key}"
    return (
        f'<div class="gl-field"><label for="{name}">{escape(label)}</label>'
        f"{field.format(id=name, key=key)}</div>"
    )


def rate_control(uid: str, label: str) -> str:
    """The learning-rate slider (log scale), its value and the stability mark."""
    name = f"{uid}-lr"
    return (
        f'<div class="gl-field gl-rate"><div><label for="{name}">{escape(label)}'
        f'</label> <output for="{name}" data-k="lr-value"></output></div>'
        f'<div class="gl-track"><input type="range" id="{name}" data-k="lr">'
        '<div class="gl-mark" data-k="mark" aria-hidden="true"><span></span></div>'
        "</div></div>"
    )


BUTTONS = (
    '<div class="gl-buttons"><button type="button" data-k="step">Step</button>'
    '<button type="button" data-k="run" aria-pressed="false">Run</button>'
    '<button type="button" data-k="reset">Reset</button></div>'
)
