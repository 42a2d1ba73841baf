// GAN Classroom's live view: plays the binary packets of gan_core/frames.py on <canvas>, in place.
// One instance per mounted element (state kept per parentElement); Streamlit calls the default export
// again with each new `data` (raw bytes), and the cleanup it returns when the element is unmounted.
// Frames are queued and shown one every ~50 ms with requestAnimationFrame; the loop sleeps when idle.
// While a run trains, the view pulls packets itself from the server's stream (gan_core/ui/stream.py),
// every PULL_MS, at the address its last RESET packet named; Streamlit's reruns then only carry the state.

const REAL = "#1f77b4", FAKE = "#d62728", DRAWN = "#2ca02c", ARROW = "#7a0c0d", MUTED = "#7f7f7f", GRID = "#e5e5e5";
const D_SCALE = [[0, [244, 163, 164]], [0.25, [251, 213, 213]], [0.5, [255, 255, 255]], [0.75, [205, 224, 241]],
  [1, [143, 187, 224]]];
const ROW_KEYS = ["step", "d_loss", "g_loss", "d_real", "d_fake"];
const MAX_DRAWN = 20000, SPRAY = 4;  // points painted: config.Config's limit; points per mouse move
const FRAME_MS = 50, MAX_QUEUE = 8, MAX_ROWS = 6000, EMA = 0.9, PULL_MS = 100, CURVES_MS = 150;
const RESET = 1, LOG_Y = 2, RUNNING = 4;
const DEFAULT_TEXT = {
  real: "real", generated: "generated", step: "step", d_colorbar: "D(x)", losses: "Losses", means: "Mean D output",
  d_loss: "D loss", g_loss: "G loss", d_real: "D(x), real", d_fake: "D(G(z)), generated", ema: "EMA",
  cant_tell: "D can't tell (0.5)", no_steps: "No steps yet: press Train or Step.",
  nan_points: "Generated points are not finite: the run diverged.", no_grid: "No decision map in this frame.",
  log_positive: "Log scale needs positive losses.", no_finite: "No finite values: the run diverged.", reset_zoom: "Reset zoom", zoom_hint: "drag to zoom",
  waiting: "Waiting for the first frame…", sample: "sample", draw_use: "Train on {n} drawn points", draw_clear: "Clear",
  draw_hint: "Drag on the map to paint points",
};
const instances = new WeakMap();

// ---- the packet (layout in gan_core/frames.py) --------------------------------------------------

function decode(bytes) {
  const buf = bytes.slice().buffer;  // a copy: Streamlit's Uint8Array may sit at any offset of a larger buffer
  const dv = new DataView(buf);
  if (buf.byteLength < 36 || String.fromCharCode(...new Uint8Array(buf, 0, 4)) !== "GANL") throw new Error("not a live packet");
  const u32 = (o) => dv.getUint32(o, true), f32s = (o, n) => new Float32Array(buf.slice(o, o + 4 * n));
  const flags = dv.getUint16(6, true), nFrames = u32(8), nReal = u32(12), nRows = u32(16), nCols = u32(20);
  const nText = u32(24), p = { flags, step: u32(28), rate: dv.getFloat32(32, true), frames: [] };
  let off = 36;
  p.real = f32s(off, nReal * 2); off += nReal * 8;
  p.rows = {};
  for (let c = 0; c < nCols; c++) { p.rows[ROW_KEYS[c]] = f32s(off, nRows); off += 4 * nRows; }
  p.nRows = nRows;
  if (nText) p.text = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, off, nText)));
  off += nText + ((4 - nText % 4) % 4);
  for (let i = 0; i < nFrames; i++) {
    const h = [0, 1, 2, 3, 4, 5, 6].map((k) => u32(off + 4 * k)), g = f32s(off + 28, 6);
    const [seq, step, kind, n, grid, nArrows, k] = h;
    off += 52;
    if (kind === 1) {
      p.frames.push({ seq, step, kind: "image", n, side: grid, images: new Uint8Array(buf.slice(off, off + n * grid * grid)) });
      off += n * grid * grid; off += (4 - off % 4) % 4;
      continue;
    }
    const f = { seq, step, kind: "points", n, grid, bounds: [g[0], g[1], g[2], g[3]], lo: g[4], hi: g[5] };
    f.fake = f32s(off, 2 * n); off += 8 * n;
    f.dFake = f32s(off, n); off += 4 * n;
    f.heat = new Uint8Array(buf.slice(off, off + grid * grid)); off += grid * grid; off += (4 - off % 4) % 4;
    f.arrows = f32s(off, 2 * nArrows); off += 8 * nArrows;
    f.k = k; f.manifold = f32s(off, 2 * k * k); off += 8 * k * k;
    p.frames.push(f);
  }
  return p;
}

// ---- small helpers ------------------------------------------------------------------------------

function lut() {
  const out = new Uint8ClampedArray(256 * 3);
  for (let v = 0; v < 256; v++) {
    const t = v / 255;
    let i = 0;
    while (i < D_SCALE.length - 2 && t > D_SCALE[i + 1][0]) i++;
    const [t0, c0] = D_SCALE[i], [t1, c1] = D_SCALE[i + 1], a = (t - t0) / (t1 - t0);
    for (let c = 0; c < 3; c++) out[3 * v + c] = Math.round(c0[c] + a * (c1[c] - c0[c]));
  }
  return out;
}
const LUT = lut();

function niceTicks(lo, hi, count) {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count, mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) || raw;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}
const fmt = (v, d = 3) => (Number.isFinite(v) ? (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2) : +v.toFixed(d)).toString() : "–");

function sizeCanvas(canvas, w, h) {
  const dpr = window.devicePixelRatio || 1;
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr); canvas.height = Math.round(h * dpr);
    canvas.style.width = w + "px"; canvas.style.height = h + "px";
  }
  const ctx = canvas.getContext("2d");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return ctx;
}

