#include "report_grid.h"

#include <fmt/format.h>

#include <array>
#include <map>
#include <set>
#include <tuple>

namespace codessm::interpret::detail {

namespace {

const char* dir_short(Direction d) { return d == Direction::kForward ? "fwd" : "bwd"; }

}  // namespace

std::string filter_stem(const FilterReport& f) {
  std::string s = fmt::format("L{:02d}_{}", f.layer, dir_short(f.direction));
  if (f.kind == FilterKind::kConv) return s + fmt::format("_conv_g{}", f.index);
  return f.block_size > 1 ? s + fmt::format("_k{}", f.index) : s;
}

ClassGrid build_class_grid(const InterpretResult& r) {
  using ColKey = std::tuple<int, int, int64_t>;  // kind, direction, index (−1 = whole block)
  std::map<std::tuple<int, int>, int64_t> block_size;
  std::set<int64_t> layers;
  for (auto& f : r.filters) {
    block_size[{static_cast<int>(f.kind), static_cast<int>(f.direction)}] = f.block_size;
    layers.insert(f.layer);
  }
  auto col_key = [&](const FilterReport& f) {
    const bool whole = f.block_size > kMaxIndexColumns;
    return ColKey{static_cast<int>(f.kind), static_cast<int>(f.direction), whole ? -1 : f.index};
  };
  std::set<ColKey> keys;
  for (auto& f : r.filters) keys.insert(col_key(f));

  ClassGrid g;
  g.layers.assign(layers.begin(), layers.end());
  std::map<ColKey, size_t> col_of;
  for (auto& k : keys) {
    auto [kind, dir, idx] = k;
    GridColumn c{static_cast<FilterKind>(kind), static_cast<Direction>(dir), idx, ""};
    c.label = (c.kind == FilterKind::kConv ? "conv " : "") + std::string(dir_short(c.direction));
    const int64_t n = block_size[{kind, dir}];
    if (idx >= 0 && n > 1) c.label += fmt::format(c.kind == FilterKind::kConv ? " g{}" : " k{}", idx);
    if (idx < 0) c.label += fmt::format(" ({} {})", n, c.kind == FilterKind::kConv ? "groups" : "kernels");
    col_of[k] = g.columns.size();
    g.columns.push_back(c);
  }
  std::map<int64_t, size_t> row_of;
  for (size_t i = 0; i < g.layers.size(); ++i) row_of[g.layers[i]] = i;
  g.cells.assign(g.layers.size(), std::vector<GridCell>(g.columns.size()));
  // counts[row][col][class] for whole-block columns
  std::map<std::pair<size_t, size_t>, std::array<int, 4>> counts;
  for (auto& f : r.filters) {
    const size_t row = row_of[f.layer], col = col_of[col_key(f)];
    if (g.columns[col].index >= 0) {
      auto& cell = g.cells[row][col];
      cell.cls = f.combined;
      cell.short_text = to_string(f.combined);
      cell.text = f.ok() ? fmt::format("{} (SC {:.3f})", to_string(f.combined), f.metrics.centroid)
                         : fmt::format("undefined ({})", f.status);
    } else {
      counts[{row, col}][static_cast<int>(f.combined)]++;
    }
  }
  for (auto& [rc, n] : counts) {
    auto& cell = g.cells[rc.first][rc.second];
    int best = 3;
    for (int c = 0; c < 3; ++c)
      if (n[c] > 0 && (best == 3 || n[c] > n[best])) best = c;
    cell.cls = static_cast<FilterClass>(best);
    cell.short_text = fmt::format("{}/{}/{}", n[0], n[1], n[2]);
    cell.text = fmt::format("L {} / B {} / H {}{}", n[0], n[1], n[2], n[3] ? fmt::format(" / undefined {}", n[3]) : "");
  }
  return g;
}

}  // namespace codessm::interpret::detail
