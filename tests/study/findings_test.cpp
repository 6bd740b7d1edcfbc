// The verdict rules on evidence with a known answer: memory growth exponents (exact power laws, the paper's own
// Table 6), the exact Spearman permutation test, and F1/F4/F5/F6 deciding reproduces / fails / inconclusive by
// their stated thresholds.
#include <gtest/gtest.h>

#include <cmath>

#include "codessm/study/findings.h"

namespace codessm::study {
namespace {

using nlohmann::json;

json probe_row(const std::string& model, const std::string& task, int layer, double acc) {
  return {{"model", model}, {"task", task}, {"layer", layer}, {"mean_over_labels", acc}, {"overall", acc}};
}

TEST(MemoryExponent, RecoversPowerLawsWithAnyConstantAndReadsThePapersTable) {
  for (double s : {1.0, 1.5, 2.0}) {
    std::vector<std::pair<double, double>> pts;
    for (double L : {512.0, 1024.0, 2048.0, 4096.0}) pts.push_back({L, 7.5 + 3e-6 * std::pow(L, s)});
    EXPECT_NEAR(memory_exponent(pts), s, 1e-6) << s;
  }
  // CodeSSM Table 6: CodeSSM 9.33 / 15.84 / 28.84 GB, RoCoder 9.87 / 25.36 / 79.12 GB at 512 / 1024 / 2048.
  EXPECT_NEAR(memory_exponent({{512, 9.33}, {1024, 15.84}, {2048, 28.84}}), std::log2(13.0 / 6.51), 1e-6);
  EXPECT_NEAR(memory_exponent({{512, 9.87}, {1024, 25.36}, {2048, 79.12}}), std::log2(53.76 / 15.49), 1e-6);
  EXPECT_TRUE(std::isnan(memory_exponent({{512, 1}, {1024, 2}})));
  EXPECT_TRUE(std::isnan(memory_exponent({{512, 3}, {1024, 2}, {2048, 4}})));  // not increasing
}

TEST(Spearman, ExactPermutationTestMatchesHandValues) {
  const auto [r1, p1] = spearman_exact({1, 2, 3, 4}, {10, 20, 30, 40});
  EXPECT_DOUBLE_EQ(r1, 1.0);
  EXPECT_DOUBLE_EQ(p1, 1.0 / 24);  // only the identity order reaches ρ = 1
  const auto [r2, p2] = spearman_exact({1, 2, 3, 4}, {4, 3, 2, 1});
  EXPECT_DOUBLE_EQ(r2, -1.0);
  EXPECT_DOUBLE_EQ(p2, 1.0);
  // Ties get average ranks: x = (1, 2, 2, 3) vs y increasing.
  const auto [r3, p3] = spearman_exact({1, 2, 2, 3}, {1, 2, 3, 4});
  EXPECT_NEAR(r3, 0.9486832980505138, 1e-12);
  EXPECT_GT(p3, 0);
  EXPECT_TRUE(std::isnan(spearman_exact({1, 1, 1}, {1, 2, 3}).first));
}

TEST(Findings, F1DecidesByTheBestLayerDifferenceAgainstItsStandardError) {
  auto evidence = [](double a, double b) {
    Evidence ev;
    for (const char* t : {"distance", "siblings", "dfg"}) {
      ev.probe_test_pairs[t] = 1000;
      for (int l = 0; l < 3; ++l) {
        ev.probe_rows.push_back(probe_row("codessm (pretrained)", t, l, a - 0.05 * l));
        ev.probe_rows.push_back(probe_row("rocoder (pretrained)", t, l, b - 0.05 * l));
      }
    }
    return ev;
  };
  VerdictSection rules;
  EXPECT_EQ(evaluate_findings(evidence(0.80, 0.60), rules)[0]["verdict"], "reproduces");
  EXPECT_EQ(evaluate_findings(evidence(0.60, 0.80), rules)[0]["verdict"], "fails");
  // 1 point apart over 1000 pairs is inside 2 SE (≈ 3.6 points).
  EXPECT_EQ(evaluate_findings(evidence(0.71, 0.70), rules)[0]["verdict"], "inconclusive");
  Evidence none;
  const auto f = evaluate_findings(none, rules);
  for (const auto& x : f) EXPECT_EQ(x["verdict"], "inconclusive") << x.dump();
}

TEST(Findings, F4NeedsEveryComparisonAndF5ReadsTheExponents) {
  Evidence ev;
  auto types = [](double f1) { return json{{"test", {{"f1", f1}, {"labelled", 20000}}}}; };
  ev.types["codessm"] = types(0.50);
  ev.types["codessm-hf"] = types(0.60);
  ev.types["codessm-8kernel"] = types(0.62);
  VerdictSection rules;
  EXPECT_EQ(evaluate_findings(ev, rules)[3]["verdict"], "reproduces");
  ev.types["codessm-8kernel"] = types(0.505);
  EXPECT_EQ(evaluate_findings(ev, rules)[3]["verdict"], "inconclusive");
  ev.types["codessm-hf"] = types(0.40);
  ev.types["codessm-8kernel"] = types(0.41);
  EXPECT_EQ(evaluate_findings(ev, rules)[3]["verdict"], "fails");

  auto series = [](const std::string& m, const std::string& name, double s) {
    json pts = json::array();
    for (double L : {512.0, 1024.0, 2048.0}) pts.push_back({L, 2 + 1e-6 * std::pow(L, s)});
    return json{{"model", m}, {"name", name}, {"mode", "forward"}, {"points", pts}};
  };
  // As tools/gpu_perf.sh measures them: a variant (not the plain CodeSSM), RoCoder with eager and fused attention.
  ev.memory = json::array({series("codessm-8kernel", "8kernel_bf16", 1.6), series("codessm-base", "base_bf16", 1.0),
                           series("rocoder-base", "rocoder_bf16", 1.0), series("rocoder-base", "rocoder_bf16_math", 2.0),
                           series("bertcoder-base", "bertcoder_bf16", 1.0)});
  auto f5 = evaluate_findings(ev, rules)[4];
  EXPECT_EQ(f5["verdict"], "reproduces");
  EXPECT_EQ(f5["details"]["series"]["codessm"]["name"], "base_bf16");
  EXPECT_NE(f5["why"].get<std::string>().find("constant factor"), std::string::npos);
  // Without an eager measurement the fused RoCoder decides, and it is linear.
  ev.memory = json::array({series("codessm-base", "base_bf16", 1.0), series("rocoder-base", "rocoder_bf16", 1.05)});
  f5 = evaluate_findings(ev, rules)[4];
  EXPECT_EQ(f5["verdict"], "fails");
  EXPECT_NE(f5["why"].get<std::string>().find("scaled_dot_product_attention"), std::string::npos);
}

TEST(Findings, F6ComparesEveryLongerLengthWithThePretrainingLength) {
  auto row = [](int64_t L, double f1) {
    return json{{"length", L}, {"value", f1}, {"metric", "f1"}, {"finetune", {{"test", {{"f1", f1}, {"labelled", 5000}}}}}};
  };
  Evidence ev;
  ev.extrapolation["codessm"] = {{"pretraining_context", 256}, {"rows", {row(256, 0.50), row(1024, 0.51), row(2048, 0.495)}}};
  VerdictSection rules;
  EXPECT_EQ(evaluate_findings(ev, rules)[5]["verdict"], "reproduces");
  ev.extrapolation["codessm"]["rows"][2] = row(2048, 0.30);
  EXPECT_EQ(evaluate_findings(ev, rules)[5]["verdict"], "fails");
  ev.extrapolation["codessm"]["rows"][2] = {{"length", 2048}, {"value", nullptr}};
  EXPECT_EQ(evaluate_findings(ev, rules)[5]["verdict"], "fails");  // did not train to a result
}

}  // namespace
}  // namespace codessm::study
