#include "codessm/interpret/compare.h"

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <tuple>

#include "codessm/interpret/result_json.h"

namespace codessm::interpret {

double FilterChange::d_log10_lhfr() const { return std::log10(lhfr_b) - std::log10(lhfr_a); }

int FilterChange::class_shift() const {
  if (class_a == FilterClass::kUndefined || class_b == FilterClass::kUndefined) return 0;
  return static_cast<int>(class_b) - static_cast<int>(class_a);  // kLow 0 < kBand 1 < kHigh 2
}

std::vector<int64_t> CompareResult::layers_toward_high() const {
  std::vector<int64_t> v;
  for (auto& l : layers)
    if (l.toward == "high") v.push_back(l.layer);
  return v;
}

std::vector<int64_t> CompareResult::layers_toward_low() const {
  std::vector<int64_t> v;
  for (auto& l : layers)
    if (l.toward == "low") v.push_back(l.layer);
  return v;
}

CompareResult compare_results(const InterpretResult& a, const InterpretResult& b, const CompareOptions& opts) {
  using Key = std::tuple<int64_t, int, int, int64_t>;
  auto key = [](const FilterReport& f) {
    return Key{f.layer, static_cast<int>(f.kind), static_cast<int>(f.direction), f.index};
  };
  CompareResult c;
  c.source_a = a.source;
  c.source_b = b.source;
  c.length_a = a.length;
  c.length_b = b.length;
  c.options = opts;
  if (a.length != b.length)
    c.warnings.push_back(fmt::format("kernel lengths differ (A: {}, B: {}); SC and LHFR depend on L, so compare "
                                     "analyses made with the same --length",
                                     a.length, b.length));
  if (a.include_skip != b.include_skip)
    c.warnings.push_back("one analysis includes the skip term D·δ₀ and the other does not");
  std::map<Key, const FilterReport*> in_b;
  for (auto& f : b.filters) in_b[key(f)] = &f;
  std::map<int64_t, LayerShift> layers;
  for (auto& fa : a.filters) {
    auto it = in_b.find(key(fa));
    if (it == in_b.end()) {
      c.unmatched.push_back("A only: " + fa.label());
      continue;
    }
    const FilterReport& fb = *it->second;
    in_b.erase(it);
    FilterChange ch;
    ch.layer = fa.layer;
    ch.direction = fa.direction;
    ch.kind = fa.kind;
    ch.index = fa.index;
    ch.label = fa.label();
    ch.sc_a = fa.metrics.centroid;
    ch.sc_b = fb.metrics.centroid;
    ch.lhfr_a = fa.metrics.lhfr;
    ch.lhfr_b = fb.metrics.lhfr;
    ch.class_a = fa.combined;
    ch.class_b = fb.combined;
    auto& ls = layers[fa.layer];
    ls.layer = fa.layer;
    if (std::isfinite(ch.d_sc())) {
      ls.mean_d_sc += ch.d_sc();
      ++ls.filters;
    }
    ls.classes_up += ch.class_shift() > 0;
    ls.classes_down += ch.class_shift() < 0;
    c.changes.push_back(ch);
  }
  for (auto& [k, f] : in_b) c.unmatched.push_back("B only: " + f->label());
  for (auto& [l, ls] : layers) {
    if (ls.filters > 0) ls.mean_d_sc /= ls.filters;
    ls.toward = ls.mean_d_sc > opts.sc_epsilon ? "high" : ls.mean_d_sc < -opts.sc_epsilon ? "low" : "none";
    c.layers.push_back(ls);
  }
  return c;
}

nlohmann::json to_json(const CompareResult& c) {
  using nlohmann::json;
  json changes = json::array();
  for (auto& ch : c.changes)
    changes.push_back({{"filter", ch.label},
                       {"layer", ch.layer},
                       {"direction", to_string(ch.direction)},
                       {"kind", to_string(ch.kind)},
                       {"index", ch.index},
                       {"sc_a", json_number(ch.sc_a)},
                       {"sc_b", json_number(ch.sc_b)},
                       {"d_sc", json_number(ch.d_sc())},
                       {"lhfr_a", json_number(ch.lhfr_a)},
                       {"lhfr_b", json_number(ch.lhfr_b)},
                       {"d_log10_lhfr", json_number(ch.d_log10_lhfr())},
                       {"class_a", to_string(ch.class_a)},
                       {"class_b", to_string(ch.class_b)},
                       {"class_shift", ch.class_shift()}});
  json layers = json::array();
  for (auto& l : c.layers)
    layers.push_back({{"layer", l.layer},
                      {"filters", l.filters},
                      {"mean_d_sc", json_number(l.mean_d_sc)},
                      {"classes_up", l.classes_up},
                      {"classes_down", l.classes_down},
                      {"toward", l.toward}});
  int up = 0, down = 0;
  for (auto& ch : c.changes) {
    up += ch.class_shift() > 0;
    down += ch.class_shift() < 0;
  }
  return {{"a", c.source_a},
          {"b", c.source_b},
          {"length_a", c.length_a},
          {"length_b", c.length_b},
          {"sc_epsilon", c.options.sc_epsilon},
          {"changes", changes},
          {"layers", layers},
          {"unmatched", c.unmatched},
          {"warnings", c.warnings},
          {"summary",
           {{"filters_compared", c.changes.size()},
            {"filters_class_toward_high", up},
            {"filters_class_toward_low", down},
            {"layers_toward_high", c.layers_toward_high()},
            {"layers_toward_low", c.layers_toward_low()}}}};
}

}  // namespace codessm::interpret
