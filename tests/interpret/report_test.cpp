// Reports of an analysis and a comparison: files, JSON round trip, Markdown table, figures.
#include "codessm/interpret/interpret_report.h"

#include <cmath>
#include <cstdlib>

#include "codessm/core/io.h"
#include "codessm/interpret/result_json.h"
#include "test_utils.h"

namespace codessm::interpret {
namespace {

namespace fs = std::filesystem;

/// Two layers; layer 0 forward decays (low-pass), layer 0 backward alternates (high-pass), layer 1
/// random S4D-Lin blocks. `shift` moves layer 1's forward modes to higher frequencies.
std::map<std::string, torch::Tensor> model_tensors(double shift) {
  std::map<std::string, torch::Tensor> t;
  torch::manual_seed(3);
  auto block = [&](const std::string& p, torch::Tensor a_im, double log_step) {
    const int64_t N = a_im.size(0);
    t[p + ".kernel.log_step"] = torch::tensor({log_step});
    t[p + ".kernel.A_re"] = torch::full({N}, -0.5);
    t[p + ".kernel.A_im"] = a_im;
    t[p + ".kernel.C"] = torch::ones({N, 2});
    t[p + ".D"] = torch::tensor({1.0});
  };
  block("bigs.encoder.layer.0.fs4", torch::zeros({4}), std::log(0.1));
  block("bigs.encoder.layer.0.bs4", torch::full({4}, 10 * M_PI), std::log(0.1));  // Δ·Im A = π: alternates
  block("bigs.encoder.layer.1.fs4", torch::full({4}, 0.5 + shift), 0.0);
  block("bigs.encoder.layer.1.bs4", torch::full({4}, 1.0), 0.0);
  return t;
}

TEST(InterpretReport, WritesJsonMarkdownCsvAndFigures) {
  const char* keep = std::getenv("CODESSM_TEST_FIGURE_DIR");  // set it to look at the images
  auto out = keep ? fs::path(keep) / "interpret" : test::temp_dir("ireport");
  AnalysisOptions o;
  o.length = 128;
  auto r = analyze_tensors(MapTensorSource(model_tensors(0)), nullptr, o);
  auto files = write_interpret_report(r, out, ReportOptions{});
  ASSERT_TRUE(fs::exists(files.json));
  auto j = nlohmann::json::parse(core::read_file(files.json));
  EXPECT_EQ(j["schema"], kKernelsSchema);
  // Round trip: the JSON holds everything but the curves.
  auto back = result_from_json(j["results"], "interpret.json");
  ASSERT_EQ(back.filters.size(), r.filters.size());
  for (size_t i = 0; i < r.filters.size(); ++i) {
    EXPECT_DOUBLE_EQ(back.filters[i].metrics.centroid, r.filters[i].metrics.centroid);
    EXPECT_EQ(back.filters[i].combined, r.filters[i].combined);
  }
  EXPECT_EQ(back.bins.low_count, r.bins.low_count);
  // Layer 0: forward low-pass, backward high-pass → a low↔high complementary pair.
  EXPECT_EQ(r.filters[0].combined, FilterClass::kLow);
  EXPECT_EQ(r.filters[1].combined, FilterClass::kHigh);
  EXPECT_TRUE(r.pairs[0].low_high());
  const auto md = core::read_file(files.markdown);
  EXPECT_NE(md.find("| layer | fwd | bwd | complementary pairs |"), std::string::npos) << md;
  EXPECT_NE(md.find("k0 low/high (low↔high)"), std::string::npos) << md;
  EXPECT_NE(core::read_file(files.csv).find("0,forward,ssm,0,ok,"), std::string::npos);
  EXPECT_EQ(files.figures.size(), 1u + 4u + 2u);  // grid, 4 kernels, 2 layers
  for (auto& f : files.figures) EXPECT_TRUE(fs::exists(f.script)) << f.script;
  if (files.render.gnuplot_found) {
    EXPECT_EQ(files.render.rendered, 7) << files.render.message;
  }
}

TEST(InterpretReport, JsonCarriesTheCurvesOfTheFirstFiltersForTheHtmlReport) {
  AnalysisOptions o;
  o.length = 128;
  auto r = analyze_tensors(MapTensorSource(model_tensors(0)), nullptr, o);
  ReportOptions ro;
  ro.figures = false;
  ro.max_json_curves = 3;
  auto files = write_interpret_report(r, test::temp_dir("ireport_curves"), ro);
  const auto j = nlohmann::json::parse(core::read_file(files.json))["results"]["filters"];
  ASSERT_EQ(j.size(), 4u);
  EXPECT_FALSE(j[3].contains("curves"));  // beyond --max-json-curves
  for (size_t i = 0; i < 3; ++i) {
    const auto& c = j[i]["curves"];
    const auto& f = r.filters[i];
    EXPECT_EQ(c["time_start"], 0.0);
    EXPECT_DOUBLE_EQ(c["frequency_step"].get<double>(), 1.0 / 128);
    ASSERT_EQ(c["time"].size(), 128u);
    ASSERT_EQ(c["magnitude"].size(), 65u);
    ASSERT_EQ(c["phase"].size(), 65u);
    auto close = [](double a, double b) { return std::abs(a - b) <= 5e-6 * std::abs(b) + 1e-300; };  // 6 digits
    for (size_t l = 0; l < 128; ++l) EXPECT_TRUE(close(c["time"][l].get<double>(), f.time_y[l])) << i << " " << l;
    for (size_t k = 0; k < 65; ++k) {
      EXPECT_TRUE(close(c["magnitude"][k].get<double>(), f.magnitude[k])) << i << " " << k;
      EXPECT_TRUE(close(c["phase"][k].get<double>(), f.phase[k])) << i << " " << k;
    }
  }
  // The dominant frequency recorded beside the curves is the argmax of the stored magnitudes.
  const auto& m = j[0]["curves"]["magnitude"];
  size_t arg = 0;
  for (size_t k = 1; k < m.size(); ++k)
    if (m[k].get<double>() > m[arg].get<double>()) arg = k;
  EXPECT_EQ(j[0]["dominant_bin"].get<size_t>(), arg);
}

TEST(InterpretReport, CompareFindsTheShiftedLayer) {
  const char* keep = std::getenv("CODESSM_TEST_FIGURE_DIR");
  auto out = keep ? fs::path(keep) / "compare" : test::temp_dir("icompare");
  AnalysisOptions o;
  o.length = 128;
  auto a = analyze_tensors(MapTensorSource(model_tensors(0)), nullptr, o);
  auto b = analyze_tensors(MapTensorSource(model_tensors(1.5)), nullptr, o);
  auto c = compare_results(a, b);
  ASSERT_EQ(c.changes.size(), 4u);
  EXPECT_GT(c.changes[2].d_sc(), 0.01);  // L1 fwd
  EXPECT_EQ(c.layers_toward_high(), std::vector<int64_t>{1});
  EXPECT_TRUE(c.layers_toward_low().empty());
  EXPECT_TRUE(c.unmatched.empty());
  EXPECT_TRUE(c.warnings.empty());
  o.length = 64;
  auto d = analyze_tensors(MapTensorSource(model_tensors(0)), nullptr, o);
  EXPECT_EQ(compare_results(a, d).warnings.size(), 1u);  // lengths differ
  auto files = write_compare_report(c, a, b, out, ReportOptions{});
  auto j = nlohmann::json::parse(core::read_file(files.json));
  EXPECT_EQ(j["schema"], kCompareSchema);
  EXPECT_EQ(j["results"]["summary"]["layers_toward_high"], nlohmann::json::array({1}));
  EXPECT_NE(core::read_file(files.markdown).find("toward high frequency): 1."), std::string::npos);
  EXPECT_EQ(files.figures.size(), 3u);
}

}  // namespace
}  // namespace codessm::interpret
