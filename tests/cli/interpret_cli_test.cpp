// `codessm interpret` end to end: a fresh tiny checkpoint, a briefly "trained" one (a few Adam steps that pull
// layer 0's forward kernel toward a high-pass target), --compare of the two, the HF and k-kernel variants, a
// Transformer, bad thresholds, and the trainer-facing library call on a live model's parameters.
#include <nlohmann/json.hpp>

#include <filesystem>

#include "codessm/config/presets.h"
#include "codessm/core/io.h"
#include "codessm/interpret/kernel_analysis.h"
#include "codessm/kernels/s4d_kernel.h"
#include "codessm/model/checkpoint.h"
#include "codessm/model/code_model.h"
#include "codessm/report/figure.h"
#include "test_utils.h"

namespace codessm {
namespace {

namespace fs = std::filesystem;

/// Saves a freshly initialised preset.
fs::path fresh_checkpoint(const std::string& preset, const std::string& name) {
  auto dir = test::temp_dir(name) / "ckpt";
  torch::manual_seed(7);
  model::CodeModel m(config::make_preset(preset));
  model::save_pretrained(m, dir);
  return dir;
}

/// "Trains" layer 0's forward SSM kernel for a few Adam steps toward 0.5·(−0.8)^l, a high-pass kernel.
fs::path trained_checkpoint(const std::string& name) {
  auto dir = test::temp_dir(name) / "ckpt";
  torch::manual_seed(7);
  model::CodeModel m(config::make_preset("codessm-tiny"));
  std::map<std::string, torch::Tensor> p;
  for (auto& kv : m->named_parameters()) p[kv.key()] = kv.value();
  const std::string pre = "bigs.encoder.layer.0.fs4.kernel.";
  auto ssm = std::vector<torch::Tensor>{p.at(pre + "log_step"), p.at(pre + "A_re"), p.at(pre + "A_im"), p.at(pre + "C")};
  torch::optim::Adam opt(ssm, torch::optim::AdamOptions(0.05));
  const int64_t L = 64;
  auto target = 0.5 * torch::pow(torch::full({L}, -0.8), torch::arange(L, torch::kFloat32));  // r(L)
  for (int step = 0; step < 60; ++step) {
    opt.zero_grad();
    auto K = kernels::s4d_kernel(ssm[0], ssm[1], ssm[2], ssm[3], L)[0];  // r(L)
    auto loss = (K - target).pow(2).sum();
    loss.backward();
    opt.step();
  }
  model::save_pretrained(m, dir);
  return dir;
}

std::string run(const std::string& args, int expect_rc = 0) {
  std::string out;
  const int rc = test::run_command(test::codessm_binary().string() + " " + args, &out);
  EXPECT_EQ(rc, expect_rc) << args << "\n" << out;
  return out;
}

nlohmann::json read_json(const fs::path& p) { return nlohmann::json::parse(core::read_file(p)); }

void expect_report(const fs::path& out, const std::string& stem) {
  for (auto ext : {".json", ".md", ".csv"}) EXPECT_TRUE(fs::exists(out / (stem + ext))) << stem << ext;
}

void expect_figure(const fs::path& fig) {
  EXPECT_TRUE(fs::exists(fig.string() + ".gp")) << fig;
  EXPECT_TRUE(fs::exists(fig.string() + ".dat")) << fig;
  if (!report::find_gnuplot().empty()) {
    EXPECT_TRUE(fs::exists(fig.string() + ".svg")) << fig;
    EXPECT_GT(fs::file_size(fig.string() + ".png"), 1000u) << fig;
  }
}

TEST(InterpretCli, FreshAndTrainedCheckpointsAndCompare) {
  const auto fresh = fresh_checkpoint("codessm-tiny", "icli_fresh");
  const auto trained = trained_checkpoint("icli_trained");
  const auto out_a = fresh.parent_path() / "report";
  const auto out_b = trained.parent_path() / "report";
  run("interpret " + fresh.string() + " --out " + out_a.string());
  run("interpret " + trained.string() + " --out " + out_b.string());
  const auto out_skip = trained.parent_path() / "report_skip";
  run("interpret " + trained.string() + " --out " + out_skip.string() + " --include-skip");
  expect_report(out_a, "interpret");
  auto j = read_json(out_a / "interpret.json");
  EXPECT_EQ(j["schema"], "interpret.kernels");
  const auto& r = j["results"];
  EXPECT_EQ(r["length"], 128);  // codessm-tiny's pretraining context, stated
  EXPECT_EQ(r["length_source"], "pretraining_context");
  EXPECT_EQ(r["model"]["layers"], 2);
  EXPECT_EQ(r["filters"].size(), 4u);
  EXPECT_EQ(r["pairs"].size(), 2u);
  EXPECT_TRUE(read_json(out_skip / "interpret.json")["results"]["include_skip"]);
  const auto md = core::read_file(out_a / "interpret.md");
  EXPECT_NE(md.find("| layer | fwd | bwd | complementary pairs |"), std::string::npos) << md;
  EXPECT_NE(md.find("L = **128** (from pretraining_context)"), std::string::npos);
  EXPECT_NE(core::read_file(out_a / "interpret.csv").find("layer,direction,kind,index,status"), std::string::npos);
  expect_figure(out_a / "figures" / "class_grid");
  expect_figure(out_a / "figures" / "kernel_L00_fwd");
  expect_figure(out_a / "figures" / "kernel_L01_bwd");
  expect_figure(out_a / "figures" / "layer_00");

  // The trained kernel moved toward high frequency; --compare says so, on checkpoints and on JSON results.
  const auto cmp = fresh.parent_path() / "compare";
  run("interpret --compare " + fresh.string() + " " + trained.string() + " --out " + cmp.string());
  expect_report(cmp, "compare");
  expect_figure(cmp / "figures" / "sc_compare");
  auto c = read_json(cmp / "compare.json")["results"];
  EXPECT_EQ(c["changes"].size(), 4u);
  const auto& ch0 = c["changes"][0];
  EXPECT_EQ(ch0["filter"], "L0 fwd");
  EXPECT_GT(ch0["d_sc"].get<double>(), 0.005) << c.dump(2);
  EXPECT_EQ(ch0["class_b"], "high");
  EXPECT_EQ(c["summary"]["layers_toward_high"], nlohmann::json::array({0}));
  for (size_t i = 1; i < 4; ++i) EXPECT_NEAR(c["changes"][i]["d_sc"].get<double>(), 0.0, 1e-9);  // untouched
  const auto cmp_json = fresh.parent_path() / "compare_json";
  run("interpret --compare " + (out_a / "interpret.json").string() + " " + (out_b / "interpret.json").string() +
      " --out " + cmp_json.string() + " --no-figures");
  EXPECT_EQ(read_json(cmp_json / "compare.json")["results"]["summary"]["layers_toward_high"],
            nlohmann::json::array({0}));
  EXPECT_FALSE(fs::exists(cmp_json / "figures"));
}

TEST(InterpretCli, HfAndKernelVariants) {
  const auto hf = fresh_checkpoint("codessm-tiny-hf", "icli_hf");
  run("interpret " + hf.string() + " --out " + (hf.parent_path() / "r").string() + " --length 64");
  auto r = read_json(hf.parent_path() / "r" / "interpret.json")["results"];
  EXPECT_EQ(r["length"], 64);
  EXPECT_TRUE(r["model"]["hf_conv"]);
  int conv = 0;
  for (auto& f : r["filters"]) conv += f["kind"] == "conv";
  EXPECT_EQ(conv, 2 * 2 * 2);  // layers × directions × groups
  expect_figure(hf.parent_path() / "r" / "figures" / "kernel_L00_fwd_conv_g1");

  const auto k4 = fresh_checkpoint("codessm-tiny-4kernel", "icli_k4");
  run("interpret " + k4.string() + " --out " + (k4.parent_path() / "r").string());
  r = read_json(k4.parent_path() / "r" / "interpret.json")["results"];
  EXPECT_EQ(r["filters"].size(), 2u * 2 * 4);
  EXPECT_EQ(r["pairs"].size(), 2u * 4);
  expect_figure(k4.parent_path() / "r" / "figures" / "kernel_L01_bwd_k3");
  EXPECT_NE(core::read_file(k4.parent_path() / "r" / "interpret.md").find("| fwd k0 |"), std::string::npos);
}

TEST(InterpretCli, TransformerAndBadFlagsGiveClearMessages) {
  const auto rof = fresh_checkpoint("rocoder-tiny", "icli_rof");
  auto out = run("interpret " + rof.string() + " --out " + (rof.parent_path() / "r").string(), 1);
  EXPECT_NE(out.find("nothing to analyse"), std::string::npos) << out;
  const auto tiny = fresh_checkpoint("codessm-tiny", "icli_bad");
  out = run("interpret " + tiny.string() + " --out " + (tiny.parent_path() / "r").string() + " --thresholds lhfr_high=20", 1);
  EXPECT_NE(out.find("LHFR thresholds overlap"), std::string::npos) << out;
  out = run("interpret " + tiny.string() + " --compare a b --out x", 1);
  EXPECT_NE(out.find("not both"), std::string::npos) << out;
  out = run("interpret /nonexistent/ckpt --out x", 2);
  EXPECT_NE(out.find("/nonexistent/ckpt"), std::string::npos) << out;
}

TEST(InterpretCli, MissingGnuplotKeepsScriptsAndSucceeds) {
  const auto tiny = fresh_checkpoint("codessm-tiny", "icli_nognuplot");
  const auto out = tiny.parent_path() / "r";
  std::string text;
  const int rc = test::run_command("CODESSM_GNUPLOT=none " + test::codessm_binary().string() + " interpret " +
                                       tiny.string() + " --out " + (out / "x").string(),
                                   &text);
  EXPECT_EQ(rc, 0) << text;
  EXPECT_NE(text.find("gnuplot not found"), std::string::npos) << text;
  EXPECT_TRUE(fs::exists(out / "x" / "figures" / "class_grid.gp"));
  EXPECT_FALSE(fs::exists(out / "x" / "figures" / "class_grid.png"));
}

TEST(InterpretLibrary, AnalysesALiveModelsParameters) {
  // What a trainer does to log SC/LHFR per layer: no checkpoint, the module's own parameters.
  auto cfg = config::make_preset("codessm-tiny");
  model::CodeModel m(cfg);
  std::map<std::string, torch::Tensor> named;
  for (auto& kv : m->named_parameters()) named[kv.key()] = kv.value();
  interpret::AnalysisOptions o;
  o.keep_curves = 0;
  auto r = interpret::analyze_named_tensors(named, cfg, o);
  EXPECT_EQ(r.filters.size(), 4u);
  EXPECT_EQ(r.length, cfg.default_context());
  for (auto& f : r.filters) {
    EXPECT_TRUE(f.ok());
    EXPECT_TRUE(f.magnitude.empty());  // no curves kept
    EXPECT_GT(f.metrics.centroid, 0.0);
  }
}

}  // namespace
}  // namespace codessm
