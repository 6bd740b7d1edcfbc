// Figures: the layer × direction class grid (SSM-Interpret Fig. 5/8), per filter the kernel and its magnitude
// spectrum with the dominant frequency (circle) and centroid (triangle) marked (Fig. 6), magnitude and phase
// per layer (CodeSSM App. F: forward left, backward right), and for --compare SC per layer of both checkpoints.
#include "interpret_figures.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "report_grid.h"

namespace codessm::interpret::detail {

namespace {

using report::Figure;
using report::HeatmapPanel;
using report::LinePanel;
using report::Series;
using report::SeriesStyle;

const char* kClassColors[] = {"#1f77b4", "#2ca02c", "#d62728"};  // low, band, high
const char* kSeriesColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"};

HeatmapPanel class_grid_panel(const InterpretResult& r, const std::string& title) {
  const auto g = build_class_grid(r);
  HeatmapPanel p;
  p.title = title;
  p.xlabel = "filter";
  p.ylabel = "layer";
  p.categories = {"low-pass", "band-pass", "high-pass"};
  p.category_colors.assign(std::begin(kClassColors), std::end(kClassColors));
  for (auto& c : g.columns) p.col_labels.push_back(c.label);
  for (auto l : g.layers) p.row_labels.push_back(fmt::format("layer {}", l));
  for (auto& row : g.cells) {
    std::vector<int> cells;
    std::vector<std::string> text;
    for (auto& c : row) {
      cells.push_back(c.cls == FilterClass::kUndefined ? -1 : static_cast<int>(c.cls));
      text.push_back(c.short_text);
    }
    p.cells.push_back(cells);
    p.cell_text.push_back(text);
  }
  return p;
}

Figure class_grid_figure(const InterpretResult& r, const std::string& title) {
  Figure f;
  f.panels.push_back(class_grid_panel(r, title));
  const auto& p = std::get<HeatmapPanel>(f.panels[0]);
  f.width = std::max<int>(520, 260 + 110 * static_cast<int>(p.col_labels.size()));
  f.height = std::max<int>(320, 130 + 34 * static_cast<int>(p.row_labels.size()));
  return f;
}

/// Magnitude at frequency f by linear interpolation between bins (where the centroid marker sits).
double magnitude_at(const FilterReport& fr, double f) {
  const auto& x = fr.frequency;
  if (x.empty() || !std::isfinite(f)) return std::nan("");
  auto it = std::upper_bound(x.begin(), x.end(), f);
  if (it == x.begin()) return fr.magnitude.front();
  if (it == x.end()) return fr.magnitude.back();
  const size_t k = it - x.begin();
  const double t = (f - x[k - 1]) / (x[k] - x[k - 1]);
  return fr.magnitude[k - 1] * (1 - t) + fr.magnitude[k] * t;
}

Figure kernel_figure(const FilterReport& fr, const InterpretResult& r) {
  Figure fig;
  fig.title = fmt::format("{} ({}), L = {}{}", fr.label(), fr.tensor_prefix, fr.kind == FilterKind::kSsm ? r.length : 3,
                          r.include_skip && fr.kind == FilterKind::kSsm ? ", with D·δ₀" : "");
  fig.cols = 2;
  fig.width = 1100;
  fig.height = 430;
  LinePanel time;
  Series k;
  k.x = fr.time_x;
  k.y = fr.time_y;
  k.color = kSeriesColors[0];
  if (fr.kind == FilterKind::kConv) {
    time.title = "mean taps h[m] of the group (y[t] = Σ h[m] x[t−m])";
    time.xlabel = "m";
    time.x_range = std::make_pair(-1.5, 1.5);
    k.style = SeriesStyle::kImpulses;
    k.line_width = 3;
  } else {
    time.title = "kernel K[l]";
    time.x_range = std::make_pair(0.0, static_cast<double>(r.length - 1));
    time.xlabel = fr.direction == Direction::kForward ? "lag l (acts on past token t−l)" : "lag l (acts on future token t+l)";
  }
  time.key_position = "off";
  time.series.push_back(k);
  time.ref_lines.push_back({false, 0.0, ""});
  fig.panels.push_back(time);

  LinePanel spec;
  const auto& m = fr.metrics;
  spec.title = fmt::format("|X(f)|: SC {:.3f} ({}), LHFR {:.3g} ({}), f_dom {:.3f} ({}) → {}", m.centroid,
                           to_string(fr.by_sc), m.lhfr, to_string(fr.by_lhfr), m.dominant_frequency,
                           to_string(fr.by_dominant), to_string(fr.combined));
  spec.xlabel = "frequency (cycles/sample)";
  spec.ylabel = "magnitude";
  spec.x_range = std::make_pair(0.0, 0.5);
  Series mag;
  mag.title = "|X(f)|";
  mag.x = fr.frequency;
  mag.y = fr.magnitude;
  mag.color = kSeriesColors[0];
  spec.series.push_back(mag);
  if (fr.ok()) {
    Series dom;
    dom.title = "dominant frequency";
    dom.x = {m.dominant_frequency};
    dom.y = {m.dominant_magnitude};
    dom.style = SeriesStyle::kPoints;
    dom.point_type = report::kPointCircle;
    dom.point_size = 2.0;
    dom.color = kSeriesColors[1];
    spec.series.push_back(dom);
    Series sc;
    sc.title = "spectral centroid";
    sc.x = {m.centroid};
    sc.y = {magnitude_at(fr, m.centroid)};
    sc.style = SeriesStyle::kPoints;
    sc.point_type = report::kPointTriangle;
    sc.point_size = 2.0;
    sc.color = kSeriesColors[2];
    spec.series.push_back(sc);
  }
  spec.ref_lines.push_back({true, r.thresholds.sc_low, "SC low"});
  spec.ref_lines.push_back({true, r.thresholds.sc_high, "SC high"});
  fig.panels.push_back(spec);
  return fig;
}

/// Magnitude (top) and phase (bottom) of the layer's SSM kernels, forward left and backward right.
Figure layer_figure(int64_t layer, const std::vector<const FilterReport*>& filters, const InterpretResult& r,
                    int64_t max_series) {
  Figure fig;
  fig.title = fmt::format("layer {}: S4D kernel spectra, L = {}", layer, r.length);
  fig.rows = 2;
  fig.cols = 2;
  fig.width = 1100;
  fig.height = 760;
  for (const bool phase : {false, true})
    for (const Direction d : {Direction::kForward, Direction::kBackward}) {
      LinePanel p;
      p.title = fmt::format("{} {}", to_string(d), phase ? "phase" : "magnitude");
      p.xlabel = "frequency (cycles/sample)";
      p.ylabel = phase ? "phase (rad)" : "|X(f)|";
      p.x_range = std::make_pair(0.0, 0.5);
      if (phase) p.y_range = std::make_pair(-M_PI, M_PI);
      int64_t n = 0;
      for (auto* f : filters) {
        if (f->direction != d || n >= max_series) continue;
        Series s;
        s.title = f->block_size > 1 ? fmt::format("k{} ({})", f->index, to_string(f->combined)) : to_string(f->combined);
        s.x = f->frequency;
        s.y = phase ? f->phase : f->magnitude;
        s.color = kSeriesColors[n % 8];
        s.line_width = 1.2;
        p.series.push_back(s);
        ++n;
      }
      fig.panels.push_back(p);
    }
  return fig;
}

}  // namespace

std::vector<report::FigureFiles> write_interpret_figures(const InterpretResult& r, const std::filesystem::path& dir,
                                                         const ReportOptions& opts) {
  std::vector<report::FigureFiles> out;
  out.push_back(report::write_figure_script(
      class_grid_figure(r, fmt::format("combined class per layer and filter (L = {})", r.length)), dir, "class_grid"));
  int64_t kernel_figs = 0;
  std::map<int64_t, std::vector<const FilterReport*>> by_layer;
  for (auto& f : r.filters) {
    if (f.time_y.empty()) continue;  // curves not kept
    if (f.kind == FilterKind::kSsm) by_layer[f.layer].push_back(&f);
    if (kernel_figs < opts.max_kernel_figures) {
      out.push_back(report::write_figure_script(kernel_figure(f, r), dir, "kernel_" + filter_stem(f)));
      ++kernel_figs;
    }
  }
  for (auto& [layer, fs] : by_layer)
    out.push_back(report::write_figure_script(layer_figure(layer, fs, r, opts.max_series), dir,
                                              fmt::format("layer_{:02d}", layer)));
  return out;
}

std::vector<report::FigureFiles> write_compare_figures(const CompareResult& c, const InterpretResult& a,
                                                       const InterpretResult& b, const std::filesystem::path& dir) {
  Figure fig;
  fig.width = 900;
  fig.height = 520;
  LinePanel p;
  p.title = fmt::format("spectral centroid per layer (mean over kernels), L = {} / {}", c.length_a, c.length_b);
  p.xlabel = "layer";
  p.ylabel = "SC (cycles/sample)";
  p.key_position = "outside right top";
  p.ref_lines.push_back({false, a.thresholds.sc_low, "low | band"});
  p.ref_lines.push_back({false, a.thresholds.sc_high, "band | high"});
  const int64_t layers = std::max(a.model.layers, b.model.layers);
  for (int64_t l = 0; l < layers; ++l) p.x_tick_labels.push_back(std::to_string(l));
  p.x_range = std::make_pair(-0.5, layers - 0.5);
  int color = 0;
  for (auto [res, name] : {std::make_pair(&a, "A"), std::make_pair(&b, "B")})
    for (const Direction d : {Direction::kForward, Direction::kBackward}) {
      std::map<int64_t, std::pair<double, int>> mean;  // layer → (sum, n)
      for (auto& f : res->filters)
        if (f.kind == FilterKind::kSsm && f.direction == d && std::isfinite(f.metrics.centroid)) {
          mean[f.layer].first += f.metrics.centroid;
          mean[f.layer].second += 1;
        }
      Series s;
      s.title = fmt::format("{} {}", name, to_string(d));
      for (auto& [l, sn] : mean) {
        s.x.push_back(static_cast<double>(l));
        s.y.push_back(sn.first / sn.second);
      }
      s.style = SeriesStyle::kLinesPoints;
      s.point_type = d == Direction::kForward ? report::kPointCircle : report::kPointTriangle;
      s.point_size = name[0] == 'A' ? 1.8 : 1.0;  // A's markers larger, so equal values stay visible
      s.color = kSeriesColors[color++];
      p.series.push_back(s);
    }
  fig.panels.push_back(p);
  std::vector<report::FigureFiles> out;
  out.push_back(report::write_figure_script(fig, dir, "sc_compare"));
  out.push_back(report::write_figure_script(class_grid_figure(a, "A: " + a.source), dir, "class_grid_a"));
  out.push_back(report::write_figure_script(class_grid_figure(b, "B: " + b.source), dir, "class_grid_b"));
  return out;
}

}  // namespace codessm::interpret::detail