function message(ctx, w, h, text, y, s = 1) {  // s: presenter mode's scale
  ctx.font = `${14 * s}px sans-serif`;
  const tw = ctx.measureText(text).width + 20 * s, yy = y ?? h / 2;
  ctx.fillStyle = "rgba(255,255,255,0.92)"; ctx.fillRect((w - tw) / 2, yy - 14 * s, tw, 28 * s);
  ctx.strokeStyle = "#d0d0d5"; ctx.strokeRect((w - tw) / 2, yy - 14 * s, tw, 28 * s);
  ctx.fillStyle = "#31333f"; ctx.textAlign = "center"; ctx.textBaseline = "middle"; ctx.fillText(text, w / 2, yy);
}

// ---- one instance --------------------------------------------------------------------------------

class LiveView {
  constructor(root) {
    this.root = root;
    const holder = document.createElement("div");  // a child: the parent also holds Streamlit's <style> of live.css
    root.appendChild(holder);
    holder.innerHTML = `<h4 class="gl-status" hidden></h4><div class="gl-root"><div class="gl-col"><canvas class="gl-samples" data-testid="live-samples"></canvas>
      <button class="gl-reset" hidden></button><div class="gl-draw" hidden><span></span><button class="gl-use"></button>
      <button class="gl-clear"></button></div></div><div class="gl-col"><canvas data-testid="live-losses"></canvas>
      <canvas data-testid="live-means"></canvas></div><div class="gl-tip" hidden></div></div>`;
    const q = (s) => holder.querySelector(s);
    [this.box, this.samples, this.losses, this.means, this.tip, this.resetBtn, this.status] =
      [q(".gl-root"), q(".gl-samples"), q('[data-testid="live-losses"]'), q('[data-testid="live-means"]'), q(".gl-tip"), q(".gl-reset"), q(".gl-status")];
    this.text = { ...DEFAULT_TEXT }; this.real = new Float32Array(0); this.events = [];
    this.cols = null; this.queue = []; this.frame = null; this.lastSeq = -1; this.zoom = null; this.flags = 0;
    this.xRange = null; this.dirty = true; this.raf = 0; this.lastShown = 0; this.frames = 0; this.errors = [];
    this.stream = null; this.pulls = 0; this.size = null; this.curvesKey = ""; this.curvesAt = 0; this.statusAt = 0;
    this.scale = 1; this.holder = holder;  // scale: presenter mode's markers, lines and fonts (the RESET packet says)
    this.resetCols();
    this.resetBtn.onclick = () => { this.zoom = null; this.resetBtn.hidden = true; this.request(); };
    this.drawn = []; this.drawing = false; this.drawBar = q(".gl-draw");
    q(".gl-clear").onclick = () => { this.drawn = []; this.request(); };
    this.useBtn = q(".gl-use");
    this.useBtn.onclick = () => {  // to the page: it checks the points and starts a run on them (dataset custom)
      if (this.drawn.length >= 4 && this.trigger) {
        this.trigger("drawn", this.drawn.map((v) => Math.round(v * 1000) / 1000)); this.drawn = []; this.request();
      }
    };
    this.bindSamples(); this.bindCurves(this.losses, "losses"); this.bindCurves(this.means, "means");
    this.resize = new ResizeObserver(() => { this.size = null; this.request(); });
    this.resize.observe(this.box);
    root.__liveView = this;  // for the browser tests: toPixel(), counters
    window.__liveViews = (window.__liveViews || 0) + 1;
  }

  resetCols() {
    this.cols = Object.fromEntries(ROW_KEYS.map((k) => [k, []]));
    this.ema = Object.fromEntries(ROW_KEYS.slice(1).map((k) => [k, []]));
    this.emaState = {};
  }

  accept(bytes, streamed = false) {
    const p = decode(bytes), wasRunning = this.flags & RUNNING;
    this.packets = (this.packets || 0) + 1;
    if (p.frames.length && this.lastSeq >= 0 && p.frames[0].seq > this.lastSeq + 1) this.gaps = (this.gaps || 0) + 1;
    if (p.flags & RESET) {  // RESET: a full script run (new page, new run, changed labels)
      this.resetCols(); this.real = p.real; this.queue = []; this.lastSeq = -1; this.stream = null; this.resets = (this.resets || 0) + 1;
      if (p.text) {
        this.stream = p.text.stream ? { url: p.text.stream, busy: false, fails: 0 } : null;  // a new object: late answers to the old one are dropped
        this.text = { ...DEFAULT_TEXT, ...(p.text.labels || {}) }; this.events = p.text.events || []; this.xRange = p.text.x_range || null;
        this.critic = !!p.text.critic;
        this.drawing = !!p.text.draw;  // raw critic scores: no [0, 1] axis, no 0.5 line (a critic's offset is free)
        const scale = +p.text.scale || 1;
        if (scale !== this.scale) { this.scale = scale; this.size = null; this.holder.classList.toggle("gl-present", scale > 1); }
      }
    }
    this.flags = streamed ? (p.flags & ~LOG_Y) | (this.flags & LOG_Y) : p.flags;  // the page's options come from the page
    this.showStatus(p, !streamed || !(this.flags & RUNNING));
    // The run stopped by itself (diverged, reached its step count, paused as idle): the page reruns for its buttons.
    if (streamed && wasRunning && !(this.flags & RUNNING) && this.trigger) this.trigger("stopped", p.step);
    this.appendRows(p.rows, p.nRows);
    for (const f of p.frames) if (f.seq > this.lastSeq || (p.flags & RESET)) { this.queue.push(f); this.lastSeq = Math.max(this.lastSeq, f.seq); }
    if (this.queue.length > MAX_QUEUE) this.trims = (this.trims || 0) + 1;
    if (this.queue.length > MAX_QUEUE) this.queue.splice(0, this.queue.length - MAX_QUEUE / 2);
    if (!this.frame && this.queue.length) this.frame = this.queue.shift();
    this.request();
    if (!streamed) this.pull();
  }

