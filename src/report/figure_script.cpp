// Figure → gnuplot script + data file. The script draws the same body twice, once per terminal (svg,
// pngcairo), so `gnuplot <stem>.gp` alone regenerates both images; every panel starts by unsetting what
// the previous one may have set, so panels and batched scripts never leak settings into each other.
#include <fmt/format.h>

#include <cmath>

#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "codessm/report/figure.h"

namespace codessm::report {

namespace {

/// A gnuplot double-quoted string (the terminals are noenhanced, so only \ and " need escaping).
std::string quote(const std::string& s) {
  std::string q = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') q += '\\';
    q += (c == '\n') ? ' ' : c;
  }
  return q + "\"";
}

/// Fixed number format so that the same data give byte-identical files; non-finite values are gaps.
std::string num(double v) { return std::isfinite(v) ? fmt::format("{:.9g}", v) : std::string("NaN"); }

const char* style_name(SeriesStyle s) {
  switch (s) {
    case SeriesStyle::kLines: return "lines";
    case SeriesStyle::kPoints: return "points";
    case SeriesStyle::kLinesPoints: return "linespoints";
    case SeriesStyle::kImpulses: return "impulses";
  }
  return "lines";
}

/// Appends data blocks and the plot commands of one panel. `block` counts gnuplot index blocks.
class ScriptBuilder {
 public:
  ScriptBuilder(std::string data_name) : data_name_(std::move(data_name)) {}

  void line_panel(const LinePanel& p) {
    preamble(p.title, p.xlabel, p.ylabel);
    if (p.key_position == "off") body_ += "unset key\n";
    else body_ += "set key " + p.key_position + " opaque box\n";
    body_ += "set grid\n";
    if (p.log_y) body_ += "set logscale y\n";
    if (p.x_range) body_ += fmt::format("set xrange [{}:{}]\n", num(p.x_range->first), num(p.x_range->second));
    if (p.y_range) body_ += fmt::format("set yrange [{}:{}]\n", num(p.y_range->first), num(p.y_range->second));
    if (!p.x_tick_labels.empty()) {
      std::string tics;
      for (size_t i = 0; i < p.x_tick_labels.size(); ++i)
        tics += fmt::format("{}{} {}", i ? ", " : "", quote(p.x_tick_labels[i]), i);
      body_ += "set xtics (" + tics + ")\n";
    }
    int arrow = 1;
    for (auto& r : p.ref_lines) {
      if (r.vertical)
        body_ += fmt::format("set arrow {} from first {}, graph 0 to first {}, graph 1 nohead dt 2 lc rgb {}\n", arrow,
                             num(r.at), num(r.at), quote(r.color));
      else
        body_ += fmt::format("set arrow {} from graph 0, first {} to graph 1, first {} nohead dt 2 lc rgb {}\n", arrow,
                             num(r.at), num(r.at), quote(r.color));
      if (!r.label.empty())
        body_ += r.vertical ? fmt::format("set label {} {} at first {}, graph 0.04 left offset 0.5,0 tc rgb {}\n",
                                          arrow, quote(r.label), num(r.at), quote(r.color))
                            : fmt::format("set label {} {} at graph 0.01, first {} left offset 0,0.6 tc rgb {}\n",
                                          arrow, quote(r.label), num(r.at), quote(r.color));
      ++arrow;
    }
    std::vector<std::string> plots;
    for (auto& s : p.series) {
      CODESSM_REQUIRE(s.x.size() == s.y.size(), UsageError,
                      "figure series '{}' has {} x values but {} y values", s.title, s.x.size(), s.y.size());
      if (s.x.empty()) continue;
      for (size_t i = 0; i < s.x.size(); ++i) data_ += num(s.x[i]) + " " + num(s.y[i]) + "\n";
      std::string cmd = fmt::format("{} index {} using 1:2 with {}", quote(data_name_), end_block(), style_name(s.style));
      if (s.style != SeriesStyle::kPoints) cmd += fmt::format(" lw {}", num(s.line_width));
      if (s.style == SeriesStyle::kPoints || s.style == SeriesStyle::kLinesPoints)
        cmd += fmt::format(" pt {} ps {}", s.point_type, num(s.point_size));
      if (!s.color.empty()) cmd += " lc rgb " + quote(s.color);
      cmd += s.title.empty() ? " notitle" : " title " + quote(s.title);
      plots.push_back(cmd);
    }
    if (plots.empty()) {  // nothing to draw: an empty frame that says so instead of a gnuplot error
      body_ += "set label 99 \"no data\" at graph 0.5, graph 0.5 center\n";
      if (!p.x_range) body_ += "set xrange [0:1]\n";
      if (!p.y_range) body_ += "set yrange [0:1]\n";
      plots.push_back("-1e30 notitle");
    }
    body_ += "plot " + join(plots) + "\n";
  }

