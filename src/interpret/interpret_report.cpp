// JSON, Markdown and CSV of an analysis and of a comparison (figures: interpret_figures.cpp).
#include "codessm/interpret/interpret_report.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "codessm/core/io.h"
#include "codessm/interpret/result_json.h"
#include "codessm/report/report.h"
#include "interpret_figures.h"
#include "report_grid.h"

namespace codessm::interpret {

namespace {

std::string num(double v, int digits = 4) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return fmt::format("{:.{}g}", v, digits);
}

report::Table filter_table(const InterpretResult& r) {
  report::Table t;
  t.header = {"layer", "direction", "kind", "index", "status", "dominant_frequency", "spectral_centroid", "lhfr",
              "class_sc", "class_lhfr", "class_combined", "class_dominant", "sc_lhfr_disagree", "D_or_bias"};
  for (auto& f : r.filters)
    t.rows.push_back({std::to_string(f.layer), to_string(f.direction), to_string(f.kind), std::to_string(f.index),
                      f.status, num(f.metrics.dominant_frequency, 6), num(f.metrics.centroid, 6), num(f.metrics.lhfr, 6),
                      to_string(f.by_sc), to_string(f.by_lhfr), to_string(f.combined), to_string(f.by_dominant),
                      f.disagree() ? "1" : "0", num(f.kind == FilterKind::kSsm ? f.skip_D : f.bias_mean, 6)});
  return t;
}

std::string header_markdown(const InterpretResult& r) {
  const auto& t = r.thresholds;
  std::string s = fmt::format("Source: `{}`", r.source);
  if (!r.model.preset.empty()) s += fmt::format(" (preset `{}`)", r.model.preset);
  s += fmt::format(
      "\n\nKernel length L = **{}** (from {}), {}; sample rate 1, so frequencies run over 0…0.5 cycles/sample "
      "({} rfft bins). LHFR bands: low = bins [0, {}), high = bins [{}, {}).\n\n"
      "Classes: SC < {:.4g} low, SC > {:.4g} high; LHFR > {:.4g} low, LHFR < {:.4g} high; else band. Combined: {}.\n",
      r.length, r.length_source, r.include_skip ? "skip term D·δ₀ **included**" : "skip term D·δ₀ not included",
      r.bins.bins, r.bins.low_count, r.bins.high_begin, r.bins.bins, t.sc_low, t.sc_high, t.lhfr_low, t.lhfr_high,
      combine_rule_text());
  if (r.model.hf_conv)
    s += fmt::format("\nHF conv groups: mean |H| over each group's channel pairs on a {}-point grid.\n", r.fir_length);
  return s;
}

}  // namespace

std::string class_table_markdown(const InterpretResult& r) {
  const auto g = detail::build_class_grid(r);
  report::Table t;
  t.header.push_back("layer");
  for (auto& c : g.columns) t.header.push_back(c.label);
  t.header.push_back("complementary pairs");
  for (size_t i = 0; i < g.layers.size(); ++i) {
    std::vector<std::string> row{std::to_string(g.layers[i])};
    for (auto& c : g.cells[i]) row.push_back(c.text);
    std::vector<std::string> pairs;
    for (auto& p : r.pairs)
      if (p.layer == g.layers[i] && p.complementary())
        pairs.push_back(fmt::format("{}{} {}/{}{}", p.kind == FilterKind::kConv ? "conv g" : "k", p.index,
                                    to_string(p.forward), to_string(p.backward), p.low_high() ? " (low↔high)" : ""));
    row.push_back(pairs.empty() ? "–" : fmt::format("{}", fmt::join(pairs, "; ")));
    t.rows.push_back(row);
  }
  return t.to_markdown();
}

ReportFiles write_interpret_report(const InterpretResult& r, const fs::path& out, const ReportOptions& opts) {
  core::ensure_dir(out);
  ReportFiles files;
  files.json = out / "interpret.json";
  files.markdown = out / "interpret.md";
  files.csv = out / "interpret.csv";
  report::write_json(files.json, report::make_envelope(kKernelsSchema, kKernelsSchemaVersion, to_json(r, opts.max_json_curves), opts.command));
  const auto table = filter_table(r);
  report::write_text(files.csv, table.to_csv());

  std::string md = "# Spectral analysis of the SSM kernels\n\n" + header_markdown(r);
  md += "\n## Classes per layer (combined rule)\n\n" + class_table_markdown(r);
  md += "\n## Every filter\n\n" + table.to_markdown();
  const auto dis = r.disagreements();
  md += fmt::format("\n## SC and LHFR disagree ({} of {} filters)\n\n", dis.size(), r.filters.size());
  if (dis.empty()) md += "None.\n";
  for (auto* f : dis)
    md += fmt::format("- {}: SC says {} (SC {}), LHFR says {} (LHFR {}) → combined {}\n", f->label(),
                      to_string(f->by_sc), num(f->metrics.centroid), to_string(f->by_lhfr), num(f->metrics.lhfr),
                      to_string(f->combined));
  int differs = 0;
  std::string dom;
  for (auto& f : r.filters)
    if (f.ok() && f.by_dominant != f.combined) {
      ++differs;
      dom += fmt::format("- {}: dominant frequency {} → {}, combined {}\n", f.label(), num(f.metrics.dominant_frequency),
                         to_string(f.by_dominant), to_string(f.combined));
    }
  md += fmt::format("\n## Dominant-frequency class differs from the combined class ({} filters)\n\n{}", differs,
                    differs ? dom : "None.\n");
  const auto bad = r.problems();
  if (!bad.empty()) {
    md += fmt::format("\n## Filters without a class ({})\n\n", bad.size());
    for (auto* f : bad) md += fmt::format("- {} ({}): {}\n", f->label(), f->status, fmt::join(f->problems, "; "));
  }
  if (opts.figures) {
    files.figures = detail::write_interpret_figures(r, out / "figures", opts);
    files.render = report::render_figures(files.figures);
    md += "\n## Figures\n\n- `figures/class_grid.png`: layer × direction class grid\n"
          "- `figures/layer_<i>.png`: magnitude and phase per layer\n"
          "- `figures/kernel_<layer>_<dir>….png`: kernel in time and its magnitude spectrum (circle: dominant "
          "frequency, triangle: spectral centroid)\n";
    if (!files.render.message.empty()) md += "\n" + files.render.message + "\n";
  }
  report::write_text(files.markdown, md);
  return files;
}

