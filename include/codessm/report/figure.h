// Figures through one route: gnuplot. A Figure (line panels with several series and markers, categorical
// heat-map grids, laid out as a multi-panel grid) is written as `<stem>.dat` (all data, one gnuplot index
// block per series/grid) plus `<stem>.gp` (a self-contained script that draws `<stem>.svg` and `<stem>.png`).
// render_figures() then runs gnuplot on the scripts. Where gnuplot is absent (the GPU machine) the script
// and data stay, a warning is logged, and nothing fails: `gnuplot <stem>.gp` in that folder makes the images
// later. Output is deterministic: numbers are printed with a fixed format, and nothing depends on the time.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace codessm::report {

namespace fs = std::filesystem;

/// How a series is drawn.
enum class SeriesStyle { kLines, kPoints, kLinesPoints, kImpulses };

/// gnuplot point types used by codessm's figures (gnuplot's numbering).
inline constexpr int kPointCircle = 7;    ///< filled circle
inline constexpr int kPointTriangle = 9;  ///< filled upward triangle
inline constexpr int kPointSquare = 5;    ///< filled square
inline constexpr int kPointDiamond = 13;  ///< filled diamond

/// One curve (or set of markers) of a line panel. Non-finite y values are written as NaN (gaps).
struct Series {
  std::string title;                 ///< legend entry; empty = not in the legend
  std::vector<double> x, y;          ///< same length
  SeriesStyle style = SeriesStyle::kLines;
  std::string color;                 ///< "#RRGGBB"; empty = gnuplot's default cycle
  int point_type = kPointCircle;
  double point_size = 1.0;
  double line_width = 1.5;
};

/// A horizontal or vertical reference line (e.g. a class threshold).
struct RefLine {
  bool vertical = false;
  double at = 0;
  std::string label;                 ///< drawn next to the line; empty = none
  std::string color = "#808080";
};

/// An x-y plot with any number of series.
struct LinePanel {
  std::string title, xlabel, ylabel;
  std::vector<Series> series;
  std::vector<RefLine> ref_lines;
  std::optional<std::pair<double, double>> x_range, y_range;  ///< empty = autoscale
  bool log_y = false;
  /// Categorical x axis: tick i (at x = i) is labelled x_tick_labels[i]. Empty = numeric ticks.
  std::vector<std::string> x_tick_labels;
  std::string key_position = "top right";  ///< gnuplot `set key` position; "off" hides the legend
};

/// A grid of categorical cells: cells[r][c] is an index into `categories` (-1 = missing, drawn grey).
/// Row 0 is drawn at the top.
struct HeatmapPanel {
  std::string title, xlabel, ylabel;
  std::vector<std::string> row_labels, col_labels;
  std::vector<std::string> categories;        ///< legend names, one per category index
  std::vector<std::string> category_colors;   ///< "#RRGGBB", one per category
  std::vector<std::vector<int>> cells;        ///< [rows][cols]
  std::vector<std::vector<std::string>> cell_text;  ///< optional text per cell ([rows][cols] or empty)
};

using Panel = std::variant<LinePanel, HeatmapPanel>;

/// Panels laid out row-major on a rows × cols grid, under an optional title.
struct Figure {
  std::string title;
  int rows = 1, cols = 1;
  int width = 900, height = 600;  ///< pixels (PNG) / SVG user units
  std::vector<Panel> panels;
};

/// The files of one figure: the script and data are always written; svg/png exist after rendering.
struct FigureFiles {
  fs::path script, data, svg, png;
};

/// Writes `<dir>/<stem>.dat` and `<dir>/<stem>.gp` atomically (the folder is created). Throws UsageError for
/// an inconsistent figure (more panels than grid cells, x/y of different lengths, ragged heat-map rows).
FigureFiles write_figure_script(const Figure& fig, const fs::path& dir, const std::string& stem);

/// What render_figures() did.
struct RenderResult {
  bool gnuplot_found = false;
  int rendered = 0;       ///< figures with both an SVG and a PNG afterwards
  int failed = 0;         ///< figures gnuplot did not produce (see `log`)
  std::string message;    ///< one line for the user; empty when everything rendered
  fs::path log;           ///< gnuplot's stderr/stdout (`gnuplot.log` next to the scripts), when run
};

/// Runs gnuplot on the scripts (one process per folder and per batch of scripts, so hundreds of figures
/// cost a few process starts). Never throws for gnuplot problems: when gnuplot is missing or fails it logs a
/// warning, keeps the scripts and data, and says so in the result.
RenderResult render_figures(const std::vector<FigureFiles>& figures);

/// The gnuplot executable to use: $CODESSM_GNUPLOT when set ("none" or "" disables rendering), else
/// `gnuplot` found on $PATH; empty when there is none.
std::string find_gnuplot();

}  // namespace codessm::report