  void heatmap_panel(const HeatmapPanel& p) {
    const size_t rows = p.cells.size();
    const size_t cols = rows ? p.cells[0].size() : 0;
    CODESSM_REQUIRE(p.row_labels.size() == rows && p.col_labels.size() == cols, UsageError,
                    "heat map '{}': {} row labels and {} column labels for a {}x{} grid", p.title,
                    p.row_labels.size(), p.col_labels.size(), rows, cols);
    CODESSM_REQUIRE(p.categories.size() == p.category_colors.size() && !p.categories.empty(), UsageError,
                    "heat map '{}': needs one colour per category ({} categories, {} colours)", p.title,
                    p.categories.size(), p.category_colors.size());
    preamble(p.title, p.xlabel, p.ylabel);
    // Category i is drawn at cb = i + 0.5 from a palette that is constant on [i, i+1): exact colours, no
    // interpolation. Missing cells (-1) get an extra grey band at the end.
    const int ncat = static_cast<int>(p.categories.size());
    std::string pal;
    for (int i = 0; i <= ncat; ++i) {
      const std::string c = i < ncat ? p.category_colors[i] : std::string("#d0d0d0");
      pal += fmt::format("{}{} {}, {} {}", i ? ", " : "", i, quote(c), i + 1, quote(c));
    }
    body_ += "set palette defined (" + pal + ")\n";
    body_ += fmt::format("set cbrange [0:{}]\nunset colorbox\n", ncat + 1);
    body_ += fmt::format("set xrange [-0.5:{}]\nset yrange [{}:-0.5]\n", num(cols - 0.5), num(rows - 0.5));
    std::string xt, yt;
    for (size_t c = 0; c < cols; ++c) xt += fmt::format("{}{} {}", c ? ", " : "", quote(p.col_labels[c]), c);
    for (size_t r = 0; r < rows; ++r) yt += fmt::format("{}{} {}", r ? ", " : "", quote(p.row_labels[r]), r);
    body_ += "set xtics (" + xt + ") scale 0\nset ytics (" + yt + ") scale 0\n";
    body_ += "set key outside right top\n";
    const bool text = !p.cell_text.empty();
    for (size_t r = 0; r < rows; ++r) {
      CODESSM_REQUIRE(p.cells[r].size() == cols, UsageError, "heat map '{}': row {} has {} cells, row 0 has {}",
                      p.title, r, p.cells[r].size(), cols);
      for (size_t c = 0; c < cols; ++c) {
        const int v = p.cells[r][c];
        const int band = (v >= 0 && v < ncat) ? v : ncat;
        std::string t = text && r < p.cell_text.size() && c < p.cell_text[r].size() ? p.cell_text[r][c] : "";
        data_ += fmt::format("{} {} {} {}\n", c, r, num(band + 0.5), quote(t));
      }
    }
    const size_t b = end_block();
    std::vector<std::string> plots;
    plots.push_back(fmt::format("{} index {} using 1:2:3 with image notitle", quote(data_name_), b));
    if (text) plots.push_back(fmt::format("{} index {} using 1:2:4 with labels notitle", quote(data_name_), b));
    for (int i = 0; i < ncat; ++i)
      plots.push_back(fmt::format("keyentry with boxes fs solid 1.0 lc rgb {} title {}", quote(p.category_colors[i]),
                                  quote(p.categories[i])));
    body_ += "plot " + join(plots) + "\n";
  }

  const std::string& body() const { return body_; }
  const std::string& data() const { return data_; }

 private:
  void preamble(const std::string& title, const std::string& xlabel, const std::string& ylabel) {
    body_ +=
        "unset title\nunset xlabel\nunset ylabel\nunset logscale\nunset arrow\nunset label\nunset grid\n"
        "set autoscale\nset xtics autofreq\nset ytics autofreq\nset tics scale default\nset key default\n";
    if (!title.empty()) body_ += "set title " + quote(title) + "\n";
    if (!xlabel.empty()) body_ += "set xlabel " + quote(xlabel) + "\n";
    if (!ylabel.empty()) body_ += "set ylabel " + quote(ylabel) + "\n";
  }
  /// Closes the current data block (two blank lines separate gnuplot index blocks); returns its index.
  size_t end_block() {
    data_ += "\n\n";
    return block_++;
  }
  static std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (size_t i = 0; i < v.size(); ++i) s += (i ? ", \\\n     " : "") + v[i];
    return s;
  }

  std::string data_name_;
  std::string body_, data_;
  size_t block_ = 0;
};

}  // namespace

FigureFiles write_figure_script(const Figure& fig, const fs::path& dir, const std::string& stem) {
  CODESSM_REQUIRE(static_cast<int>(fig.panels.size()) <= fig.rows * fig.cols, UsageError,
                  "figure '{}': {} panels do not fit a {}x{} layout", stem, fig.panels.size(), fig.rows, fig.cols);
  FigureFiles f;
  f.script = dir / (stem + ".gp");
  f.data = dir / (stem + ".dat");
  f.svg = dir / (stem + ".svg");
  f.png = dir / (stem + ".png");

  ScriptBuilder b(f.data.filename().string());
  for (auto& p : fig.panels) {
    if (auto* lp = std::get_if<LinePanel>(&p)) b.line_panel(*lp);
    else b.heatmap_panel(std::get<HeatmapPanel>(p));
  }
  const bool multi = fig.panels.size() > 1 || !fig.title.empty();
  const std::string open =
      multi ? fmt::format("set multiplot layout {},{}{}\n", fig.rows, fig.cols,
                          fig.title.empty() ? std::string() : " title " + quote(fig.title) + " font \",13\"")
            : std::string();
  const std::string close = multi ? "unset multiplot\n" : "";

  std::string gp = fmt::format(
      "# codessm figure '{}' (written by codessm report/figure; data in {}).\n"
      "# Regenerate both images with: gnuplot {}\n",
      stem, f.data.filename().string(), f.script.filename().string());
  const std::pair<const char*, const char*> terms[] = {
      {"svg size {},{} noenhanced font \"Sans,11\" background rgb \"white\"", ".svg"},
      {"pngcairo size {},{} noenhanced font \"Sans,10\" background rgb \"white\"", ".png"}};
  for (auto& [term, ext] : terms) {
    gp += "reset\n";
    gp += "set terminal " + fmt::format(fmt::runtime(term), fig.width, fig.height) + "\n";
    gp += "set output " + quote(stem + ext) + "\n";
    gp += open + b.body() + close;
    gp += "unset output\n";
  }
  core::ensure_dir(dir);
  core::write_file_atomic(f.data, b.data());
  core::write_file_atomic(f.script, gp);
  return f;
}

}  // namespace codessm::report