ReportFiles write_compare_report(const CompareResult& c, const InterpretResult& a, const InterpretResult& b,
                                 const fs::path& out, const ReportOptions& opts) {
  core::ensure_dir(out);
  ReportFiles files;
  files.json = out / "compare.json";
  files.markdown = out / "compare.md";
  files.csv = out / "compare.csv";
  nlohmann::json res = to_json(c);
  res["analysis_a"] = to_json(a);
  res["analysis_b"] = to_json(b);
  report::write_json(files.json, report::make_envelope(kCompareSchema, kCompareSchemaVersion, res, opts.command));

  report::Table t;
  t.header = {"layer", "direction", "kind", "index", "sc_a", "sc_b", "d_sc", "lhfr_a", "lhfr_b", "d_log10_lhfr",
              "class_a", "class_b", "class_shift"};
  for (auto& ch : c.changes)
    t.rows.push_back({std::to_string(ch.layer), to_string(ch.direction), to_string(ch.kind), std::to_string(ch.index),
                      num(ch.sc_a, 6), num(ch.sc_b, 6), num(ch.d_sc(), 6), num(ch.lhfr_a, 6), num(ch.lhfr_b, 6),
                      num(ch.d_log10_lhfr(), 6), to_string(ch.class_a), to_string(ch.class_b),
                      std::to_string(ch.class_shift())});
  report::write_text(files.csv, t.to_csv());

  std::string md = fmt::format("# Spectral shift\n\nA: `{}` (L = {})\n\nB: `{}` (L = {})\n\n", c.source_a, c.length_a,
                               c.source_b, c.length_b);
  for (auto& w : c.warnings) md += "**Warning:** " + w + "\n\n";
  const auto hi = c.layers_toward_high(), lo = c.layers_toward_low();
  md += fmt::format(
      "## Summary\n\nLayers whose mean SC rose by more than {} cycles/sample (toward high frequency): {}.\n\n"
      "Layers whose mean SC fell by more than that (toward low frequency): {}.\n\n",
      c.options.sc_epsilon, hi.empty() ? "none" : fmt::format("{}", fmt::join(hi, ", ")),
      lo.empty() ? "none" : fmt::format("{}", fmt::join(lo, ", ")));
  report::Table lt;
  lt.header = {"layer", "filters", "mean ΔSC", "classes toward high", "classes toward low", "toward"};
  for (auto& l : c.layers)
    lt.rows.push_back({std::to_string(l.layer), std::to_string(l.filters), num(l.mean_d_sc), std::to_string(l.classes_up),
                       std::to_string(l.classes_down), l.toward});
  md += lt.to_markdown();
  report::Table ct;
  ct.header = {"filter", "SC A", "SC B", "ΔSC", "LHFR A", "LHFR B", "class A → B"};
  for (auto& ch : c.changes)
    ct.rows.push_back({ch.label, num(ch.sc_a), num(ch.sc_b), num(ch.d_sc()), num(ch.lhfr_a), num(ch.lhfr_b),
                       to_string(ch.class_a) + " → " + to_string(ch.class_b) + (ch.class_shift() ? " *" : "")});
  md += "\n## Per filter (* = class changed)\n\n" + ct.to_markdown();
  if (!c.unmatched.empty()) md += fmt::format("\n## Unmatched filters\n\n- {}\n", fmt::join(c.unmatched, "\n- "));
  if (opts.figures) {
    files.figures = detail::write_compare_figures(c, a, b, out / "figures");
    files.render = report::render_figures(files.figures);
    md += "\n## Figures\n\n- `figures/sc_compare.png`: SC per layer of both checkpoints\n"
          "- `figures/class_grid_a.png`, `figures/class_grid_b.png`: the class grids\n";
    if (!files.render.message.empty()) md += "\n" + files.render.message + "\n";
  }
  report::write_text(files.markdown, md);
  return files;
}

}  // namespace codessm::interpret
