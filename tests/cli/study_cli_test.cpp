// The study's device round trip on the CPU, through the binary: `codessm study` in device mode stops before
// training and writes the bundle; tools/gpu_study_run.py runs the plan (here on the CPU, the same script the GPU
// machine runs) and packs the returned files within the transfer limits; `codessm study --import` completes the
// training stages and the analyses. The returned checkpoints are bf16 with fp32 SSM kernel parameters, and loading
// them gives the same held-out masked-token accuracy as the runner recorded.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "codessm/core/io.h"
#include "../study/study_fixtures.h"
#include "test_utils.h"

namespace codessm {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json safetensors_header(const fs::path& f) {
  std::ifstream in(f, std::ios::binary);
  uint64_t n = 0;
  in.read(reinterpret_cast<char*>(&n), 8);
  std::string h(n, '\0');
  in.read(h.data(), static_cast<std::streamsize>(n));
  return json::parse(h);
}

json last_json(const std::string& out) { return json::parse(out.substr(out.find("{\n"))); }

TEST(StudyCli, DeviceModeExportsRunsOnTheRunnerAndImports) {
  if (!fs::exists(test::codessm_binary())) GTEST_SKIP() << "the codessm binary is not built";
  if (!fs::exists("/usr/lib/python3.11/bisect.py")) GTEST_SKIP() << "needs the Python 3.11 standard library";
  if (test::run_command("python3 --version") != 0) GTEST_SKIP() << "needs python3 (the runner)";
  const fs::path root = test::temp_dir("study_device");
  const auto src = test::tiny_study_sources(root / "src");
  auto cfg = test::tiny_study_config(src, "device");
  // Kept short (the local-mode tests in tests/study run every stage): one full and one kernels-only model, one
  // fine-tune, no retrieval, extrapolation or probing.
  cfg["models"] = json::array({cfg["models"][0], cfg["models"][2]});
  cfg["types"]["models"] = {"codessm"};
  cfg["retrieval"]["models"] = json::array();
  cfg["extrapolation"]["models"] = json::array();
  cfg["probing"]["models"] = json::array();
  core::write_file_atomic(root / "study.json", cfg.dump(2));
  const std::string base = "study --config " + (root / "study.json").string() + " --out " + (root / "out").string() +
                           " --repo-root " + root.string() + " --threads 2 --no-progress";

  // 1. Export: the data stages run, the training stages wait, the bundle is written.
  const json a = last_json(test::run_codessm_ok(base));
  ASSERT_EQ(a.at("state"), "awaiting_device") << a.dump(2);
  const fs::path bundle = root / ".device" / "study";
  ASSERT_TRUE(fs::exists(bundle / "plan.json"));
  ASSERT_TRUE(fs::exists(bundle / "data.tar.xz"));
  const json plan = json::parse(core::read_file(bundle / "plan.json"));
  EXPECT_EQ(plan.at("jobs").size(), 3u);  // pretrain ×2, types ×1
  EXPECT_EQ(plan.at("jobs")[0].at("id"), "pretrain-codessm");
  // A rerun before the GPU run keeps the bundle (same plan).
  EXPECT_EQ(last_json(test::run_codessm_ok(base)).at("plan_hash"), a.at("plan_hash"));

  // 2. The runner, as on the GPU machine (one worker, CPU device, paths relative to the repository root).
  const fs::path ret = root / "returned";
  std::string out;
  const int rc = test::run_command("cd " + root.string() + " && python3 " +
                                       (test::source_dir() / "tools" / "gpu_study_run.py").string() +
                                       " --plan .device/study/plan.json --bin " + test::codessm_binary().string() +
                                       " --out " + ret.string() + " --work " + (root / "work").string() + " --gpus ''",
                                   &out);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("| pretrain-codessm | ok |"), std::string::npos) << out;
  int files = 0;
  uintmax_t bytes = 0;
  for (const auto& e : fs::directory_iterator(ret)) {
    ++files;
    bytes += e.file_size();
    EXPECT_LE(e.file_size(), 16u << 20) << e.path();
  }
  EXPECT_LE(files, 8);
  EXPECT_LE(bytes, 64u << 20);
  EXPECT_TRUE(fs::exists(ret / "study-pretrain-codessm.tar"));
  EXPECT_TRUE(fs::exists(ret / "study-types-codessm.tar"));  // its kernels came back

  // 2b. A second call on the same (warm) machine runs nothing again and returns nothing twice.
  std::string second_call;
  ASSERT_EQ(test::run_command("cd " + root.string() + " && python3 " +
                                  (test::source_dir() / "tools" / "gpu_study_run.py").string() +
                                  " --plan .device/study/plan.json --bin /nonexistent --out " +
                                  (root / "returned-2").string() + " --work " + (root / "work").string() +
                                  " --gpus ''",
                              &second_call),
            0)
      << second_call;
  EXPECT_NE(second_call.find("pretrain-codessm: ok in an earlier call"), std::string::npos) << second_call;
  EXPECT_EQ(second_call.find("started"), std::string::npos) << second_call;
  EXPECT_FALSE(fs::exists(root / "returned-2" / "study-pretrain-codessm.tar"));

  // 3. Import: every training stage completes and the analyses run.
  const json b = last_json(test::run_codessm_ok(base + " --import " + ret.string() + " --publish " + (root / "pub").string()));
  ASSERT_EQ(b.at("state"), "complete") << b.dump(2);
  const fs::path pt = root / "out" / "stages" / "pretrain" / "codessm";
  ASSERT_TRUE(fs::exists(pt / "device_job.json"));
  const json h = safetensors_header(pt / "final" / "model.safetensors");
  int bf16 = 0, fp32_kernel = 0;
  for (const auto& [name, e] : h.items()) {
    if (name == "__metadata__") continue;
    const bool kernel = name.find(".fs4.") != std::string::npos || name.find(".bs4.") != std::string::npos;
    if (kernel) {
      EXPECT_EQ(e.at("dtype"), "F32") << name;
      ++fp32_kernel;
    } else if (e.at("dtype") == "BF16") {
      ++bf16;
    }
  }
  EXPECT_GT(bf16, 0);
  EXPECT_GT(fp32_kernel, 0);
  // "kernels" returns hold only the SSM/HF-conv tensors.
  for (const auto& [name, e] : safetensors_header(root / "out" / "stages" / "pretrain" / "codessm-hf" / "final" /
                                                  "model.safetensors").items()) {
    if (name == "__metadata__") continue;
    EXPECT_TRUE(name.find(".fs4.") != std::string::npos || name.find(".bs4.") != std::string::npos ||
                name.find("conv.") != std::string::npos)
        << name;
  }
  // The held-out figure the runner recorded is what this machine measures on the returned checkpoint.
  const json rec = json::parse(core::read_file(pt / "heldout" / "eval.json")).at("results").at("results");
  const fs::path shards = root / "out" / "stages" / "shards" / "heldout";
  const json measured = last_json(test::run_codessm_ok(
      "eval --task mlm --model " + (pt / "final").string() + " --tokenizer " +
      (root / "out" / "stages" / "tokenizer" / "tokenizer").string() + " --data " + shards.string() +
      " --set context_length=64 --set batch_size=16 --set eval_batches=3 --set data_seed=0"));
  EXPECT_NEAR(measured.at("results").begin().value().at("eval_accuracy").get<double>(),
              rec.begin().value().at("eval_accuracy").get<double>(), 1e-9);
  EXPECT_TRUE(fs::exists(root / "pub" / "report.json"));
  EXPECT_TRUE(fs::exists(root / "pub" / "study_config.json"));
}

}  // namespace
}  // namespace codessm