  showStatus(p, now) {  // `Step N · R steps/s · state`, as the page's own status line (when the page asks for it)
    const T = this.text, el = this.status;
    el.hidden = !T.status_line;
    if (el.hidden || (!now && performance.now() - this.statusAt < 250)) return;
    this.statusAt = performance.now();
    const n = (v) => Math.round(v).toLocaleString("en-US");
    const line = `${T.status_line.replace("{step}", n(p.step)).replace("{rate}", n(p.rate))} · ${this.flags & RUNNING ? T.running : T.paused}`;
    if (el.textContent !== line) el.textContent = line;
  }

  // The stream: one request at a time, the next PULL_MS after the last began; stops when the run does
  // (the page's rerun for Train starts it again), on a 404 (the session is gone) and when unmounted.
  pull() {
    const s = this.stream;
    if (!s || s.busy || this.dead || !(this.flags & RUNNING)) return;
    s.busy = true;
    const t0 = performance.now(), c = this.cols.step, last = c.length ? c[c.length - 1] : -1;
    fetch(`${s.url}?seq=${this.lastSeq}&step=${last}`, { cache: "no-store", credentials: "same-origin" })
      .then((r) => (r.ok ? r.arrayBuffer() : Promise.reject(r.status)))
      .then((buf) => { if (this.stream === s) { s.fails = 0; this.pulls++; this.accept(new Uint8Array(buf), true); } })
      .catch((status) => { if (status === 404 && this.stream === s) this.stream = null; else s.fails++; })
      .finally(() => {
        s.busy = false;
        const wait = Math.max(10, PULL_MS - (performance.now() - t0)) + Math.min(2000, 250 * s.fails);  // back off on errors
        if (this.stream === s) setTimeout(() => this.pull(), wait);
      });
  }

  appendRows(rows, n) {
    if (!n || !rows.step) return;
    const c = this.cols;
    for (let i = 0; i < n; i++) {
      const s = rows.step[i];
      if (c.step.length && s <= c.step[c.step.length - 1]) continue;  // already here (packets overlap)
      for (const k of ROW_KEYS) c[k].push(rows[k] ? rows[k][i] : NaN);
      for (const k of ROW_KEYS.slice(1)) {  // NaN-aware EMA, decay EMA ** (gap in steps), as figures.common.ema
        const x = rows[k] ? rows[k][i] : NaN, st = this.emaState[k] || { s: NaN, step: s };
        if (Number.isFinite(x)) st.s = Number.isNaN(st.s) ? x : Math.pow(EMA, Math.max(1, s - st.step)) * st.s + (1 - Math.pow(EMA, Math.max(1, s - st.step))) * x;
        st.step = s; this.emaState[k] = st; this.ema[k].push(st.s);
      }
    }
    if (c.step.length > MAX_ROWS) {  // thin the older half: memory stays flat however long the run
      const keep = (a) => a.filter((_, i) => i >= MAX_ROWS / 2 || i % 2 === 0);
      for (const k of ROW_KEYS) c[k] = keep(c[k]);
      for (const k in this.ema) this.ema[k] = keep(this.ema[k]);
    }
  }

  request() { this.dirty = true; if (!this.raf) this.raf = requestAnimationFrame((t) => this.tick(t)); }

  tick(now) {
    this.raf = 0;
    if (this.queue.length && now - this.lastShown >= FRAME_MS * (this.queue.length > 4 ? 0.7 : 1) - 4) {
      this.frame = this.queue.shift(); this.lastShown = now; this.dirty = true;
    }
    if (this.dirty) {
      this.dirty = false;
      try { this.draw(now); } catch (e) { this.errors.push(String(e)); }
    }
    if (this.queue.length) this.raf = requestAnimationFrame((t) => this.tick(t));
  }

  // ---- layout & drawing ----

  layout() {  // read the page's layout only when it changed (a forced layout on every frame is costly)
    if (this.size) return this.size;
    // floor of the exact width: clientWidth rounds, and a column half a pixel too wide wraps below the other
    const width = Math.floor(this.box.getBoundingClientRect().width) || 600, two = width >= 700;
    const colW = Math.floor(two ? (width - 12) / 2 : width);
    for (const col of this.box.querySelectorAll(".gl-col")) col.style.width = colW + "px";
    // Presenter mode: the map's square fills the canvas's height (no blank band under it), so the whole view
    // fits a 720-pixel beamer; its wider margins would otherwise leave 80 px empty.
    const fit = this.scale > 1 ? 54 * this.scale : 0;
    const side = Math.min(colW - fit, Math.round((two ? 470 : 420) * Math.min(this.scale, 1.3))), curvesH = two ? side : 440, lossH = Math.round(curvesH * 0.55);
    this.curvesKey = "";
    return (this.size = { colW, side, lossH, meansH: curvesH - lossH - 6 });
  }

  draw(now = performance.now()) {
    const { colW, side, lossH, meansH } = this.layout();
    this.drawSamples(sizeCanvas(this.samples, colW, side), colW, side);
    const upto = this.queue.length && this.frame ? this.frame.step : Infinity;  // curves keep pace with the samples
    const n = upto === Infinity ? this.cols.step.length : upperBound(this.cols.step, upto);
    const key = [n, this.cols.step.length, this.flags & LOG_Y, this.resets].join("|");
    if (key !== this.curvesKey && (now - this.curvesAt >= CURVES_MS || !this.queue.length)) {  // new rows: at most ~7 redraws/s
      this.curvesKey = key; this.curvesAt = now;
      this.drawCurves(this.losses, sizeCanvas(this.losses, colW, lossH), colW, lossH, "losses", upto);
      this.drawCurves(this.means, sizeCanvas(this.means, colW, meansH), colW, meansH, "means", upto);
    }
    this.frames++;
    this.samples.dataset.step = this.frame ? this.frame.step : "";
  }

  plotBox(w, h) { const s = this.scale; return { left: 46 * s, top: 26 * s, w: w - 110 * s, h: h - 56 * s }; }

  font(px) { return `${px * this.scale}px sans-serif`; }

