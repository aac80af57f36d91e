// Hand-written SVG charts: no library, nothing fetched. Every data mark carries
// class "datum" and data-series / data-category / data-value, and a <title> for tooltips.
"use strict";

const WarmCharts = (() => {
  const NS = "http://www.w3.org/2000/svg";

  function el(name, attrs, parent, text) {
    const node = document.createElementNS(NS, name);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }

  function reset(container, hasData, label) {
    container.replaceChildren();
    if (!hasData) {
      const p = document.createElement("p");
      p.className = "empty";
      p.textContent = "No data yet.";
      container.appendChild(p);
      return null;
    }
    return label;
  }

  function legend(container, series) {
    const div = document.createElement("div");
    div.className = "legend";
    for (const s of series) {
      const span = document.createElement("span");
      span.style.setProperty("--swatch", s.color);
      span.textContent = s.name;
      div.appendChild(span);
    }
    container.appendChild(div);
  }

  function niceMax(value) {
    if (value <= 0) return 1;
    const step = Math.pow(10, Math.floor(Math.log10(value)));
    for (const m of [1, 2, 2.5, 5, 10]) if (m * step >= value) return m * step;
    return 10 * step;
  }

  // Horizontal bars, one row per category; series side by side or stacked.
  // opts: {categories, series: [{name, values, color}], stacked, max, format, label}
  function bars(container, opts) {
    const { categories, series } = opts;
    const fmt = opts.format || ((v) => String(v));
    if (!reset(container, categories.length > 0, opts.label)) return;
    const rowH = opts.stacked ? 26 : 14 * series.length + 12;
    const top = 8;
    const width = Math.max(container.clientWidth || 560, 360);
    // Room for category names on the left and value labels on the right, whatever the width.
    const left = Math.min(150, Math.round(width * 0.27));
    const right = Math.min(170, Math.round(width * 0.3));
    const ticks = width - left - right < 260 ? 2 : 4;
    const height = top + rowH * categories.length + 24;
    const totals = categories.map((_, i) =>
      opts.stacked ? series.reduce((a, s) => a + (s.values[i] || 0), 0)
                   : Math.max(...series.map((s) => s.values[i] || 0)));
    const max = opts.max || niceMax(Math.max(...totals));
    const x = (v) => ((width - left - right) * v) / max;
    const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, role: "img",
                            "aria-label": opts.label, class: "bars" }, container);
    for (let t = 0; t <= ticks; t++) {
      const gx = left + x((max * t) / ticks);
      el("line", { x1: gx, x2: gx, y1: top, y2: height - 20, class: "grid" }, svg);
      el("text", { x: gx, y: height - 6, "text-anchor": "middle", class: "muted" }, svg,
         fmt((max * t) / ticks));
    }
    categories.forEach((cat, i) => {
      const y0 = top + i * rowH;
      el("text", { x: left - 8, y: y0 + rowH / 2 + 4, "text-anchor": "end" }, svg, cat);
      let offset = 0;
      series.forEach((s, k) => {
        const v = s.values[i] || 0;
        const barH = opts.stacked ? rowH - 8 : 12;
        const y = opts.stacked ? y0 + 4 : y0 + 6 + k * 14;
        const bx = left + (opts.stacked ? x(offset) : 0);
        const rect = el("rect", {
          x: bx, y, width: Math.max(x(v), v > 0 ? 2 : 0), height: barH, rx: 2, fill: s.color,
          class: "datum", "data-series": s.name, "data-category": cat, "data-value": v,
        }, svg);
        el("title", {}, rect, `${cat} · ${s.name}: ${fmt(v)}`);
        if (!opts.stacked) {
          el("text", { x: bx + x(v) + 4, y: y + 10, class: "muted" }, svg,
             s.labels ? s.labels[i] : fmt(v));
        }
        offset += v;
      });
      if (opts.stacked) {
        el("text", { x: left + x(offset) + 4, y: y0 + rowH / 2 + 4, class: "muted" }, svg,
           opts.totalLabels ? opts.totalLabels[i] : fmt(offset));
      }
    });
    if (series.length > 1) legend(container, series);
  }

  // A line per series over ordered labels (e.g. ISO weeks); points are circles.
  // opts: {labels, series: [{name, values (null = no value), color}], format, label}
  function line(container, opts) {
    const { labels, series } = opts;
    const fmt = opts.format || ((v) => String(v));
    const values = series.flatMap((s) => s.values.filter((v) => v !== null));
    if (!reset(container, labels.length > 0 && values.length > 0, opts.label)) return;
    const left = 48, right = 40, top = 12, bottom = 28, height = 240;
    const width = Math.max(container.clientWidth || 900, 360);
    const max = niceMax(Math.max(...values, 0));
    const step = labels.length > 1 ? (width - left - right) / (labels.length - 1) : 0;
    const px = (i) => (labels.length > 1 ? left + i * step : (left + width - right) / 2);
    const py = (v) => top + (height - top - bottom) * (1 - v / max);
    const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, role: "img",
                            "aria-label": opts.label, class: "line" }, container);
    for (let t = 0; t <= 4; t++) {
      const v = (max * t) / 4;
      el("line", { x1: left, x2: width - right, y1: py(v), y2: py(v), class: "grid" }, svg);
      el("text", { x: left - 6, y: py(v) + 4, "text-anchor": "end", class: "muted" }, svg, fmt(v));
    }
    const every = Math.ceil(labels.length / 12);
    labels.forEach((lab, i) => {
      if (i % every === 0) {
        el("text", { x: px(i), y: height - 8, "text-anchor": "middle", class: "muted" }, svg, lab);
      }
    });
    series.forEach((s, k) => {
      const pts = s.values.map((v, i) => (v === null ? null : [px(i), py(v), v, labels[i]]));
      // A week without a value breaks the line rather than bridging it.
      const path = pts.map((p, i) => (p ? `${i && pts[i - 1] ? "L" : "M"}${p[0]},${p[1]}` : ""))
        .join(" ").trim();
      if (path) el("path", { d: path, fill: "none", stroke: s.color, "stroke-width": 2 }, svg);
      for (const p of pts.filter(Boolean)) {
        // Earlier series are drawn as larger rings so equal values stay visible.
        const ring = k < series.length - 1;
        const c = el("circle", {
          cx: p[0], cy: p[1], r: ring ? 7 : 4, fill: ring ? "white" : s.color,
          stroke: s.color, "stroke-width": 2, class: "datum",
          "data-series": s.name, "data-category": p[3], "data-value": p[2],
        }, svg);
        el("title", {}, c, `${p[3]} · ${s.name}: ${fmt(p[2])}`);
      }
    });
    legend(container, series);
  }

  return { bars, line };
})();
