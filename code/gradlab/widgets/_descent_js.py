"""The descent playground's script: `start(root, data)` wires the controls of
`gradlab.widgets.playground.markup` to a `GL.Run` on the chosen surface."""

SCRIPT = r"""
const WORDS = {
  "converged": "the loss is level and the gradient has vanished",
  "still falling": "the loss only goes down, and the gradient has not vanished yet",
  "oscillating": "the loss is level, but the point keeps jumping",
  "thrashing": "the loss swings by more than a tenth of itself",
  "diverged": "the loss rose at every step: the steps grow without bound",
  "non-finite": "a number overflowed",
};

// The surface as a model: a quadratic 1/2 (c1 x^2 + c2 y^2) or sin(x^2 + y^2), each
// with its gradient in closed form, as gradlab.functions writes them.
function surfaceModel(s) {
  if (s.curvatures) {
    const [c1, c2] = s.curvatures;
    return {loss: ([x, y]) => 0.5 * (c1 * (x * x) + c2 * (y * y)),
      grad: ([x, y]) => [c1 * x, c2 * y]};
  }
  return {loss: ([x, y]) => Math.sin(x * x + y * y),
    grad: ([x, y]) => {
      const c = Math.cos(x * x + y * y);
      return [2 * x * c, 2 * y * c];
    }};
}

function rgb(color) {  // any CSS colour as [r, g, b]
  const c = document.createElement("canvas").getContext("2d");
  c.fillStyle = color; c.fillRect(0, 0, 1, 1);
  return Array.from(c.getImageData(0, 0, 1, 1).data.slice(0, 3));
}

function start(root, data) {
  const $ = (k) => root.querySelector('[data-k="' + k + '"]');
  const ui = root.querySelector(".gl-ui");
  const fallback = root.querySelector(".gl-fallback");
  const map = $("map"), curve = $("curve");
  let run = null, said = "", target = 0, frames = 0, backdrop = null;
  const slider = GL.rateSlider($("lr"), $("lr-value"), $("mark"), data.rates, null);
  slider.set(data.lr);
  $("momentum").value = data.momentum;
  $("x").value = data.start[0]; $("y").value = data.start[1];
  const surface = () => data.surfaces[$("surface").value];
  const showMomentum = () => { $("momentum-value").textContent = $("momentum").value; };
  showMomentum();

  function reset() {
    stop();
    const s = surface(), w = [+$("x").value, +$("y").value];
    run = new GL.Run(surfaceModel(s), w, slider.rate(), +$("momentum").value);
    slider.place(s.limit);
    const mu = +$("momentum").value;
    $("note").textContent = "The mark is the stability limit " + GL.LIMIT +
      " \u2248 " + GL.fmt(s.limit, 3) + s.where + " for plain gradient descent" +
      (mu > 0 ? "; with momentum \u03bc it is 2(1 + \u03bc)/\u03bb\u2098\u2090\u2093 " +
        "\u2248 " + GL.fmt(s.limit * (1 + mu), 3) + "." : ".");
    render();
  }

  // The surface as shaded bands with contour lines, computed once per size and theme.
  function paintBackdrop(w, h, s, c) {
    const r = window.devicePixelRatio || 1;
    const W = Math.round(w * r), H = Math.round(h * r);
    const key = [W, H, $("surface").value, c.ink, c.accent].join();
    if (backdrop && backdrop.key === key) return backdrop.canvas;
    const model = surfaceModel(s), V = s.view, img = new ImageData(W, H);
    const [ar, ag, ab] = rgb(c.accent), [ir, ig, ib] = rgb(c.ink);
    const level = (px, py) => {
      const z = model.loss([(2 * px / W - 1) * V, (1 - 2 * py / H) * V]);
      const t = s.curvatures ? Math.sqrt(z / model.loss([V, V])) : (z + 1) / 2;
      return t;
    };
    const bands = 12, prev = new Float64Array(W);
    for (let py = 0; py < H; py++) {
      let left = 0;
      for (let px = 0; px < W; px++) {
        const t = level(px, py), band = Math.floor(t * bands), k = 4 * (py * W + px);
        const edge = (px && band !== Math.floor(left * bands)) ||
          (py && band !== Math.floor(prev[px] * bands));
        const shade = Math.round(25 + 90 * (1 - Math.min(t, 1)));
        img.data.set(edge ? [ir, ig, ib, 110] : [ar, ag, ab, shade], k);
        left = t; prev[px] = t;
      }
    }
    const canvas = document.createElement("canvas");
    canvas.width = W; canvas.height = H;
    canvas.getContext("2d").putImageData(img, 0, 0);
    backdrop = {key, canvas};
    return canvas;
  }

  function drawMap() {
    const s = surface(), c = GL.colors(root), {ctx, w, h} = GL.fit(map, 1);
    ctx.drawImage(paintBackdrop(w, h, s, c), 0, 0, w, h);
    const V = s.view, X = (x) => (x / V + 1) * w / 2, Y = (y) => (1 - y / V) * h / 2;
    ctx.strokeStyle = c.ink; ctx.fillStyle = c.ink; ctx.lineWidth = 2;
    ctx.beginPath();
    run.path.forEach(([x, y], i) => ctx[i ? "lineTo" : "moveTo"](X(x), Y(y)));
    ctx.stroke();
    run.path.forEach(([x, y]) => {
      ctx.beginPath(); ctx.arc(X(x), Y(y), 2.5, 0, 7); ctx.fill();
    });
    const [x0, y0] = run.path[0], [x, y] = run.path[run.path.length - 1];
    ctx.strokeStyle = c.pull; ctx.lineWidth = 3;
    ctx.strokeRect(X(x0) - 6, Y(y0) - 6, 12, 12);
    ctx.fillStyle = c.pull; ctx.beginPath(); ctx.arc(X(x), Y(y), 6, 0, 7); ctx.fill();
    ctx.fillStyle = c.ink; ctx.font = "12px system-ui, sans-serif";
    ctx.fillText("x from " + -V + " to " + V + "; click or tap to start", 6, h - 6);
    map.setAttribute("aria-label", "Contours of " + s.label + "; the path of " +
      run.steps() + " steps from (" + GL.fmt(x0, 3) + ", " + GL.fmt(y0, 3) +
      ") to (" + GL.fmt(x, 3) + ", " + GL.fmt(y, 3) + ").");
  }

  function render() {
    drawMap();
    const c = GL.colors(root), L = run.losses, k = run.steps(), s = surface();
    GL.lossCurve(curve, L, {span: 30, log: !!s.curvatures, colors: c, aspect: 0.75});
    curve.setAttribute("aria-label", "Loss per step: " + GL.fmt(L[0]) +
      " at the start, " + GL.fmt(L[k]) + " after " + k + " steps.");
    const [x, y] = run.path[k];
    $("status").textContent = "Step " + k + " \u00b7 point (" + GL.fmt(x, 4) + ", " +
      GL.fmt(y, 4) + ") \u00b7 loss " + GL.fmt(L[k], 4) +
      (run.stopped ? " \u00b7 stopped: the loss blew up" : "");
    const verdict = k ? run.verdict() : "";
    root.dataset.step = k; root.dataset.verdict = verdict;
    const text = k ? "Verdict: " + verdict + " (" + WORDS[verdict] + ")."
      : "Verdict: none yet, no step taken.";
    if (text !== said) { said = text; $("verdict").textContent = text; }
  }

  // Run: a step every fourth frame (about 15 a second), or, with reduced motion,
  // ten steps every half second; until Pause, a blow-up or the step limit.
  const advance = (slow) => {
    if (slow || ++frames % 4 === 0) run.step(slow ? 10 : 1);
    return run.steps() < target && !run.stopped;
  };
  const stop = GL.runner($("run"), advance, () => render(), () => {
    target = data.maxSteps; frames = 0;
  });
  $("step").addEventListener("click", () => { stop(); run.step(1); render(); });
  $("reset").addEventListener("click", reset);
  $("surface").addEventListener("change", () => {
    const s = surface();
    $("x").value = s.start[0]; $("y").value = s.start[1]; backdrop = null; reset();
  });
  for (const k of ["x", "y", "lr", "momentum"]) $(k).addEventListener("change", reset);
  $("momentum").addEventListener("input", showMomentum);
  map.addEventListener("click", (event) => {
    const box = map.getBoundingClientRect(), V = surface().view;
    const at = (f) => Math.round(100 * (2 * f - 1) * V) / 100;
    $("x").value = at((event.clientX - box.left) / box.width);
    $("y").value = -at((event.clientY - box.top) / box.height);
    reset();
  });

  root.gradlabState = () => ({
    steps: run.steps(), surface: $("surface").value, lr: run.lr, momentum: run.mu,
    path: run.path, losses: run.losses, point: run.path[run.path.length - 1],
    loss: run.losses[run.steps()], verdict: run.steps() ? run.verdict() : null,
  });
  GL.show(root, ui, fallback, render, () => { backdrop = null; });
  reset();
}
"""
