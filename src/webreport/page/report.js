// codessm report page: draws the result documents embedded in #codessm-data (collected by `codessm report`,
// src/webreport/collect.cpp) with uPlot. Every number shown is read from those documents; the page only picks,
// groups and draws them. Sections: inputs, spectral analysis (interpret), spectral shift (interpret --compare),
// probing, training, benchmarks, other results. One bad document is reported in place and the rest still draws.
(function () {
  "use strict";

  const DATA = JSON.parse(document.getElementById("codessm-data").textContent);
  const app = document.getElementById("app");
  const CLASS_COLORS = { low: "#2f6fb0", band: "#3c9a5f", high: "#c8453a", undefined: "#a0a4ab" };
  const PALETTE = ["#2f6fb0", "#c8453a", "#3c9a5f", "#6b4fbb", "#d08a1c", "#1b9aaa", "#8c564b", "#e377c2",
                   "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#ad494a", "#637939", "#843c39", "#5254a3"];

  // ---- small helpers ---------------------------------------------------------------------------------------
  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "class") e.className = v;
      else if (k === "text") e.textContent = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? "" : v);
    }
    for (const kid of kids.flat()) if (kid !== null && kid !== undefined) e.append(kid);
    return e;
  }
  // JSON numbers; interpret writes non-finite values as "nan", "inf", "-inf".
  function num(v) {
    if (typeof v === "number") return v;
    if (v === "inf") return Infinity;
    if (v === "-inf") return -Infinity;
    if (v === "nan") return NaN;
    return NaN;
  }
  function finite(v) { const x = num(v); return Number.isFinite(x) ? x : null; }
  function fmt(v, digits) {
    if (v === null || v === undefined) return "–";
    if (typeof v === "boolean") return v ? "yes" : "no";
    if (typeof v === "string") return v;
    if (typeof v !== "number") return JSON.stringify(v);
    if (Number.isInteger(v)) return v.toLocaleString("en-US");
    return Number(v.toPrecision(digits || 4)).toString();
  }
  function pct(v) { return typeof v === "number" ? (100 * v).toFixed(1) + " %" : "–"; }
  function isScalar(v) { return v === null || ["string", "number", "boolean"].includes(typeof v); }
  function docsOf(pred) { return DATA.documents.filter(d => pred(d.kind)); }
  // Short names for series: drop the folders all paths share; a lone path keeps its last two parts.
  function shortNames(paths) {
    const parts = paths.map(p => p.split("/").filter(Boolean));
    if (parts.length === 1) return [parts[0].slice(-2).join("/") || paths[0]];
    let k = 0;
    while (parts.every(q => q.length > k + 1 && q[k] === parts[0][k])) k++;
    return parts.map((q, i) => q.slice(k).join("/") || paths[i]);
  }
  function results(d) { return d.data && typeof d.data === "object" && "results" in d.data ? d.data.results : d.data; }

  function docBox(d, extra) {
    const env = d.data || {};
    return el("div", { class: "doc", "data-kind": d.kind, "data-path": d.path },
      el("div", { class: "doc-head" }, el("span", { class: "kind", text: d.kind }),
        el("span", { class: "path", text: d.path }),
        env.created_utc ? el("span", { class: "meta", text: env.created_utc }) : null,
        env.codessm_version ? el("span", { class: "meta", text: env.codessm_version }) : null, extra || null));
  }
  // A document that failed to draw: say which file and why, keep going.
  function guarded(d, body, draw) {
    try { draw(); } catch (err) {
      console.warn("codessm report: cannot draw " + d.path + ": " + err);
      body.append(el("div", { class: "problems" }, el("span", { class: "problem" },
        el("span", { class: "path", text: d.path }), " could not be drawn (" + (err && err.message || err) +
        "); it may come from another codessm version. The JSON is still in the page source.")));
    }
  }

  // A table from rows of objects; columns = the union of scalar keys (first-seen order).
  function objectTable(rows, opts) {
    opts = opts || {};
    const cols = opts.columns || [];
    if (!opts.columns) for (const r of rows) for (const k of Object.keys(r || {})) if (!cols.includes(k)) cols.push(k);
    const limit = opts.limit || 500;
    const t = el("table", {}, el("tr", {}, cols.map(c => el("th", { text: c }))));
    rows.slice(0, limit).forEach(r => t.append(el("tr", {}, cols.map(c => {
      const v = r ? r[c] : undefined;
      if (v !== undefined && !isScalar(v))  // nested values (a study's findings, details): folded
        return el("td", {}, el("details", {}, el("summary", { text: Array.isArray(v) ? `${v.length} items` : `${Object.keys(v).length} fields` }),
          genericView(v, (opts.depth || 0) + 1)));
      return el("td", { class: typeof v === "number" ? "num" : null, text: v === undefined ? "" : fmt(v, 6) });
    }))));
    const box = el("div", { class: "scroll" }, t);
    if (rows.length > limit) box.append(el("div", { class: "note", text: `first ${limit} of ${rows.length} rows` }));
    return box;
  }
  // Any JSON value as nested tables (the fallback for schemas this page does not know).
  function genericView(v, depth) {
    depth = depth || 0;
    if (isScalar(v)) return el("span", { text: fmt(v, 6) });
    if (Array.isArray(v)) {
      if (v.length && v.every(x => x && typeof x === "object" && !Array.isArray(x))) return objectTable(v, { depth });
      if (v.every(isScalar)) return el("span", { class: "path", text: v.length > 64 ? `[${v.slice(0, 64).map(x => fmt(x, 6)).join(", ")}, … ${v.length} values]` : `[${v.map(x => fmt(x, 6)).join(", ")}]` });
      return el("div", {}, v.slice(0, 50).map(x => genericView(x, depth + 1)));
    }
    // {name: {scalar fields}, ...} (e.g. benchmark results keyed by case): one row per name.
    const vals = Object.values(v);
    if (vals.length > 1 && vals.every(x => x && typeof x === "object" && !Array.isArray(x) && Object.values(x).every(isScalar)))
      return objectTable(Object.entries(v).map(([k, x]) => Object.assign({ name: k }, x)), { depth });
    const t = el("table", {});
    for (const [k, x] of Object.entries(v)) {
      const cell = el("td", {}, depth > 4 ? el("span", { class: "path", text: JSON.stringify(x).slice(0, 400) }) : genericView(x, depth + 1));
      if (typeof x === "number") cell.className = "num";
      t.append(el("tr", {}, el("th", { text: k }), cell));
    }
    return el("div", { class: "scroll" }, t);
  }

  // ---- charts (uPlot) ------------------------------------------------------------------------------------
  // spec: {title, xlabel, ylabel, series: [{label, x: [], y: [], color, points}], hlines/vlines: [{v, label, color}],
  //        logY, logX (base 2), width, height, integerX (layers, steps: whole-number ticks)}
  function chart(parent, spec) {
    const box = el("div", { class: "chart", "data-chart": spec.title || "" }, el("div", { class: "chart-title", text: spec.title || "" }));
    parent.append(box);
    const series = spec.series.filter(s => s.x.length);
    if (!series.length) { box.append(el("div", { class: "note", text: "no values to draw" })); return null; }
    const clean = y => y.map(v => { const x = typeof v === "number" ? v : finite(v); return x === null || !Number.isFinite(x) || (spec.logY && x <= 0) ? null : x; });
    const tables = series.map(s => {
      const idx = s.x.map((_, i) => i).sort((a, b) => s.x[a] - s.x[b]);
      return [idx.map(i => s.x[i]), clean(idx.map(i => s.y[i]))];
    });
    const data = tables.length === 1 ? tables[0] : uPlot.join(tables);
    const lines = (spec.hlines || []).map(h => Object.assign({ axis: "y" }, h)).concat((spec.vlines || []).map(h => Object.assign({ axis: "x" }, h)));
    // The y range takes in the threshold lines, so a threshold outside the data still shows where it lies.
    const marks = lines.filter(l => l.axis === "y").map(l => finite(l.v)).filter(v => v !== null && (!spec.logY || v > 0));
    const yRange = (u, min, max) => {
      if (min === null || max === null) return [min, max];
      const lo = Math.min(min, ...marks), hi = Math.max(max, ...marks);
      if (spec.logY) return uPlot.rangeLog(lo, hi, 10, true);
      const pad = (hi - lo) * 0.06 || Math.abs(hi) * 0.1 || 1;
      return [lo - pad, hi + pad];
    };
    const opts = {
      width: spec.width || 420, height: spec.height || 240,
      scales: { x: spec.logX ? { time: false, distr: 3, log: 2 } : { time: false }, y: Object.assign(spec.logY ? { distr: 3 } : {}, { range: yRange }) },
      axes: [{ label: spec.xlabel || "", incrs: spec.integerX ? [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000] : undefined },
             { label: spec.ylabel || "", size: 60 }],
      legend: { show: true },
      series: [{ label: spec.xlabel || "x" }].concat(series.map((s, i) => ({
        label: s.label, stroke: s.color || PALETTE[i % PALETTE.length], width: 1.5, spanGaps: false, dash: s.dash,
        paths: s.points ? () => null : undefined, points: { show: s.points || s.x.length <= 40, size: s.points ? 7 : 5 },
      }))),
      hooks: { draw: [u => {
        const ctx = u.ctx, bb = u.bbox;
        for (const ln of lines) {
          const v = finite(ln.v);
          if (v === null || (spec.logY && ln.axis === "y" && v <= 0)) continue;
          const p = u.valToPos(v, ln.axis, true);
          const inside = ln.axis === "y" ? p >= bb.top && p <= bb.top + bb.height : p >= bb.left && p <= bb.left + bb.width;
          if (!inside) continue;
          ctx.save();
          ctx.strokeStyle = ln.color || "#444"; ctx.setLineDash([5, 4]); ctx.lineWidth = 1.2;
          ctx.beginPath();
          if (ln.axis === "y") { ctx.moveTo(bb.left, p); ctx.lineTo(bb.left + bb.width, p); }
          else { ctx.moveTo(p, bb.top); ctx.lineTo(p, bb.top + bb.height); }
          ctx.stroke();
          if (ln.label) {
            ctx.fillStyle = ln.color || "#444"; ctx.font = `${11 * devicePixelRatio}px sans-serif`;
            if (ln.axis === "y") ctx.fillText(ln.label, bb.left + 4, p < bb.top + 14 * devicePixelRatio ? p + 12 * devicePixelRatio : p - 3);
            else ctx.fillText(ln.label, p + 3, bb.top + 12 * devicePixelRatio);
          }
          ctx.restore();
        }
      }] },
    };
    return new uPlot(opts, data, box);
  }

  // ---- sections ------------------------------------------------------------------------------------------
  const SECTIONS = [];
  function section(id, title, kinds, draw) { SECTIONS.push({ id, title, kinds, draw }); }

  // Spectral analysis: class grid (click a cell: kernel in time and frequency), SC / LHFR per layer.
  section("interpret", "Spectral analysis of the SSM kernels", k => k === "interpret.kernels", (body, docs) => {
    docs.forEach((d, di) => {
      const box = docBox(d);
      body.append(box);
      guarded(d, box, () => drawInterpret(box, results(d), di));
    });
  });

  function filterKey(f) { return `${f.kind === "conv" ? "conv g" : "k"}${f.index}`; }
  function columnsOf(filters) {
    const cols = [];
    for (const dir of ["forward", "backward"])
      for (const f of filters) if (f.direction === dir && !cols.some(c => c.dir === dir && c.key === filterKey(f)))
        cols.push({ dir, key: filterKey(f), kind: f.kind, index: f.index });
    return cols;
  }

  function drawInterpret(box, r, di) {
    const m = r.model || {}, t = r.thresholds || {};
    box.append(el("div", { class: "meta" },
      `source ${r.source} · ${m.arch || ""}${m.preset ? " (" + m.preset + ")" : ""} · ${m.layers} layers · ` +
      `${m.ssm_kernels} kernel(s) per block${m.hf_conv ? ` · HF conv, ${m.hf_conv_groups} groups` : ""} · L = ${r.length} (${r.length_source}) · ` +
      `skip term ${r.include_skip ? "included" : "not included"}`));
    box.append(el("div", { class: "meta" },
      `Thresholds: SC < ${fmt(t.sc_low)} low, SC > ${fmt(t.sc_high)} high; LHFR > ${fmt(t.lhfr_low)} low, LHFR < ${fmt(t.lhfr_high)} high. Combined: ${r.combine_rule || ""}`));
    const filters = r.filters || [];
    const layers = [...new Set(filters.map(f => f.layer))].sort((a, b) => a - b);
    // Many kernels per block (CodeSSM-k-kernel up to 1024): the grid shows the first 16 per direction.
    const allCols = columnsOf(filters);
    const cols = allCols.length > 32 ? ["forward", "backward"].flatMap(d => allCols.filter(c => c.dir === d).slice(0, 16)) : allCols;
    const byPos = new Map(filters.map((f, i) => [`${f.layer}|${f.direction}|${filterKey(f)}`, i]));
    box.append(el("h3", { text: "Layer × direction classes (combined rule); click a cell for its kernel" }));
    box.append(el("div", { class: "legend" }, ["low", "band", "high", "undefined"].map(c =>
      el("span", { style: `--c:${CLASS_COLORS[c]}`, text: c === "band" ? "band-pass" : c === "undefined" ? "undefined" : c + "-pass" }))));
    const grid = el("table", { class: "grid", "data-doc": di });
    const multi = cols.some(c => c.key !== "k0");
    grid.append(el("tr", {}, el("th", { text: "layer" }), cols.map(c => el("th", { text: multi ? `${c.dir} ${c.key}` : c.dir })),
      el("th", { text: "complementary pairs" })));
    const detail = el("div", { class: "kernel-slot" });
    const cells = [];
    for (const L of layers) {
      const tr = el("tr", {}, el("th", { text: String(L) }));
      for (const c of cols) {
        const i = byPos.get(`${L}|${c.dir}|${c.key}`);
        if (i === undefined) { tr.append(el("td", {})); continue; }
        const f = filters[i];
        const td = el("td", {
          class: `cell c-${f.class_combined}`, "data-filter": i, "data-layer": L, "data-direction": c.dir,
          title: `${f.status}; SC ${fmt(num(f.spectral_centroid))}, LHFR ${fmt(num(f.lhfr))}`,
          text: `${f.class_combined} (SC ${fmt(num(f.spectral_centroid), 3)})`,
          onclick: () => { cells.forEach(x => x.classList.remove("sel")); td.classList.add("sel"); showKernel(detail, r, f); },
        });
        cells.push(td);
        tr.append(td);
      }
      const pairs = (r.pairs || []).filter(p => p.layer === L && p.complementary);
      tr.append(el("td", { text: pairs.length ? pairs.map(p => `${p.kind === "conv" ? "conv g" : "k"}${p.index} ${p.forward}/${p.backward}${p.low_high ? " (low↔high)" : ""}`).join("; ") : "–" }));
      grid.append(tr);
    }
    box.append(el("div", { class: "scroll" }, grid), detail);
    if (cols.length < allCols.length)
      box.append(el("div", { class: "note", text: `grid: the first 16 of ${allCols.length / 2} filters per direction; interpret.md and interpret.csv list all` }));
    const s = r.summary || {};
    if (s.class_counts) box.append(el("div", { class: "meta" },
      `${s.filters} filters · combined classes: ${Object.entries(s.class_counts.combined || {}).map(([k, v]) => `${k} ${v}`).join(", ")} · ` +
      `SC/LHFR disagree: ${s.disagreements} · complementary pairs: ${s.complementary_pairs} (low↔high ${s.low_high_pairs}) · problems: ${s.problems}`));

    // SC and LHFR per layer, one series per direction and kernel, with the thresholds.
    const charts = el("div", { class: "charts" });
    box.append(el("h3", { text: "Spectral centroid and LHFR per layer" }), charts);
    const seriesFor = (field) => cols.slice(0, 16).map((c, i) => {
      const fs = filters.filter(f => f.direction === c.dir && filterKey(f) === c.key);
      return { label: multi ? `${c.dir} ${c.key}` : c.dir, x: fs.map(f => f.layer), y: fs.map(f => num(f[field])),
               color: PALETTE[i % PALETTE.length] };
    });
    chart(charts, { title: "spectral centroid (cycles/sample)", xlabel: "layer", ylabel: "SC", series: seriesFor("spectral_centroid"), integerX: true,
      hlines: [{ v: t.sc_low, label: "sc_low " + fmt(t.sc_low), color: CLASS_COLORS.low }, { v: t.sc_high, label: "sc_high " + fmt(t.sc_high), color: CLASS_COLORS.high }] });
    chart(charts, { title: "low/high frequency ratio (log)", xlabel: "layer", ylabel: "LHFR", logY: true, series: seriesFor("lhfr"), integerX: true,
      hlines: [{ v: t.lhfr_low, label: "lhfr_low " + fmt(t.lhfr_low), color: CLASS_COLORS.low }, { v: t.lhfr_high, label: "lhfr_high " + fmt(t.lhfr_high), color: CLASS_COLORS.high }] });
    if (cols.length > 16) charts.append(el("div", { class: "note", text: `first 16 of ${allCols.length} kernel columns drawn` }));
    if (cells.length) cells[0].click();
  }

  function showKernel(slot, r, f) {
    slot.textContent = "";
    const label = `layer ${f.layer} ${f.direction} ${filterKey(f)}`;
    const k = el("div", { class: "kernel", "data-kernel": label }, el("h4", { text: `Kernel: ${label} (${f.tensor_prefix || f.kind})` }));
    slot.append(k);
    k.append(objectTable([{ status: f.status, class_combined: f.class_combined, class_sc: f.class_sc, class_lhfr: f.class_lhfr,
      class_dominant: f.class_dominant, spectral_centroid: num(f.spectral_centroid), lhfr: num(f.lhfr),
      dominant_frequency: num(f.dominant_frequency), dominant_magnitude: num(f.dominant_magnitude),
      [f.kind === "ssm" ? "D" : "bias_mean"]: num(f.kind === "ssm" ? f.D : f.bias_mean) }]));
    if (f.problems && f.problems.length) k.append(el("div", { class: "problems", text: f.problems.join("; ") }));
    const c = f.curves;
    if (!c) {
      k.append(el("div", { class: "note", text: "This interpret.json has no curves for this filter (written by an older codessm, or beyond the first filters that keep curves); re-run `codessm interpret` to get them." }));
      return;
    }
    const charts = el("div", { class: "charts" });
    k.append(charts);
    const tx = c.time.map((_, i) => c.time_start + i);
    const fx = c.magnitude.map((_, i) => i * c.frequency_step);
    const t = r.thresholds || {};
    chart(charts, { title: f.kind === "conv" ? "mean taps h[m]" : "kernel K[l] (time)", xlabel: f.kind === "conv" ? "offset m" : "l", ylabel: "K",
      series: [{ label: "K", x: tx, y: c.time, color: "#1d2330" }], width: 360 });
    chart(charts, { title: "magnitude spectrum |X(f)|", xlabel: "f (cycles/sample)", ylabel: "|X|",
      series: [{ label: "|X|", x: fx, y: c.magnitude, color: CLASS_COLORS[f.class_combined] || "#1d2330" }], width: 360,
      vlines: [{ v: num(f.dominant_frequency), label: "dominant", color: "#6b4fbb" }, { v: num(f.spectral_centroid), label: "SC", color: "#d08a1c" },
               { v: t.sc_low, color: CLASS_COLORS.low }, { v: t.sc_high, color: CLASS_COLORS.high }] });
    if (c.phase) chart(charts, { title: "phase", xlabel: "f (cycles/sample)", ylabel: "rad", series: [{ label: "phase", x: fx, y: c.phase, color: "#7f7f7f" }], width: 360 });
  }

  // Spectral shift between two checkpoints.
  section("compare", "Spectral shift (interpret --compare)", k => k === "interpret.compare", (body, docs) => {
    for (const d of docs) {
      const box = docBox(d);
      body.append(box);
      guarded(d, box, () => {
        const r = results(d);
        box.append(el("div", { class: "meta" }, `A = ${r.a} (L ${r.length_a}) · B = ${r.b} (L ${r.length_b}) · SC epsilon ${r.sc_epsilon}`));
        box.append(genericView(r.summary || {}));
        const charts = el("div", { class: "charts" });
        box.append(charts);
        const ch = r.changes || [];
        const series = [];
        ["forward", "backward"].forEach((dir, i) => {
          const fs = ch.filter(c => c.direction === dir && c.kind === "ssm" && c.index === 0);
          series.push({ label: `A ${dir}`, x: fs.map(c => c.layer), y: fs.map(c => num(c.sc_a)), color: PALETTE[i] });
          series.push({ label: `B ${dir}`, x: fs.map(c => c.layer), y: fs.map(c => num(c.sc_b)), color: PALETTE[i], dash: [6, 4] });
        });
        const t = (r.analysis_a || {}).thresholds || {};
        chart(charts, { title: "spectral centroid per layer, A vs B (kernel 0)", xlabel: "layer", ylabel: "SC", series, integerX: true,
          hlines: [{ v: t.sc_low, label: "sc_low", color: CLASS_COLORS.low }, { v: t.sc_high, label: "sc_high", color: CLASS_COLORS.high }] });
        const ly = r.layers || [];
        chart(charts, { title: "mean ΔSC per layer (B − A)", xlabel: "layer", ylabel: "ΔSC", integerX: true, series: [{ label: "mean ΔSC", x: ly.map(l => l.layer), y: ly.map(l => num(l.mean_d_sc)) }],
          hlines: [{ v: 0, color: "#999" }] });
        box.append(el("h4", { text: "per layer" }), objectTable(ly, { columns: ["layer", "filters", "mean_d_sc", "classes_up", "classes_down", "toward"] }));
        box.append(el("details", {}, el("summary", { text: `every filter (${ch.length})` }), objectTable(ch, { columns: ["filter", "layer", "direction",
          "kind", "index", "sc_a", "sc_b", "d_sc", "lhfr_a", "lhfr_b", "d_log10_lhfr", "class_a", "class_b", "class_shift"] })));
        if ((r.warnings || []).length) box.append(el("div", { class: "problems", text: r.warnings.join("; ") }));
      });
    }
  });

  // Probing: DirectProbe accuracy per layer for several checkpoints side by side, by AST distance, per label.
  // Schema names: "codessm.probing.layers" (probe layers summary; the module may be renamed layer_probe) and
  // "codessm.probe.directprobe" (one DirectProbe run).
  const isLayerSummary = k => /^codessm\.(probing|layer_probe)\.layers$/.test(k);
  const isDirectProbe = k => k === "codessm.probe.directprobe";
  section("probing", "Probing (DirectProbe per layer)", k => isLayerSummary(k) || isDirectProbe(k), (body, docs) => {
    const summaries = docs.filter(d => isLayerSummary(d.kind));
    const rows = [];
    const names = new Map();
    for (const d of summaries) guarded(d, body, () => {
      for (const row of d.data.results || []) {
        // Two summaries can reuse a model name: tell them apart by the folder.
        const nm = summaries.filter(s => (s.data.results || []).some(r => r.model === row.model)).length > 1 ? `${row.model} (${d.root})` : row.model;
        names.set(nm, true);
        rows.push(Object.assign({ name: nm, source: d.path }, row));
      }
    });
    if (summaries.length) body.append(el("div", { class: "meta" }, `${summaries.length} summary file(s): `, summaries.map(d => el("span", { class: "path", text: d.path + " " }))));
    const tasks = [...new Set(rows.map(r => r.task))];
    const models = [...names.keys()];
    for (const task of tasks) {
      const tr = rows.filter(r => r.task === task);
      body.append(el("h3", { text: `task: ${task}` }));
      const charts = el("div", { class: "charts" });
      body.append(charts);
      chart(charts, { title: `${task}: mean accuracy over labels per layer`, xlabel: "layer", ylabel: "accuracy", integerX: true,
        series: models.map((m, i) => { const rr = tr.filter(r => r.name === m); return { label: m, x: rr.map(r => r.layer), y: rr.map(r => r.mean_over_labels), color: PALETTE[i % PALETTE.length] }; }) });
      chart(charts, { title: `${task}: clusters per layer`, xlabel: "layer", ylabel: "clusters", integerX: true,
        series: models.map((m, i) => { const rr = tr.filter(r => r.name === m); return { label: m, x: rr.map(r => r.layer), y: rr.map(r => r.clusters), color: PALETTE[i % PALETTE.length] }; }) });
      if (tr.some(r => r.per_value)) {
        // By AST distance at one layer (chosen), all checkpoints side by side.
        const layers = [...new Set(tr.filter(r => r.per_value).map(r => r.layer))].sort((a, b) => a - b);
        const slot = el("div", {});
        const sel = el("select", { "data-role": "distance-layer" }, layers.map(l => el("option", { value: l, text: `layer ${l}` })));
        sel.value = String(layers[layers.length - 1]);
        const draw = () => {
          slot.textContent = "";
          const L = Number(sel.value);
          chart(slot, { title: `${task}: accuracy by distance at layer ${L}`, xlabel: "AST distance", ylabel: "accuracy",
            series: models.map((m, i) => { const r = tr.find(x => x.name === m && x.layer === L && x.per_value); const pv = r ? r.per_value : [];
              return { label: m, x: pv.map(p => p.value), y: pv.map(p => p.accuracy), color: PALETTE[i % PALETTE.length] }; }) });
        };
        sel.addEventListener("change", draw);
        charts.append(el("div", {}, el("label", {}, "layer", sel), slot));
        draw();
      }
      // Per-label accuracy grid per checkpoint (layer × label), side by side.
      const grids = el("div", { class: "charts" });
      body.append(grids);
      for (const m of models) {
        const rr = tr.filter(r => r.name === m).sort((a, b) => a.layer - b.layer);
        if (!rr.length) continue;
        const labels = [];
        for (const r of rr) for (const p of r.per_label || []) if (!labels.includes(p.label)) labels.push(p.label);
        const t = el("table", { class: "accgrid" }, el("tr", {}, el("th", { text: "layer" }), labels.map(l => el("th", { text: l })),
          el("th", { text: "mean" }), el("th", { text: "overall" })));
        for (const r of rr) {
          const by = new Map((r.per_label || []).map(p => [p.label, p.accuracy]));
          t.append(el("tr", {}, el("th", { text: String(r.layer) }), labels.map(l => {
            const a = by.get(l);
            return el("td", { class: "acc", style: typeof a === "number" ? `background: hsl(${Math.round(120 * a)}, 55%, ${88 - 30 * a}%)` : null, text: pct(a) });
          }), el("td", { class: "num", text: pct(r.mean_over_labels) }), el("td", { class: "num", text: pct(r.overall) })));
        }
        grids.append(el("details", { open: true }, el("summary", { text: `${m}: accuracy per label and layer` }), el("div", { class: "scroll" }, t)));
      }
    }
    const single = docs.filter(d => isDirectProbe(d.kind));
    if (single.length) {
      const tab = single.map(d => { const a = d.data.accuracy || {}, i = d.data.inputs || {};
        return { file: d.path, layer: i.layer, n_train: i.n_train, n_test: i.n_test, dim: i.dim, clusters: (d.data.clusters || {}).count,
                 overall: a.overall, mean_over_labels: a.mean_over_labels }; });
      body.append(el("details", { open: !summaries.length }, el("summary", { text: `single DirectProbe reports (${single.length})` }), objectTable(tab)));
    }
  });

  // Training: metrics.jsonl curves (one chart per record kind and field, one series per run), run reports.
  section("training", "Training (pretraining, fine-tuning)", k => k === "train.metrics" || k.startsWith("train.") || k.startsWith("eval."), (body, docs) => {
    const logs = docs.filter(d => d.kind === "train.metrics");
    const names = shortNames(logs.map(d => d.path.replace(/\/?metrics[^/]*\.jsonl$/, "") || d.path));
    const runName = d => names[logs.indexOf(d)];
    if (logs.length) {
      body.append(el("div", { class: "meta" }, logs.map(d => el("div", {}, el("span", { class: "path", text: d.path }),
        ` · ${d.data.records.length} records` + (d.data.stride > 1 ? ` (every ${d.data.stride}th of ${d.data.lines} lines)` : "")))));
      const kinds = [...new Set(logs.flatMap(d => d.data.records.map(r => r.kind || "record")))];
      for (const kind of kinds) {
        const fields = [];
        for (const d of logs) for (const r of d.data.records) if ((r.kind || "record") === kind)
          for (const [k, v] of Object.entries(r)) if (typeof v === "number" && k !== "step" && !fields.includes(k)) fields.push(k);
        if (!fields.length) continue;
        body.append(el("h3", { text: `${kind} records` }));
        const charts = el("div", { class: "charts" });
        body.append(charts);
        // A field with one value throughout (epoch 0, batches 4) is listed, not drawn.
        const values = f => new Set(logs.flatMap(d => d.data.records.filter(r => (r.kind || "record") === kind && typeof r[f] === "number").map(r => r[f])));
        const constant = fields.filter(f => values(f).size === 1);
        if (constant.length) charts.before(el("div", { class: "note", text: "the same in every record: " + constant.map(f => `${f} = ${fmt([...values(f)][0], 6)}`).join(", ") }));
        for (const field of fields.filter(f => !constant.includes(f))) {
          const series = logs.map((d, i) => { const rs = d.data.records.filter(r => (r.kind || "record") === kind && typeof r[field] === "number" && typeof r.step === "number");
            return { label: runName(d), x: rs.map(r => r.step), y: rs.map(r => r[field]), color: PALETTE[i % PALETTE.length] }; });
          chart(charts, { title: `${kind}: ${field}`, xlabel: "step", ylabel: field, series, width: 380, height: 210, integerX: true });
        }
      }
    }
    // Spectral monitoring (records with "spectral": [{layer, direction, spectral_centroid, lhfr}]): SC of every
    // layer over the steps, per run and direction.
    for (const d of logs) {
      const recs = d.data.records.filter(r => Array.isArray(r.spectral) && r.spectral.length && typeof r.step === "number");
      if (!recs.length) continue;
      body.append(el("h3", { text: `spectral monitoring: ${runName(d)}` }));
      const charts = el("div", { class: "charts" });
      body.append(charts);
      for (const dir of ["forward", "backward"]) {
        const layers = [...new Set(recs.flatMap(r => r.spectral.filter(x => x.direction === dir).map(x => x.layer)))].sort((a, b) => a - b);
        if (!layers.length) continue;
        chart(charts, { title: `${dir} kernels: spectral centroid over training`, xlabel: "step", ylabel: "SC", integerX: true, width: 420,
          series: layers.map((L, i) => { const pts = recs.map(r => [r.step, r.spectral.find(x => x.direction === dir && x.layer === L)]).filter(p => p[1]);
            return { label: `layer ${L}`, x: pts.map(p => p[0]), y: pts.map(p => num(p[1].spectral_centroid)), color: PALETTE[i % PALETTE.length] }; }) });
      }
    }
    for (const d of docs.filter(d => d.kind !== "train.metrics")) {
      const box = docBox(d);
      body.append(box);
      guarded(d, box, () => box.append(genericView(results(d))));
    }
  });

  // Benchmarks: bench JSON as tables.
  // Benchmarks: tokens/s against L for every measurement found in the file (arrays of rows with L and
  // tokens_per_s, as `codessm bench` writes, or {name_L512: {L, tokens_per_s}} as the peer scripts do), one chart
  // per top-level group; then the file's tables.
  function benchSeries(root, fallback) {
    const groups = new Map();
    const add = (group, label, L, t) => {
      if (!groups.has(group)) groups.set(group, new Map());
      const g = groups.get(group);
      if (!g.has(label)) g.set(label, { label, x: [], y: [] });
      g.get(label).x.push(L);
      g.get(label).y.push(t);
    };
    const isRow = r => r && typeof r === "object" && typeof r.L === "number" && typeof r.tokens_per_s === "number";
    const walk = (v, at) => {
      if (Array.isArray(v)) {
        if (v.length && v.every(isRow)) {
          const label = at.slice(1).filter(k => k !== "rows").join("/") || fallback;
          v.forEach(r => add(at.length > 1 ? at[0] : fallback, label, r.L, r.tokens_per_s));
        }
        return;
      }
      if (!v || typeof v !== "object") return;
      if (isRow(v)) {
        add(at.length > 1 ? at[0] : fallback, at.slice(1).join("/").replace(/_L\d+$/, "") || fallback, v.L, v.tokens_per_s);
        return;
      }
      for (const [k, x] of Object.entries(v)) walk(x, at.concat(k));
    };
    walk(root, []);
    return groups;
  }
  section("bench", "Benchmarks", k => k.startsWith("bench"), (body, docs) => {
    for (const d of docs) {
      const box = docBox(d);
      body.append(box);
      guarded(d, box, () => {
        const r = results(d);
        const name = d.path.split("/").pop().replace(/\.json$/, "");
        const groups = benchSeries(r, name);
        const charts = el("div", { class: "charts" });
        box.append(charts);
        for (const [group, series] of groups) {
          const list = [...series.values()];
          chart(charts, { title: `${group}: tokens/s by length`, xlabel: "L (log scale)", ylabel: "tokens/s", width: 560, height: 300, logX: true,
            series: list.slice(0, 16).map((s, i) => Object.assign(s, { color: PALETTE[i % PALETTE.length] })) });
          if (list.length > 16) charts.append(el("div", { class: "note", text: `${group}: first 16 of ${list.length} series drawn` }));
        }
        const rows = Array.isArray(r) ? r : (r && Array.isArray(r.rows) ? r.rows : null);
        const tables = el("div", {});
        if (r && !Array.isArray(r)) tables.append(genericView(Object.fromEntries(Object.entries(r).filter(([k]) => k !== "rows"))));
        if (rows) tables.append(objectTable(rows));
        // A long file (a GPU run) keeps its tables folded under the charts.
        if (groups.size && JSON.stringify(r).length > 4000) box.append(el("details", {}, el("summary", { text: "every field" }), tables));
        else box.append(tables);
      });
    }
  });

  // Everything else (study reports, other envelopes): generic tables.
  const KNOWN = SECTIONS.map(s => s.kinds);
  section("other", "Other results (study and more)", k => !KNOWN.some(f => f(k)), (body, docs) => {
    for (const d of docs) {
      const box = docBox(d);
      body.append(box);
      guarded(d, box, () => {
        const env = d.data;
        if (env && env.command) box.append(el("div", { class: "meta", text: `command: ${env.command}` }));
        box.append(genericView(results(d)));
      });
    }
  });

  // ---- page --------------------------------------------------------------------------------------------
  function render() {
    app.append(el("h1", { text: DATA.title || "codessm report" }));
    app.append(el("div", { class: "meta", text: `${DATA.generator} · ${DATA.created_utc} · ${DATA.documents.length} result files` }));
    const toc = el("nav", { class: "toc" });
    app.append(toc);
    const inputs = el("section", { id: "sec-inputs", "data-section": "inputs" }, el("h2", { text: "Inputs" }));
    app.append(inputs);
    toc.append(el("a", { href: "#sec-inputs", text: "Inputs" }));
    if (DATA.problems.length) {
      inputs.append(el("div", { class: "problems", "data-role": "problems" }, el("strong", { text: `${DATA.problems.length} file(s) could not be used:` }),
        el("ul", {}, DATA.problems.map(p => el("li", { class: "problem" }, el("span", { class: "path", text: p.path }), " " + p.message)))));
    }
    const byKind = {};
    for (const d of DATA.documents) byKind[d.kind] = (byKind[d.kind] || 0) + 1;
    inputs.append(objectTable(Object.entries(byKind).map(([kind, n]) => ({ kind, files: n }))));
    for (const s of SECTIONS) {
      const docs = docsOf(s.kinds);
      const sec = el("section", { id: "sec-" + s.id, "data-section": s.id, "data-state": docs.length ? "filled" : "empty" }, el("h2", { text: s.title }));
      app.append(sec);
      toc.append(el("a", { href: "#sec-" + s.id, class: docs.length ? null : "empty", text: `${s.title} (${docs.length})` }));
      if (!docs.length) { sec.append(el("p", { class: "empty-section", text: "No results of this kind among the inputs." })); continue; }
      try { s.draw(sec, docs); } catch (err) {
        console.warn("codessm report: section " + s.id + ": " + err);
        sec.append(el("div", { class: "problems", text: `This section could not be drawn completely: ${err && err.message || err}` }));
      }
    }
    document.body.setAttribute("data-rendered", "true");
  }
  render();
})();
