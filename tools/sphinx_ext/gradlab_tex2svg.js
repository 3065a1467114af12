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
const path = require("path");
const readline = require("readline");

const mathjaxPath = process.argv[2];
if (!mathjaxPath) {
  process.stderr.write("usage: node gradlab_tex2svg.js PATH/TO/mathjax\n");
  process.exit(2);
}

require(path.resolve(mathjaxPath))
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

    // A lighter page, drawn the same: the SVG without the attributes only MathJax's
    // own scripts read, without the groups that then hold no attribute (they neither
    // move nor style what they hold), and a group that only moves one glyph becomes
    // that glyph, moved. Tables, errors and actions keep their names: the stylesheet
    // selects them. The MathML loses MathJax's TeX classes.
    const KEEP = new Set(["mtable", "mtr", "mtd", "mlabeledtr", "merror", "maction"]);
    const elements = (node) =>
      adaptor.childNodes(node).filter((child) => adaptor.kind(child) !== "#text");
    const slim = (node) => {
      for (const child of elements(node)) slim(child);
      adaptor.removeAttribute(node, "data-mjx-texclass");
      const kind = adaptor.kind(node);
      if (kind === "use") adaptor.removeAttribute(node, "data-c");
      if (kind !== "g") return;
      if (!KEEP.has(adaptor.getAttribute(node, "data-mml-node"))) {
        adaptor.removeAttribute(node, "data-mml-node");
      }
      const attributes = adaptor.allAttributes(node).map((a) => a.name);
      const only = adaptor.childNodes(node);
      if (
        attributes.length === 1 &&
        attributes[0] === "transform" &&
        only.length === 1 &&
        adaptor.kind(only[0]) === "use" &&
        !adaptor.hasAttribute(only[0], "transform")
      ) {
        adaptor.setAttribute(only[0], "transform", adaptor.getAttribute(node, "transform"));
        adaptor.removeAttribute(node, "transform");
      }
      if (adaptor.allAttributes(node).length === 0) {
        for (const child of [...adaptor.childNodes(node)]) adaptor.insert(child, node);
        adaptor.remove(node);
      }
    };
    const css =
      adaptor.textContent(MathJax.svgStylesheet()) +
      '\nmjx-container[jax="SVG"] use { stroke-width: 3; }\n';
    process.stdout.write(JSON.stringify({ css, version: MathJax.version }) + "\n");
    const lines = readline.createInterface({ input: process.stdin });
    lines.on("line", (line) => {
      let answer;
      try {
        const { tex, display } = JSON.parse(line);
        fontCache.clearCache();
        const container = MathJax.tex2svg(tex, { display });
        for (const child of elements(container)) slim(child);
        const html = adaptor.outerHTML(container);
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
