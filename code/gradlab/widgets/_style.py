"""The widgets' stylesheet, scoped to ``.gl-widget``: the page's colours (the book's
light and dark themes; Jupyter's own), visible focus, room on a phone. In dark mode
the theme draws HTML outputs on a light slab: not the widget's, which has the page's
own background and ink."""

STYLE = """
.gl-widget{--gl-accent:var(--pst-color-primary,#1f6fb4);--gl-pull:#c0392b;
color:var(--pst-color-text-base,inherit);background:var(--pst-color-background,none);
font:inherit;margin:1em 0;max-width:100%}
html[data-theme=dark] .bd-content div.cell_output div.output.text_html:has(>
div.gl-widget){background:none;padding:0}
html[data-theme=dark] .gl-widget{--gl-pull:#ff8a7a}
@media (prefers-color-scheme:dark){html:not([data-theme]) .gl-widget{--gl-pull:#ff8a7a}}
.gl-widget .gl-ui{border:1px solid var(--pst-color-border,#8888);border-radius:6px;
padding:.75em}
.gl-widget .gl-ui[hidden]{display:none}
.gl-widget .gl-controls{display:flex;flex-wrap:wrap;gap:.5em 1.25em;
align-items:flex-end}
.gl-widget .gl-field{display:flex;flex-direction:column;gap:.2em;min-width:7em}
.gl-widget .gl-rate{flex:1 1 16em}
.gl-widget label{font-size:.9em;font-weight:600}
.gl-widget select,.gl-widget input[type=number],.gl-widget button{font:inherit;
color:inherit;background:var(--pst-color-background,transparent);
border:1px solid currentColor;border-radius:4px;padding:.25em .5em;min-height:2.2em}
.gl-widget input[type=number]{width:6em}
.gl-widget option{color:var(--pst-color-text-base,#222);
background:var(--pst-color-background,#fff)}
.gl-widget button{cursor:pointer;min-width:4.5em}
.gl-widget button[aria-pressed=true]{background:var(--gl-accent);
color:var(--pst-color-background,#fff)}
.gl-widget :focus-visible{outline:3px solid var(--pst-color-accent,#c2185b);
outline-offset:2px}
.gl-widget .gl-track{position:relative;padding-bottom:1.4em}
.gl-widget input[type=range]{width:100%;margin:0;accent-color:var(--gl-accent)}
.gl-widget .gl-mark{position:absolute;top:1.2em;width:0;height:1.2em;
border-left:2px solid var(--gl-pull)}
.gl-widget .gl-mark span{position:absolute;left:3px;top:.1em;white-space:nowrap;
font-size:.8em}
.gl-widget .gl-mark.gl-right span{left:auto;right:3px}
.gl-widget output{font-variant-numeric:tabular-nums}
.gl-widget .gl-buttons{display:flex;gap:.5em;margin:.75em 0;flex-wrap:wrap}
.gl-widget .gl-plots{display:flex;flex-wrap:wrap;gap:.75em}
.gl-widget .gl-plots>*{flex:1 1 16em;min-width:0}
.gl-widget canvas{display:block;width:100%}
.gl-widget .gl-plots canvas.gl-click{cursor:crosshair}
.gl-widget .gl-status{font-variant-numeric:tabular-nums;margin:.5em 0 0}
.gl-widget .gl-verdict{font-weight:600;margin:.25em 0 0}
.gl-widget .gl-note{font-size:.9em;margin:.5em 0 0}
@media print{.gl-widget .gl-ui{display:none}}
"""
