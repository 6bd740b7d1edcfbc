#include "codessm/interpret/result_json.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "codessm/core/error.h"

namespace codessm::interpret {

using nlohmann::json;

json json_number(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return v;
}

double number_from_json(const json& j, const std::string& what) {
  if (j.is_number()) return j.get<double>();
  if (j.is_string()) {
    const auto s = j.get<std::string>();
    if (s == "nan") return std::numeric_limits<double>::quiet_NaN();
    if (s == "inf") return std::numeric_limits<double>::infinity();
    if (s == "-inf") return -std::numeric_limits<double>::infinity();
  }
  throw DataError(fmt::format("{}: expected a number (or \"inf\"/\"nan\"), got {}", what, j.dump()));
}

namespace {

json bins_json(const BinSets& b) {
  return {{"bins", b.bins},
          {"low", {0, b.low_count}},
          {"high", {b.high_begin, b.bins}}};
}

BinSets bins_from(const json& j) {
  BinSets b;
  b.bins = j.at("bins").get<int64_t>();
  b.low_count = j.at("low").at(1).get<int64_t>();
  b.high_begin = j.at("high").at(0).get<int64_t>();
  return b;
}

/// 6 significant digits: enough to draw a curve, about a third of the bytes of a full double.
json compact_array(const std::vector<double>& v) {
  json a = json::array();
  for (double x : v) a.push_back(std::isfinite(x) ? json(std::stod(fmt::format("{:.6g}", x))) : json_number(x));
  return a;
}

json curves_json(const FilterReport& f) {
  return {{"time_start", f.time_x.empty() ? 0.0 : f.time_x.front()},
          {"time", compact_array(f.time_y)},
          {"frequency_step", f.frequency.size() > 1 ? f.frequency[1] - f.frequency[0] : 0.0},
          {"magnitude", compact_array(f.magnitude)},
          {"phase", compact_array(f.phase)}};
}

json filter_json(const FilterReport& f) {
  const auto& m = f.metrics;
  json j = {{"layer", f.layer},
            {"direction", to_string(f.direction)},
            {"kind", to_string(f.kind)},
            {"index", f.index},
            {"block_size", f.block_size},
            {"tensor_prefix", f.tensor_prefix},
            {"status", f.status},
            {"problems", f.problems},
            {"dominant_bin", m.dominant_bin},
            {"dominant_frequency", json_number(m.dominant_frequency)},
            {"dominant_magnitude", json_number(m.dominant_magnitude)},
            {"spectral_centroid", json_number(m.centroid)},
            {"lhfr", json_number(m.lhfr)},
            {"low_band_sum", json_number(m.low_sum)},
            {"high_band_sum", json_number(m.high_sum)},
            {"total_magnitude", json_number(m.total)},
            {"class_sc", to_string(f.by_sc)},
            {"class_lhfr", to_string(f.by_lhfr)},
            {"class_combined", to_string(f.combined)},
            {"class_dominant", to_string(f.by_dominant)},
            {"sc_lhfr_disagree", f.disagree()}};
  if (f.kind == FilterKind::kSsm) j["D"] = json_number(f.skip_D);
  else j["bias_mean"] = json_number(f.bias_mean);
  return j;
}

FilterReport filter_from(const json& j, const std::string& src) {
  FilterReport f;
  const std::string where = fmt::format("{}: filters[layer {}]", src, j.value("layer", -1));
  f.layer = j.at("layer").get<int64_t>();
  f.direction = j.at("direction") == "forward" ? Direction::kForward : Direction::kBackward;
  f.kind = j.at("kind") == "ssm" ? FilterKind::kSsm : FilterKind::kConv;
  f.index = j.at("index").get<int64_t>();
  f.block_size = j.value("block_size", int64_t(1));
  f.tensor_prefix = j.value("tensor_prefix", "");
  f.status = j.at("status").get<std::string>();
  f.problems = j.value("problems", std::vector<std::string>{});
  auto& m = f.metrics;
  m.dominant_bin = j.at("dominant_bin").get<int64_t>();
  m.dominant_frequency = number_from_json(j.at("dominant_frequency"), where + ".dominant_frequency");
  m.dominant_magnitude = number_from_json(j.at("dominant_magnitude"), where + ".dominant_magnitude");
  m.centroid = number_from_json(j.at("spectral_centroid"), where + ".spectral_centroid");
  m.lhfr = number_from_json(j.at("lhfr"), where + ".lhfr");
  m.low_sum = number_from_json(j.at("low_band_sum"), where + ".low_band_sum");
  m.high_sum = number_from_json(j.at("high_band_sum"), where + ".high_band_sum");
  m.total = number_from_json(j.at("total_magnitude"), where + ".total_magnitude");
  f.by_sc = parse_filter_class(j.at("class_sc"));
  f.by_lhfr = parse_filter_class(j.at("class_lhfr"));
  f.combined = parse_filter_class(j.at("class_combined"));
  f.by_dominant = parse_filter_class(j.at("class_dominant"));
  if (j.contains("D")) f.skip_D = number_from_json(j["D"], where + ".D");
  if (j.contains("bias_mean")) f.bias_mean = number_from_json(j["bias_mean"], where + ".bias_mean");
  return f;
}

json counts_json(const InterpretResult& r, FilterClass FilterReport::*field) {
  json c = {{"low", 0}, {"band", 0}, {"high", 0}, {"undefined", 0}};
  for (auto& f : r.filters) c[to_string(f.*field)] = c[to_string(f.*field)].get<int>() + 1;
  return c;
}

}  // namespace

json to_json(const InterpretResult& r, int64_t max_curves) {
  const auto& m = r.model;
  json j;
  j["source"] = r.source;
  j["model"] = {{"arch", m.arch},
                {"preset", m.preset},
                {"backbone_prefix", m.backbone_prefix},
                {"layers", m.layers},
                {"ssm_kernels", m.ssm_kernels},
                {"num_ssm", m.num_ssm},
                {"hf_conv", m.hf_conv},
                {"hf_conv_groups", m.hf_conv_groups},
                {"bidirectional", m.bidirectional},
                {"from_config", m.from_config}};
  j["length"] = r.length;
  j["length_source"] = r.length_source;
  j["include_skip"] = r.include_skip;
  j["sample_rate"] = 1;
  j["thresholds"] = {{"sc_low", r.thresholds.sc_low},
                     {"sc_high", r.thresholds.sc_high},
                     {"lhfr_low", r.thresholds.lhfr_low},
                     {"lhfr_high", r.thresholds.lhfr_high}};
  j["bands"] = {{"low_fraction", r.bands.low_fraction}, {"high_fraction", r.bands.high_fraction}};
  j["bins"] = bins_json(r.bins);
  j["fir_length"] = r.fir_length;
  j["fir_bins"] = bins_json(r.fir_bins);
  j["combine_rule"] = combine_rule_text();
  json filters = json::array();
  int64_t curves = 0;
  for (auto& f : r.filters) {
    filters.push_back(filter_json(f));
    if (!f.time_y.empty() && !f.magnitude.empty() && (max_curves < 0 || curves < max_curves)) {
      filters.back()["curves"] = curves_json(f);
      ++curves;
    }
  }
  j["filters"] = filters;
  json pairs = json::array();
  for (auto& p : r.pairs)
    pairs.push_back({{"layer", p.layer},
                     {"kind", to_string(p.kind)},
                     {"index", p.index},
                     {"forward", to_string(p.forward)},
                     {"backward", to_string(p.backward)},
                     {"complementary", p.complementary()},
                     {"low_high", p.low_high()}});
  j["pairs"] = pairs;
  json dis = json::array();
  for (auto* f : r.disagreements())
    dis.push_back({{"filter", f->label()},
                   {"layer", f->layer},
                   {"direction", to_string(f->direction)},
                   {"kind", to_string(f->kind)},
                   {"index", f->index},
                   {"class_sc", to_string(f->by_sc)},
                   {"class_lhfr", to_string(f->by_lhfr)},
                   {"class_combined", to_string(f->combined)}});
  j["disagreements"] = dis;
  int dominant_differs = 0, complementary = 0, low_high = 0;
  for (auto& f : r.filters) dominant_differs += f.ok() && f.by_dominant != f.combined;
  for (auto& p : r.pairs) {
    complementary += p.complementary();
    low_high += p.low_high();
  }
  j["summary"] = {{"filters", r.filters.size()},
                  {"problems", r.problems().size()},
                  {"class_counts",
                   {{"sc", counts_json(r, &FilterReport::by_sc)},
                    {"lhfr", counts_json(r, &FilterReport::by_lhfr)},
                    {"combined", counts_json(r, &FilterReport::combined)},
                    {"dominant", counts_json(r, &FilterReport::by_dominant)}}},
                  {"disagreements", dis.size()},
                  {"dominant_differs_from_combined", dominant_differs},
                  {"complementary_pairs", complementary},
                  {"low_high_pairs", low_high}};
  j["timing"] = {{"load_seconds", r.load_seconds}, {"analyze_seconds", r.analyze_seconds}};
  return j;
}

InterpretResult result_from_json(const json& j, const std::string& source) {
  try {
    InterpretResult r;
    r.source = j.at("source").get<std::string>();
    const auto& m = j.at("model");
    r.model.arch = m.value("arch", "bigs");
    r.model.preset = m.value("preset", "");
    r.model.backbone_prefix = m.value("backbone_prefix", "");
    r.model.layers = m.at("layers").get<int64_t>();
    r.model.ssm_kernels = m.value("ssm_kernels", int64_t(1));
    r.model.num_ssm = m.value("num_ssm", int64_t(0));
    r.model.hf_conv = m.value("hf_conv", false);
    r.model.hf_conv_groups = m.value("hf_conv_groups", int64_t(0));
    r.model.bidirectional = m.value("bidirectional", true);
    r.model.from_config = m.value("from_config", false);
    r.length = j.at("length").get<int64_t>();
    r.length_source = j.value("length_source", "");
    r.include_skip = j.value("include_skip", false);
    const auto& t = j.at("thresholds");
    r.thresholds = {t.at("sc_low").get<double>(), t.at("sc_high").get<double>(), t.at("lhfr_low").get<double>(),
                    t.at("lhfr_high").get<double>()};
    r.bands = {j.at("bands").at("low_fraction").get<double>(), j.at("bands").at("high_fraction").get<double>()};
    r.bins = bins_from(j.at("bins"));
    r.fir_length = j.value("fir_length", int64_t(0));
    if (j.contains("fir_bins")) r.fir_bins = bins_from(j["fir_bins"]);
    for (auto& f : j.at("filters")) r.filters.push_back(filter_from(f, source));
    for (auto& p : j.at("pairs")) {
      FilterPair fp;
      fp.layer = p.at("layer").get<int64_t>();
      fp.kind = p.at("kind") == "ssm" ? FilterKind::kSsm : FilterKind::kConv;
      fp.index = p.at("index").get<int64_t>();
      fp.forward = parse_filter_class(p.at("forward"));
      fp.backward = parse_filter_class(p.at("backward"));
      r.pairs.push_back(fp);
    }
    if (j.contains("timing")) {
      r.load_seconds = j["timing"].value("load_seconds", 0.0);
      r.analyze_seconds = j["timing"].value("analyze_seconds", 0.0);
    }
    return r;
  } catch (const nlohmann::json::exception& e) {
    throw DataError(fmt::format("{}: not an interpret.kernels result ({})", source, e.what()));
  }
}

}  // namespace codessm::interpret
