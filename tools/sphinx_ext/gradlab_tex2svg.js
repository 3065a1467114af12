// TeX to SVG with MathJax, at build time (tools/sphinx_ext/gradlab_math.py runs this).
//
// Usage: node gradlab_tex2svg.js PATH/TO/node_modules/mathjax
// Reads one JSON request a line, {"tex": "...", "display": true}, and answers each
// with one JSON line: {"html": "<mjx-container ...>", "glyphs": {"MJX-TEX-I-1D465":
// "M52 289Q59 331 ..."}} or {"error": "Undefined control sequence \\foo"}.
// The first line written, before any request is read, is {"css": ..., "version": ...}:
// the stylesheet the SVG output needs and MathJax's version.
//
// The formulas refer to their glyphs by id (<use xlink:href="#MJX-TEX-I-1D465">) and
// each page carries the glyphs it uses once (MathJax's "global" font cache): an id
// names one glyph of one font variant, so it means the same path on every page.
"use strict";
const readline = require("readline");

const mathjaxPath = process.argv[2];
if (!mathjaxPath) {
  process.stderr.write("usage: node gradlab_tex2svg.js PATH/TO/mathjax\n");
  process.exit(2);
}

require(mathjaxPath)
  .init({
    loader: { load: ["input/tex", "output/svg", "a11y/assistive-mml"] },
    tex: {
      // An unknown macro is an error (not red text on the page); TeX errors throw.
      packages: { "[-]": ["noundefined"] },
      formatError: (jax, err) => {
        throw err;
      },
    },
    svg: { fontCache: "global" },
    startup: { typeset: false },
  })
  .then((MathJax) => {
    const adaptor = MathJax.startup.adaptor;
    const fontCache = MathJax.startup.output.fontCache;
    const css = adaptor.textContent(MathJax.svgStylesheet());
    process.stdout.write(JSON.stringify({ css, version: MathJax.version }) + "\n");
    const lines = readline.createInterface({ input: process.stdin });
    lines.on("line", (line) => {
      let answer;
      try {
        const { tex, display } = JSON.parse(line);
        fontCache.clearCache();
        const html = adaptor.outerHTML(MathJax.tex2svg(tex, { display }));
        answer = { html, glyphs: Object.fromEntries(fontCache.cache) };
      } catch (err) {
        answer = { error: String(err.message || err) };
      }
      process.stdout.write(JSON.stringify(answer) + "\n");
    });
  })
  .catch((err) => {
    process.stderr.write(`MathJax failed to start: ${err.stack || err}\n`);
    process.exit(1);
  });
