"""The widgets' shared script: the model both widgets run, and their plumbing.

`CORE` defines ``GL``: gradient descent with momentum exactly as
`gradlab.descent.gradient_descent` and `gradlab.optimizers.momentum_step` step
(float64, the same stopping rule), `gradlab.descent.regime`'s verdict, the chain of
`gradlab.chain` (positions, every loss variant and its gradient in closed form), and
what the two widgets' pages share (canvas sizing, colours, Run/Pause, the loss
curve). It runs in a browser and in node (the unit tests run it there).
"""

CORE = r"""
const GL = (() => {
  "use strict";
  // gradlab.descent: WINDOW, TOL, GTOL, THRASH and gradient_descent's blow_up.
  const LIMIT = "2/\u03bb\u2098\u2090\u2093";  // 2/λ_max
  const RULE = {window: 50, tol: 0.01, gtol: 1e-3, thrash: 0.1, blowUp: 1e12};

  // A run of gradient descent with momentum mu (mu = 0: plain gradient descent):
  // v <- mu v + g (v = g on the first step), w <- w - lr v. Stops, as
  // gradient_descent does, once the loss is non-finite or above blowUp.
  function Run(model, start, lr, mu) {
    this.model = model; this.lr = lr; this.mu = mu || 0; this.v = null;
    this.path = [start.slice()];
    this.losses = [model.loss(start)];
    this.stopped = !ok(this.losses[0]);
  }
  function ok(loss) { return Number.isFinite(loss) && loss <= RULE.blowUp; }
  Run.prototype.step = function (count) {
    for (let s = 0; s < (count || 1) && !this.stopped; s++) {
      const w = this.path[this.path.length - 1], g = this.model.grad(w);
      const v = this.v === null ? g.slice()
        : this.v.map((vi, i) => this.mu * vi + g[i]);
      this.v = v;
      const next = w.map((wi, i) => wi - this.lr * v[i]);
      const loss = this.model.loss(next);
      this.path.push(next); this.losses.push(loss);
      this.stopped = !ok(loss);
    }
    return this;
  };
  Run.prototype.steps = function () { return this.losses.length - 1; };
  Run.prototype.verdict = function () {
    return regime(this.losses, this.path, this.lr);
  };

  // gradlab.descent.regime, judged on the last RULE.window steps.
  function regime(losses, params, lr) {
    const finite = (x) => Number.isFinite(x);
    if (!losses.every(finite) || !params.every((p) => p.every(finite)))
      return "non-finite";
    const tail = losses.slice(-RULE.window - 1);
    const diff = tail.slice(1).map((x, i) => x - tail[i]);
    if (losses.length > 1 && diff.every((d) => d > 0)) return "diverged";
    const ps = params.slice(-RULE.window - 1);
    const gradients = ps.slice(1).map((p, i) =>
      Math.sqrt(p.reduce((s, x, j) => s + (x - ps[i][j]) ** 2, 0)) / lr);
    const swing = Math.max(...tail) - Math.min(...tail);
    if (swing <= RULE.tol && gradients.every((g) => g <= RULE.gtol))
      return "converged";
    if (diff.every((d) => d <= 0) &&
        tail[0] - tail[tail.length - 1] > 1e-6 * Math.abs(tail[0]))
      return "still falling";
    const mean = tail.reduce((s, x) => s + Math.abs(x), 0) / tail.length;
    if (swing <= RULE.thrash * mean) return "oscillating";
    return "thrashing";
  }

  // gradlab.chain.positions: link k points at phi_k = theta_1 + ... + theta_k.
  function positions(theta) {
    const p = [[0, 0]];
    let phi = 0, x = 0, y = 0;
    for (const t of theta) {
      phi += t; x += Math.cos(phi); y += Math.sin(phi);
      p.push([x, y]);
    }
    return p;
  }

  // gradlab.chain.ChainLoss: strings {joint k, force [fx, fy]} and a penalty on
  // max |theta|. Loss sum |F| k - F . p_k (+ penalty max|theta|); its gradient
  // dL/dtheta_j = sum over strings with j <= k of fx (y_k - y_{j-1})
  // - fy (x_k - x_{j-1}), and the penalty's (autograd's subgradient: shared evenly
  // among tied maxima, times sign(theta)).
  function chainModel(pulls, penalty) {
    const loss = (theta) => {
      const p = positions(theta);
      let size = 0, along = 0;
      for (const s of pulls) size += Math.hypot(s.force[0], s.force[1]) * s.joint;
      for (const s of pulls) {
        along += s.force[0] * p[s.joint][0];
        along += s.force[1] * p[s.joint][1];
      }
      let total = size - along;
      if (penalty) total += penalty * Math.max(...theta.map(Math.abs));
      return total;
    };
    const grad = (theta) => {
      const p = positions(theta), g = theta.map(() => 0);
      for (const s of pulls) {
        const [fx, fy] = s.force, [xk, yk] = p[s.joint];
        for (let j = 1; j <= s.joint; j++)
          g[j - 1] += fx * (yk - p[j - 1][1]) - fy * (xk - p[j - 1][0]);
      }
      if (penalty) {
        const top = Math.max(...theta.map(Math.abs));
        const tied = theta.filter((t) => Math.abs(t) === top).length;
        theta.forEach((t, i) => {
          if (Math.abs(t) === top) g[i] += (penalty / tied) * Math.sign(t);
        });
      }
      return g;
    };
    return {loss, grad, pulls};
  }

  // --- what the pages share ---
  const reduced = () => typeof matchMedia === "function" &&
    matchMedia("(prefers-reduced-motion: reduce)").matches;

  // The canvas at its shown width (height = width * aspect), sharp on any screen;
  // returns its 2-D context in CSS pixels, and the size.
  function fit(canvas, aspect) {
    const w = Math.max(200, canvas.clientWidth || canvas.parentNode.clientWidth);
    const h = Math.round(w * aspect), r = window.devicePixelRatio || 1;
    canvas.style.height = h + "px";
    canvas.width = Math.round(w * r); canvas.height = Math.round(h * r);
    const ctx = canvas.getContext("2d");
    ctx.setTransform(r, 0, 0, r, 0, 0);
    ctx.clearRect(0, 0, w, h);
    return {ctx, w, h};
  }

  // Ink and accent colours from the page's own (the book's light or dark theme).
  function colors(el) {
    const css = getComputedStyle(el);
    return {ink: css.color, accent: css.getPropertyValue("--gl-accent").trim() ||
      "#1f77b4", pull: css.getPropertyValue("--gl-pull").trim() || "#d62728"};
  }

  function fmt(x, digits) {
    if (!Number.isFinite(x)) return String(x);
    const a = Math.abs(x);
    return a !== 0 && (a < 1e-3 || a >= 1e5) ? x.toExponential(2)
      : x.toPrecision(digits || 4).replace(/(\.\d*?)0+$/, "$1").replace(/\.$/, "");
  }

  // The loss per step, steps on x from 0 to at least `span`; log scale if asked.
  function lossCurve(canvas, losses, opts) {
    const {ctx, w, h} = fit(canvas, opts.aspect || 0.62);
    const c = opts.colors, pad = {l: 46, r: 8, t: 8, b: 30};
    const ys = losses.map((v) => opts.log ? Math.log10(Math.max(v, 1e-16)) : v)
      .filter(Number.isFinite);
    let lo = opts.log ? Math.min(...ys) : Math.min(0, ...ys);
    let hi = Math.max(...ys);
    if (!(hi > lo)) { hi = lo + 1; }
    const span = Math.max(opts.span, losses.length - 1);
    const X = (i) => pad.l + (w - pad.l - pad.r) * i / span;
    const Y = (v) => h - pad.b - (h - pad.t - pad.b) * (v - lo) / (hi - lo);
    ctx.strokeStyle = c.ink; ctx.fillStyle = c.ink; ctx.lineWidth = 1;
    ctx.font = "12px system-ui, sans-serif";
    ctx.beginPath();
    ctx.moveTo(pad.l, pad.t); ctx.lineTo(pad.l, h - pad.b);
    ctx.lineTo(w - pad.r, h - pad.b);
    ctx.stroke();
    ctx.textAlign = "right";
    for (const v of [lo, hi]) {
      const label = opts.log ? "1e" + Math.round(v) : fmt(v, 3);
      ctx.fillText(label, pad.l - 4, Y(v) + 4);
    }
    ctx.textAlign = "center";
    ctx.fillText("0", pad.l, h - pad.b + 14);
    ctx.fillText(String(span), w - pad.r - 12, h - pad.b + 14);
    ctx.fillText(opts.log ? "loss (log scale) per step" : "loss per step",
      (pad.l + w) / 2, h - 4);
    ctx.strokeStyle = c.accent; ctx.lineWidth = 2; ctx.beginPath();
    losses.forEach((v, i) => {
      const y = opts.log ? Math.log10(Math.max(v, 1e-16)) : v;
      if (Number.isFinite(y)) ctx[i ? "lineTo" : "moveTo"](X(i), Y(y));
    });
    ctx.stroke();
  }

  // Run/Pause: `advance()` takes some steps and returns false once there is nothing
  // left to do. Smoothly, one batch per frame; with reduced motion, one larger
  // batch every half second and no animation in between.
  function runner(button, advance, render, begin) {
    let timer = null;
    const stop = () => {
      if (timer !== null) {
        cancelAnimationFrame(timer.frame); clearTimeout(timer.tick);
      }
      timer = null; button.textContent = "Run";
      button.setAttribute("aria-pressed", "false");
    };
    const tick = () => {
      const more = advance(reduced());
      render();
      if (!more) { stop(); return; }
      timer = reduced() ? {tick: setTimeout(tick, 500)}
        : {frame: requestAnimationFrame(tick)};
    };
    button.addEventListener("click", () => {
      if (timer !== null) { stop(); return; }
      begin();
      button.textContent = "Pause"; button.setAttribute("aria-pressed", "true");
      timer = {}; tick();
    });
    return stop;
  }

  // A range input whose positions are the learning rates `rates` (ascending), with
  // the stability limit marked under it (or the mark hidden when there is none).
  function rateSlider(input, output, mark, rates, limit) {
    input.min = 0; input.max = rates.length - 1; input.step = 1;
    const show = () => {
      output.textContent = String(rates[+input.value]);
      input.setAttribute("aria-valuetext", "learning rate " + rates[+input.value]);
    };
    const place = (value) => {
      if (!(value > rates[0] && value < rates[rates.length - 1])) {
        mark.hidden = true; return;
      }
      let i = 0;
      while (rates[i + 1] < value) i++;
      const f = i + Math.log(value / rates[i]) / Math.log(rates[i + 1] / rates[i]);
      mark.hidden = false;
      mark.style.left = "calc(8px + (100% - 16px) * " + f / (rates.length - 1) + ")";
      mark.querySelector("span").textContent = LIMIT + " \u2248 " + fmt(value, 3);
    };
    input.addEventListener("input", show);
    show(); place(limit);
    return {rate: () => rates[+input.value], place,
      set: (r) => { input.value = rates.indexOf(r); show(); }};
  }

  // Show the widget (its no-script note gone) and redraw it when its width or the
  // page's light/dark mode changes; onTheme runs before such a redraw.
  function show(root, ui, fallback, render, onTheme) {
    fallback.remove(); ui.hidden = false;
    if (typeof ResizeObserver === "function") {
      let width = 0;
      new ResizeObserver(() => {
        if (root.clientWidth !== width) { width = root.clientWidth; render(); }
      }).observe(root);
    }
    new MutationObserver(() => { if (onTheme) onTheme(); render(); }).observe(
      document.documentElement,
      {attributes: true, attributeFilter: ["data-theme", "data-mode"]});
  }

  return {LIMIT, RULE, Run, regime, positions, chainModel, fit, colors, fmt, lossCurve,
    runner, rateSlider, reduced, show};
})();
"""
