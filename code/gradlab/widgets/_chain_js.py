"""The chain lab's script: `start(root, data)` wires the controls of
`gradlab.widgets.chain_lab.markup` to a `GL.Run` of the chain (see `_core_js`)."""

SCRIPT = r"""
const WORDS = {
  "converged": "the loss is level and the gradient has vanished: the chain is at rest",
  "still falling": "the loss only goes down, and the gradient has not vanished yet",
  "oscillating": "the loss is level, but the angles keep jumping",
  "thrashing": "the loss swings by more than a tenth of itself",
  "diverged": "the loss rose at every step",
  "non-finite": "a number overflowed",
};

function start(root, data) {
  const $ = (k) => root.querySelector('[data-k="' + k + '"]');
  const ui = root.querySelector(".gl-ui");
  const fallback = root.querySelector(".gl-fallback");
  const chainCanvas = $("chain"), curve = $("curve");
  let run = null, said = "";
  const settings = () => ({links: +$("links").value, loss: $("loss").value,
    seed: +$("seed").value});
  const slider = GL.rateSlider($("lr"), $("lr-value"), $("mark"), data.rates, null);
  slider.set(data.lr);

  function reset() {
    stop();
    const s = settings(), model = data.models[s.loss][s.links - data.minLinks];
    const start = data.starts[s.seed].slice(0, s.links);
    const chain = GL.chainModel(model.pulls, model.penalty);
    run = new GL.Run(chain, start, slider.rate(), 0);
    const limit = data.limits[s.loss][s.links - data.minLinks];
    slider.place(limit);
    $("note").textContent = limit === null
      ? "No single stability limit is marked for this pull."
      : "The mark is the stability limit 2/\u03bb\u2098\u2090\u2093 \u2248 " +
        GL.fmt(limit, 3) + " at this pull's minimum: above it the chain cannot settle.";
    render();
  }

  function drawChain() {
    const {ctx, w, h} = GL.fit(chainCanvas, 1), c = GL.colors(root);
    const n = run.path[0].length, half = n + 1.3;
    const S = Math.min(w, h) / (2 * half);
    const X = (x) => w / 2 + x * S, Y = (y) => h / 2 - y * S;
    ctx.strokeStyle = c.ink; ctx.globalAlpha = 0.25; ctx.lineWidth = 1;
    ctx.beginPath(); ctx.moveTo(0, Y(0)); ctx.lineTo(w, Y(0));
    ctx.moveTo(X(0), 0); ctx.lineTo(X(0), h); ctx.stroke();
    const chain = (theta, color, width, alpha, dots) => {
      const p = GL.positions(theta);
      ctx.globalAlpha = alpha; ctx.strokeStyle = color; ctx.fillStyle = color;
      ctx.lineWidth = width; ctx.beginPath();
      p.forEach(([x, y], i) => ctx[i ? "lineTo" : "moveTo"](X(x), Y(y)));
      ctx.stroke();
      if (dots) p.slice(1).forEach(([x, y]) => {
        ctx.beginPath(); ctx.arc(X(x), Y(y), 3, 0, 2 * Math.PI); ctx.fill();
      });
      return p;
    };
    ctx.setLineDash([4, 4]); chain(run.path[0], c.ink, 1.5, 0.5, false);
    ctx.setLineDash([]);
    const p = chain(run.path[run.path.length - 1], c.accent, 3, 1, true);
    ctx.globalAlpha = 1; ctx.fillStyle = c.ink;
    ctx.fillRect(X(0) - 5, Y(0) - 5, 10, 10);
    ctx.strokeStyle = c.pull; ctx.fillStyle = c.pull; ctx.lineWidth = 2;
    for (const s of run.model.pulls) {
      const [x, y] = p[s.joint], f = Math.hypot(s.force[0], s.force[1]);
      const ux = s.force[0] / f, uy = s.force[1] / f, L = 1.1 * S;
      const tx = X(x) + ux * L, ty = Y(y) - uy * L;
      ctx.beginPath(); ctx.moveTo(X(x), Y(y)); ctx.lineTo(tx, ty); ctx.stroke();
      ctx.beginPath(); ctx.moveTo(tx, ty);
      ctx.lineTo(tx - 8 * ux + 4 * uy, ty + 8 * uy + 4 * ux);
      ctx.lineTo(tx - 8 * ux - 4 * uy, ty + 8 * uy - 4 * ux); ctx.fill();
    }
    const end = p[p.length - 1];
    chainCanvas.setAttribute("aria-label", "The chain of " + n + " links after " +
      run.steps() + " steps (its start dashed), anchored at the origin; its end at (" +
      GL.fmt(end[0], 3) + ", " + GL.fmt(end[1], 3) + ").");
  }

  function render() {
    drawChain();
    const c = GL.colors(root), L = run.losses, k = run.steps();
    GL.lossCurve(curve, L, {span: data.steps, log: false, colors: c, aspect: 0.75});
    curve.setAttribute("aria-label", "Loss per step: " + GL.fmt(L[0]) +
      " at the start, " + GL.fmt(L[k]) + " after " + k + " steps.");
    $("status").textContent = "Step " + k + " of the chapter's " + data.steps +
      " \u00b7 loss " + GL.fmt(L[k], 6) + " \u00b7 learning rate " + run.lr +
      (run.stopped ? " \u00b7 stopped: the loss is no longer finite" : "");
    const verdict = k ? run.verdict() : "";
    root.dataset.step = k; root.dataset.verdict = verdict;
    const text = k ? "Verdict: " + verdict + " (" + WORDS[verdict] + ")."
      : "Verdict: none yet, no step taken.";
    if (text !== said) { said = text; $("verdict").textContent = text; }
  }

  // Run: to the chapter's run length, or that many more steps once past it.
  let target = 0;
  const advance = (slow) => {
    const left = target - run.steps();
    run.step(Math.min(left, slow ? 100 : 4));
    return run.steps() < target && !run.stopped;
  };
  const stop = GL.runner($("run"), advance, () => render(), () => {
    const k = run.steps();
    target = k < data.steps ? data.steps : k + data.steps;
  });
  $("step").addEventListener("click", () => { stop(); run.step(1); render(); });
  $("reset").addEventListener("click", reset);
  for (const k of ["links", "loss", "seed", "lr"])
    $(k).addEventListener("change", reset);

  root.gradlabState = () => ({
    steps: run.steps(), lr: run.lr, ...settings(),
    angles: run.path[run.steps()], positions: GL.positions(run.path[run.steps()]),
    losses: run.losses, loss: run.losses[run.steps()],
    verdict: run.steps() ? run.verdict() : null,
  });
  GL.show(root, ui, fallback, render);
  reset();
}
"""