  view() {
    if (this.zoom) return this.zoom;
    const b = this.frame && this.frame.kind === "points" ? this.frame.bounds : [-1, 1, -1, 1];
    return { x0: b[0], x1: b[1], y0: b[2], y1: b[3] };
  }

  toPixel(x, y) {  // data -> CSS pixels of the samples canvas
    const v = this.view(), p = this.box2;
    return [p.left + (x - v.x0) / (v.x1 - v.x0) * p.w, p.top + (v.y1 - y) / (v.y1 - v.y0) * p.h];
  }

  fromPixel(px, py) {
    const v = this.view(), p = this.box2;
    return [v.x0 + (px - p.left) / p.w * (v.x1 - v.x0), v.y1 - (py - p.top) / p.h * (v.y1 - v.y0)];
  }

  drawSamples(ctx, w, h) {
    ctx.clearRect(0, 0, w, h); ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, w, h);
    const f = this.frame, T = this.text;
    if (!f) { message(ctx, w, h, T.waiting, undefined, this.scale); return; }
    if (f.kind === "image") { this.drawImages(ctx, w, h, f); return; }
    const p = (this.box2 = this.plotBox(w, h));
    const side = Math.min(p.w, p.h); p.left += (p.w - side) / 2; p.w = p.h = side;  // square data area
    const v = this.view();
    ctx.save(); ctx.beginPath(); ctx.rect(p.left, p.top, p.w, p.h); ctx.clip();
    if (f.grid > 0) this.drawHeat(ctx, f);
    ctx.restore();
    ctx.drawImage(this.axesLayer(w, h, p, v, f), 0, 0, w, h);  // grid lines, axes, colour bar, legend: drawn once
    ctx.save(); ctx.beginPath(); ctx.rect(p.left, p.top, p.w, p.h); ctx.clip();
    if (f.k > 1) this.drawManifold(ctx, f);
    ctx.drawImage(this.realLayer(w, h, p, v), 0, 0, w, h);  // the real points never move: drawn once
    const nFinite = this.drawPoints(ctx, f.fake, FAKE);
    if (this.drawn.length) this.drawPoints(ctx, this.drawn, DRAWN);
    if (f.arrows.length) this.drawArrows(ctx, f, v);
    ctx.restore();
    ctx.font = this.font(13); ctx.textAlign = "left"; ctx.textBaseline = "middle";
    ctx.fillStyle = "#31333f"; ctx.fillText(`${T.step} ${f.step.toLocaleString()}`, p.left, 12 * this.scale);
    if (f.n && nFinite === 0) message(ctx, w, h, T.nan_points, undefined, this.scale);
    else if (f.grid === 0) message(ctx, w, h, T.no_grid, p.top + 20 * this.scale, this.scale);
    this.resetBtn.textContent = T.reset_zoom; this.resetBtn.hidden = !this.zoom;
    this.drawBar.hidden = !this.drawing;
    if (this.drawing) {
      const n = this.drawn.length / 2;
      this.drawBar.firstChild.textContent = n ? "" : T.draw_hint;
      this.useBtn.textContent = T.draw_use.replace("{n}", n.toLocaleString("en-US")); this.useBtn.disabled = n < 2;
      this.drawBar.lastElementChild.textContent = T.draw_clear; this.drawBar.lastElementChild.hidden = !n;
    }
  }

  axesLayer(w, h, p, v, f) {  // what does not change from frame to frame, on a transparent canvas of its own
    const key = [w, h, v.x0, v.x1, v.y0, v.y1, f.grid > 0, f.lo, f.hi, this.resets, this.scale].join("|");
    if (this.axesKey === key) return this.axes;
    this.axesKey = key;
    this.axes = this.axes || document.createElement("canvas");
    const ctx = sizeCanvas(this.axes, w, h), T = this.text;
    ctx.clearRect(0, 0, w, h);
    ctx.save(); ctx.beginPath(); ctx.rect(p.left, p.top, p.w, p.h); ctx.clip();
    this.drawGridLines(ctx, p, v);
    ctx.restore();
    this.drawAxes(ctx, p, v);
    if (f.grid > 0) this.drawColorbar(ctx, p, f);
    const s = this.scale;
    ctx.font = this.font(13); ctx.textAlign = "left"; ctx.textBaseline = "middle";
    const items = [[T.real, REAL], [T.generated, FAKE]];
    const width = items.reduce((sum, [label]) => sum + ctx.measureText(label).width + 38 * s, -26 * s);
    let x = Math.max(p.left + 70 * s, Math.min(p.left + 100 * s, w - width - 4));  // right of "step N", inside the canvas
    for (const [label, color] of items) {
      ctx.fillStyle = color; ctx.beginPath(); ctx.arc(x, 12 * s, 4 * s, 0, 7); ctx.fill();
      ctx.fillStyle = "#31333f"; ctx.fillText(label, x + 8 * s, 12 * s); x += ctx.measureText(label).width + 30 * s;
    }
    return this.axes;
  }

  realLayer(w, h, p, v) {
    const key = [w, h, v.x0, v.x1, v.y0, v.y1, this.resets, this.scale].join("|");
    if (this.realKey !== key) {
      this.realKey = key; this.reals = this.reals || document.createElement("canvas");
      const ctx = sizeCanvas(this.reals, w, h), xy = this.real, r = 2.2 * this.scale;
      ctx.clearRect(0, 0, w, h); ctx.save(); ctx.beginPath(); ctx.rect(p.left, p.top, p.w, p.h); ctx.clip();
      ctx.fillStyle = REAL; ctx.beginPath();
      for (let i = 0; i + 1 < xy.length; i += 2) {
        if (!Number.isFinite(xy[i]) || !Number.isFinite(xy[i + 1])) continue;
        const [px, py] = this.toPixel(xy[i], xy[i + 1]);
        ctx.moveTo(px + r, py); ctx.arc(px, py, r, 0, 2 * Math.PI);
      }
      ctx.fill(); ctx.restore();
    }
    return this.reals;
  }

  drawHeat(ctx, f) {
    const g = f.grid;
    if (!this.heatCanvas || this.heatCanvas.width !== g) { this.heatCanvas = document.createElement("canvas"); this.heatCanvas.width = this.heatCanvas.height = g; }
    const hc = this.heatCanvas.getContext("2d"), img = hc.createImageData(g, g);
    for (let i = 0; i < g; i++) for (let j = 0; j < g; j++) {  // heat row i is at y0 + i dy: image row g-1-i
      const v = f.heat[i * g + j], o = 4 * ((g - 1 - i) * g + j);
      img.data[o] = LUT[3 * v]; img.data[o + 1] = LUT[3 * v + 1]; img.data[o + 2] = LUT[3 * v + 2]; img.data[o + 3] = 255;
    }
    hc.putImageData(img, 0, 0);
    const [x0, x1, y0, y1] = f.bounds, dx = g > 1 ? (x1 - x0) / (g - 1) : 1, dy = g > 1 ? (y1 - y0) / (g - 1) : 1;
    const [ax, ay] = this.toPixel(x0 - dx / 2, y1 + dy / 2), [bx, by] = this.toPixel(x1 + dx / 2, y0 - dy / 2);
    ctx.imageSmoothingEnabled = true; ctx.drawImage(this.heatCanvas, ax, ay, bx - ax, by - ay);
  }

  drawPoints(ctx, xy, color) {  // each point a 5-pixel rounded square of two rects: ~10x cheaper than arcs (measured)
    const v = this.view(), p = this.box2, ax = p.w / (v.x1 - v.x0), ay = p.h / (v.y1 - v.y0);
    const a = 2.5 * this.scale, b = 1.5 * this.scale;  // half the long and the short side
    const bx = p.left - v.x0 * ax, by = p.top + v.y1 * ay;
    ctx.fillStyle = color;
    let n = 0;
    for (let i = 0; i + 1 < xy.length; i += 2) {
      const x = xy[i], y = xy[i + 1];
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      const px = bx + x * ax, py = by - y * ay;
      ctx.fillRect(px - a, py - b, 2 * a, 2 * b); ctx.fillRect(px - b, py - a, 2 * b, 2 * a); n++;
    }
    return n;
  }

  drawArrows(ctx, f, v) {
    let longest = 0;
    for (let i = 0; i < f.arrows.length; i += 2) { const l = Math.hypot(f.arrows[i], f.arrows[i + 1]); if (l > longest) longest = l; }
    if (!(longest > 0) || !Number.isFinite(longest)) return;
    const scale = 0.08 * Math.max(v.x1 - v.x0, v.y1 - v.y0) / longest;
    const s = this.scale;
    ctx.strokeStyle = ARROW; ctx.fillStyle = ARROW; ctx.lineWidth = 1.4 * s;
    for (let i = 0; i < f.arrows.length; i += 2) {
      const [ax, ay] = this.toPixel(f.fake[i], f.fake[i + 1]);
      const [bx, by] = this.toPixel(f.fake[i] + scale * f.arrows[i], f.fake[i + 1] + scale * f.arrows[i + 1]);
      if (![ax, ay, bx, by].every(Number.isFinite)) continue;
      const a = Math.atan2(by - ay, bx - ax);
      ctx.beginPath(); ctx.moveTo(ax, ay); ctx.lineTo(bx, by); ctx.stroke();
      ctx.beginPath(); ctx.moveTo(bx, by); ctx.lineTo(bx - 6 * s * Math.cos(a - 0.4), by - 6 * s * Math.sin(a - 0.4));
      ctx.lineTo(bx - 6 * s * Math.cos(a + 0.4), by - 6 * s * Math.sin(a + 0.4)); ctx.closePath(); ctx.fill();
    }
  }

  drawManifold(ctx, f) {
    const k = f.k, m = f.manifold, at = (i, j) => this.toPixel(m[2 * (i * k + j)], m[2 * (i * k + j) + 1]);
    ctx.strokeStyle = "rgba(122, 12, 13, 0.45)"; ctx.lineWidth = this.scale; ctx.beginPath();
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) {
      const [x, y] = at(i, j);
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      if (j + 1 < k) { const [x2, y2] = at(i, j + 1); if (Number.isFinite(x2 + y2)) { ctx.moveTo(x, y); ctx.lineTo(x2, y2); } }
      if (i + 1 < k) { const [x2, y2] = at(i + 1, j); if (Number.isFinite(x2 + y2)) { ctx.moveTo(x, y); ctx.lineTo(x2, y2); } }
    }
    ctx.stroke();
  }

  drawGridLines(ctx, p, v) {
    ctx.strokeStyle = "rgba(0,0,0,0.06)"; ctx.lineWidth = 1; ctx.beginPath();
    for (const x of niceTicks(v.x0, v.x1, 5)) { const [px] = this.toPixel(x, 0); ctx.moveTo(px, p.top); ctx.lineTo(px, p.top + p.h); }
    for (const y of niceTicks(v.y0, v.y1, 5)) { const [, py] = this.toPixel(0, y); ctx.moveTo(p.left, py); ctx.lineTo(p.left + p.w, py); }
    ctx.stroke();
  }

  drawAxes(ctx, p, v) {
    ctx.strokeStyle = MUTED; ctx.strokeRect(p.left, p.top, p.w, p.h);
    ctx.fillStyle = "#555"; ctx.font = this.font(11); ctx.textAlign = "center"; ctx.textBaseline = "top";
    for (const x of niceTicks(v.x0, v.x1, 5)) ctx.fillText(fmt(x, 2), this.toPixel(x, 0)[0], p.top + p.h + 4 * this.scale);
    ctx.textAlign = "right"; ctx.textBaseline = "middle";
    for (const y of niceTicks(v.y0, v.y1, 5)) ctx.fillText(fmt(y, 2), p.left - 5 * this.scale, this.toPixel(0, y)[1]);
  }

  drawColorbar(ctx, p, f) {
    const s = this.scale, x = p.left + p.w + 12 * s, top = p.top + p.h * 0.1, h = p.h * 0.8;
    for (let i = 0; i < h; i++) {
      const v = Math.round(255 * (1 - i / h));
      ctx.fillStyle = `rgb(${LUT[3 * v]},${LUT[3 * v + 1]},${LUT[3 * v + 2]})`; ctx.fillRect(x, top + i, 12 * s, 1.5);
    }
    ctx.strokeStyle = MUTED; ctx.strokeRect(x, top, 12 * s, h);
    ctx.fillStyle = "#555"; ctx.font = this.font(11); ctx.textAlign = "left"; ctx.textBaseline = "middle";
    for (const t of [f.lo, (f.lo + f.hi) / 2, f.hi]) ctx.fillText(fmt(t, 2), x + 15 * s, top + h * (1 - (t - f.lo) / (f.hi - f.lo)));
    ctx.textBaseline = "bottom"; ctx.fillText(this.text.d_colorbar, x - 4 * s, top - 4 * s);
  }

  drawImages(ctx, w, h, f) {
    const T = this.text, per = Math.ceil(Math.sqrt(f.n || 1)), s = f.side, gap = 1, full = per * (s + gap) + gap;
    if (!f.n || !s) { message(ctx, w, h, T.waiting, undefined, this.scale); return; }
    if (!this.mosaic || this.mosaic.width !== full) { this.mosaic = document.createElement("canvas"); this.mosaic.width = this.mosaic.height = full; }
    const mc = this.mosaic.getContext("2d"), img = mc.createImageData(full, full);
    img.data.fill(255);
    for (let n = 0; n < f.n; n++) for (let r = 0; r < s; r++) for (let c = 0; c < s; c++) {
      const v = 255 - f.images[n * s * s + r * s + c];  // ink dark on white, as the summary figure
      const o = 4 * ((gap + Math.floor(n / per) * (s + gap) + r) * full + gap + (n % per) * (s + gap) + c);
      img.data[o] = img.data[o + 1] = img.data[o + 2] = v;
    }
    mc.putImageData(img, 0, 0);
    const top = 24 * this.scale, side = Math.min(w, h - top - 2), left = (w - side) / 2;
    ctx.imageSmoothingEnabled = false; ctx.drawImage(this.mosaic, left, top, side, side);
    this.box2 = { left, top, w: side, h: side, per, full };
    ctx.fillStyle = "#31333f"; ctx.font = this.font(13); ctx.textAlign = "left"; ctx.textBaseline = "middle";
    ctx.fillText(`${T.step} ${f.step.toLocaleString()}`, left, top / 2);
  }

  // ---- curves ----

  series(which) {
    return which === "losses" ? [["d_loss", "#333333"], ["g_loss", FAKE]] : [["d_real", REAL], ["d_fake", FAKE]];
  }

  curveFrame(which, w, h, upto) {
    const c = this.cols, n = upto === Infinity ? c.step.length : upperBound(c.step, upto);
    const log = which === "losses" && (this.flags & 2);
    const tr = log ? (v) => (v > 0 ? Math.log10(v) : NaN) : (v) => v;
    let lo = Infinity, hi = -Infinity;
    const vals = [];
    let raw = 0;
    for (const [k] of this.series(which)) for (let i = 0; i < n; i++) {
      const v = tr(c[k][i]);
      if (Number.isFinite(v)) vals.push(v); else if (Number.isFinite(c[k][i])) raw++;
    }
    if (vals.length) {
      vals.sort((a, b) => a - b);
      lo = vals[Math.floor(vals.length * 0.005)]; hi = vals[Math.ceil(vals.length * 0.995) - 1];
    }
    const unit = which === "means" && !this.critic;  // probabilities: the whole [0, 1] axis
    if (unit) { lo = Math.min(0, lo); hi = Math.max(1, hi); }
    if (!(hi > lo)) { lo = Number.isFinite(lo) ? lo - 0.5 : 0; hi = lo + 1; }
    const pad = (hi - lo) * 0.06; lo -= unit ? 0 : pad; hi += unit ? 0 : pad;
    const s0 = this.xRange ? this.xRange[0] : (n ? c.step[0] : 0);
    const s1 = this.xRange ? Math.max(this.xRange[1], n ? c.step[n - 1] : 0) : (n ? Math.max(c.step[n - 1], s0 + 1) : 1);
    const s = this.scale, p = { left: 50 * s, top: 24 * s, w: w - 62 * s, h: h - 52 * s };
    return { n, tr, lo, hi, s0, s1, p, log, finite: vals.length, nonPositive: raw, x: (s) => p.left + (s - s0) / (s1 - s0) * p.w, y: (v) => p.top + (hi - v) / (hi - lo) * p.h };
  }

  drawCurves(canvas, ctx, w, h, which, upto) {
    const T = this.text, g = (this[which + "Frame"] = this.curveFrame(which, w, h, upto)), p = g.p, c = this.cols;
    ctx.clearRect(0, 0, w, h); ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, w, h);
    ctx.strokeStyle = GRID; ctx.lineWidth = 1; ctx.beginPath();
    for (const v of niceTicks(g.lo, g.hi, 4)) { ctx.moveTo(p.left, g.y(v)); ctx.lineTo(p.left + p.w, g.y(v)); }
    ctx.stroke();
    const sc = this.scale;
    ctx.fillStyle = "#555"; ctx.font = this.font(11); ctx.textAlign = "right"; ctx.textBaseline = "middle";
    for (const v of niceTicks(g.lo, g.hi, 4)) ctx.fillText(g.log ? fmt(Math.pow(10, v), 3) : fmt(v, 3), p.left - 5 * sc, g.y(v));
    ctx.textAlign = "center"; ctx.textBaseline = "top";
    for (const s of niceTicks(g.s0, g.s1, 5)) if (s >= g.s0 && Number.isInteger(s)) ctx.fillText(Math.round(s).toLocaleString(), g.x(s), p.top + p.h + 4 * sc);
    ctx.strokeStyle = MUTED; ctx.strokeRect(p.left, p.top, p.w, p.h);
    ctx.save(); ctx.beginPath(); ctx.rect(p.left, p.top, p.w, p.h); ctx.clip();
    // The legend goes beside the title, or where there is no room for it (large fonts, long labels) inside
    // the plot's top right corner; the 0.5 line's label then goes under the line.
    const title = which === "losses" ? T.losses : T.means, series = this.series(which);
    ctx.font = this.font(13);
    let x = p.left + ctx.measureText(title).width + 16 * sc, y = 11 * sc;
    ctx.font = this.font(11.5);
    const legendW = series.reduce((sum, [k]) => sum + ctx.measureText(T[k]).width + 32 * sc, -14 * sc), inside = x + legendW > w;
    if (which === "means" && !this.critic) {
      ctx.setLineDash([4, 4]); ctx.strokeStyle = MUTED; ctx.beginPath(); ctx.moveTo(p.left, g.y(0.5)); ctx.lineTo(p.left + p.w, g.y(0.5)); ctx.stroke();
      ctx.setLineDash([]); ctx.fillStyle = MUTED; ctx.textAlign = "left"; ctx.textBaseline = inside ? "top" : "bottom";
      ctx.fillText(T.cant_tell, p.left + 4 * sc, g.y(0.5) + (inside ? 2 : -2));
    }
    ctx.font = this.font(11); ctx.textAlign = "left"; ctx.textBaseline = "top";
    this.events.slice(-20).forEach(([s, label], i) => {
      if (s < g.s0 || s > g.s1) return;
      ctx.setLineDash([5, 4]); ctx.strokeStyle = MUTED; ctx.beginPath(); ctx.moveTo(g.x(s), p.top); ctx.lineTo(g.x(s), p.top + p.h); ctx.stroke();
      ctx.setLineDash([]); ctx.fillStyle = MUTED; ctx.fillText(label, g.x(s) + 3, p.top + 2 + 13 * sc * (i % 3));
    });
    const stride = Math.max(1, Math.floor(g.n / p.w));  // at most ~1 point per pixel column
    for (const [k, color] of this.series(which)) {
      this.line(ctx, g, c.step, c[k], g.n, stride, color, 1, 0.25);
      this.line(ctx, g, c.step, this.ema[k], g.n, stride, color, Math.round(2 * sc), 1);
    }
    ctx.restore();
    ctx.fillStyle = "#31333f"; ctx.font = this.font(13); ctx.textAlign = "left"; ctx.textBaseline = "middle";
    ctx.fillText(title, p.left, 11 * sc);
    ctx.font = this.font(11.5);
    if (inside) {
      x = Math.max(p.left + 4 * sc, p.left + p.w - legendW - 6 * sc); y = p.top + 11 * sc;
      ctx.fillStyle = "rgba(255,255,255,0.85)"; ctx.fillRect(x - 4 * sc, p.top + 2, legendW + 8 * sc, 18 * sc);
    }
    for (const [k, color] of series) {
      ctx.fillStyle = color; ctx.fillRect(x, y - sc, 14 * sc, 2.5 * sc); ctx.fillStyle = "#31333f"; ctx.fillText(T[k], x + 18 * sc, y);
      x += ctx.measureText(T[k]).width + 32 * sc;
    }
    if (!g.n) message(ctx, w, h, T.no_steps, undefined, sc);
    else if (!g.finite) message(ctx, w, h, g.nonPositive ? T.log_positive : T.no_finite, undefined, sc);
    canvas.dataset.rows = g.n;
  }

  line(ctx, g, xs, ys, n, stride, color, width, alpha) {
    // A 2-pixel line is two hairlines a pixel apart: software canvas strokes a wide polyline ~10x slower (measured).
    ctx.strokeStyle = color; ctx.lineWidth = 1; ctx.globalAlpha = alpha;
    for (let dy = 0; dy < width; dy++) {
      ctx.beginPath();
      let pen = false;
      for (let i = 0; i < n; i += (i + stride < n ? stride : Math.max(1, n - 1 - i))) {
        const v = g.tr(ys[i]);
        if (!Number.isFinite(v)) { pen = false; continue; }
        const px = g.x(xs[i]), py = g.y(v) + dy - (width - 1) / 2;
        if (pen) ctx.lineTo(px, py); else ctx.moveTo(px, py);
        pen = true;
        if (i === n - 1) break;
      }
      ctx.stroke();
    }
    ctx.globalAlpha = 1;
  }

  // ---- interaction ----

  showTip(canvas, px, py, html) {
    const r = canvas.getBoundingClientRect(), b = this.box.getBoundingClientRect();
    this.tip.innerHTML = html; this.tip.hidden = false;
    const x = r.left - b.left + px + 14, tw = this.tip.offsetWidth;
    this.tip.style.left = Math.min(x, b.width - tw - 4) + "px"; this.tip.style.top = r.top - b.top + py + 14 + "px";
  }

  bindSamples() {
    const c = this.samples;
    let drag = null;
    const pos = (e) => { const r = c.getBoundingClientRect(); return [e.clientX - r.left, e.clientY - r.top]; };
    const paint = (e) => {  // a spray of SPRAY points around the cursor, in data coordinates
      const [px, py] = pos(e), p = this.box2, v = this.view();
      if (!p || px < p.left || py < p.top || px > p.left + p.w || py > p.top + p.h) return;
      const [x, y] = this.fromPixel(px, py), sd = 0.025 * (v.x1 - v.x0);
      for (let k = 0; k < SPRAY && this.drawn.length < 2 * MAX_DRAWN; k++) {
        const r = sd * Math.sqrt(-2 * Math.log(1 - Math.random())), a = 2 * Math.PI * Math.random();
        this.drawn.push(x + r * Math.cos(a), y + r * Math.sin(a));
      }
      this.request();
    };
    c.addEventListener("mousemove", (e) => {
      const [px, py] = pos(e);
      if (this.painting) { paint(e); return; }
      if (drag) { drag.x1 = px; drag.y1 = py; this.drawDrag(drag); return; }
      this.hoverSamples(px, py);
    });
    c.addEventListener("mouseleave", () => { this.tip.hidden = true; });
    c.addEventListener("mousedown", (e) => {
      if (this.drawing && this.frame && this.frame.kind === "points") { this.painting = true; paint(e); return; }
      if (this.frame && this.frame.kind === "points") { const [x, y] = pos(e); drag = { x0: x, y0: y, x1: x, y1: y }; } });
    window.addEventListener("mouseup", this.onUp = () => {
      this.painting = false;
      if (!drag) return;
      const d = drag; drag = null;
      if (Math.abs(d.x1 - d.x0) > 8 && Math.abs(d.y1 - d.y0) > 8) {
        const [ax, ay] = this.fromPixel(Math.min(d.x0, d.x1), Math.max(d.y0, d.y1)), [bx, by] = this.fromPixel(Math.max(d.x0, d.x1), Math.min(d.y0, d.y1));
        this.zoom = { x0: ax, x1: bx, y0: ay, y1: by };
      }
      this.request();
    });
    c.addEventListener("dblclick", () => { this.zoom = null; this.request(); });
  }

  drawDrag(d) {
    this.draw();
    const ctx = this.samples.getContext("2d");
    ctx.fillStyle = "rgba(49, 51, 63, 0.12)"; ctx.strokeStyle = "rgba(49, 51, 63, 0.6)";
    ctx.fillRect(d.x0, d.y0, d.x1 - d.x0, d.y1 - d.y0); ctx.strokeRect(d.x0, d.y0, d.x1 - d.x0, d.y1 - d.y0);
  }

  hoverSamples(px, py) {
    const f = this.frame, p = this.box2, T = this.text;
    if (!f || !p || px < p.left || py < p.top || px > p.left + p.w || py > p.top + p.h) { this.tip.hidden = true; return; }
    if (f.kind === "image") {
      const cell = p.w / p.per, i = Math.floor((py - p.top) / cell) * p.per + Math.floor((px - p.left) / cell);
      if (i < f.n) this.showTip(this.samples, px, py, `${T.sample} #${i + 1}`); else this.tip.hidden = true;
      return;
    }
    const [x, y] = this.fromPixel(px, py);
    let best = null, bestD = 64;  // within 8 px
    const near = (xy, label, dv) => {
      for (let i = 0; i + 1 < xy.length; i += 2) {
        const [qx, qy] = this.toPixel(xy[i], xy[i + 1]), d = (qx - px) ** 2 + (qy - py) ** 2;
        if (d < bestD) { bestD = d; best = { label, x: xy[i], y: xy[i + 1], d: dv ? dv[i / 2] : null }; }
      }
    };
    near(this.real, T.real); near(f.fake, T.generated, f.dFake);
    let html = `(${fmt(x, 3)}, ${fmt(y, 3)}) · D = ${fmt(this.dAt(f, x, y), 3)}`;
    if (best) html = `<b>${best.label}</b> (${fmt(best.x, 3)}, ${fmt(best.y, 3)})${best.d != null ? ` · D(G(z)) = ${fmt(best.d, 3)}` : ""}<br>` + html;
    this.showTip(this.samples, px, py, html);
  }

  dAt(f, x, y) {  // D under the cursor: the nearest grid value
    const g = f.grid, [x0, x1, y0, y1] = f.bounds;
    if (!g) return NaN;
    const j = Math.round((x - x0) / (x1 - x0) * (g - 1)), i = Math.round((y - y0) / (y1 - y0) * (g - 1));
    if (i < 0 || j < 0 || i >= g || j >= g) return NaN;
    return f.lo + f.heat[i * g + j] / 255 * (f.hi - f.lo);
  }

  bindCurves(canvas, which) {
    canvas.addEventListener("mousemove", (e) => {
      const r = canvas.getBoundingClientRect(), px = e.clientX - r.left, py = e.clientY - r.top, g = this[which + "Frame"];
      if (!g || !g.n || px < g.p.left || px > g.p.left + g.p.w) { this.tip.hidden = true; return; }
      const s = g.s0 + (px - g.p.left) / g.p.w * (g.s1 - g.s0), c = this.cols;
      let i = Math.min(g.n - 1, upperBound(c.step, s));
      if (i > 0 && Math.abs(c.step[i - 1] - s) < Math.abs(c.step[i] - s)) i--;
      const rows = this.series(which).map(([k, color]) =>
        `<span style="color:${color === "#333333" ? "#ccc" : color === FAKE ? "#ff9c9c" : "#9cc9ff"}">■</span> ${this.text[k]} ${fmt(c[k][i], 4)} (${this.text.ema} ${fmt(this.ema[k][i], 4)})`);
      this.showTip(canvas, px, py, `${this.text.step} ${c.step[i].toLocaleString()}<br>${rows.join("<br>")}`);
    });
    canvas.addEventListener("mouseleave", () => { this.tip.hidden = true; });
  }

  destroy() {
    this.dead = true; this.stream = null;
    this.box.parentElement.remove();
    cancelAnimationFrame(this.raf); this.resize.disconnect(); window.removeEventListener("mouseup", this.onUp);
  }
}

function upperBound(a, v) {  // first index with a[i] > v
  let lo = 0, hi = a.length;
  while (lo < hi) { const m = (lo + hi) >> 1; if (a[m] <= v) lo = m + 1; else hi = m; }
  return lo;
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  let view = instances.get(parentElement);
  if (!view) { view = new LiveView(parentElement); instances.set(parentElement, view); }
  view.trigger = setTriggerValue;
  if (data && data.byteLength) {
    try { view.accept(data instanceof Uint8Array ? data : new Uint8Array(data)); } catch (e) { view.errors.push(String(e)); }
  }
  return () => { view.destroy(); instances.delete(parentElement); };
}
