// Reports of an analysis and a comparison: files, JSON round trip, Markdown table, figures.
#include "codessm/interpret/interpret_report.h"

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
