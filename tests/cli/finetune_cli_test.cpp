// `codessm finetune` and `codessm eval` end to end through the binary: a SentencePiece tokenizer trained on a few
// stdlib modules, a Devign-format classification set of real code lines, fine-tuning with a test split, then
// `eval` of the best checkpoint on the same test file (same metrics as the fine-tuning report), zero-shot cloze
// with a CodeXGLUE answers file, and a malformed line named by file and line before anything is written.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <sstream>

#include "codessm/core/io.h"
#include "test_utils.h"

namespace codessm {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string run_ok(const std::string& args) { return test::run_codessm_ok(args); }

struct FinetuneCli : ::testing::Test {
  static void SetUpTestSuite() {
    if (!fs::exists(test::codessm_binary())) return;
    dir = test::temp_dir("finetune_cli");
    const fs::path src = fs::is_directory("/usr/lib/python3.11/json") ? "/usr/lib/python3.11/json"
                                                                      : test::source_dir() / "src" / "model";
    run_ok("tokenizer train --input " + src.string() + " --out " + (dir / "tok").string() +
           " --vocab-size 400 --sentinels 0 --threads 2");
    // Devign JSONL of real code lines; target = length parity (arbitrary but fixed).
    std::vector<std::string> lines;
    for (auto& e : fs::directory_iterator(src)) {
      std::istringstream in(core::read_file(e.path()));
      for (std::string l; std::getline(in, l) && lines.size() < 60;)
        if (l.size() > 20 && l.size() < 80) lines.push_back(l);
    }
    auto write = [&](const std::string& name, size_t b, size_t e) {
      std::string s;
      for (size_t i = b; i < e && i < lines.size(); ++i)
        s += json{{"func", lines[i]}, {"target", static_cast<int>(lines[i].size() % 2)}, {"idx", i}}.dump() + "\n";
      core::write_file_atomic(dir / name, s);
    };
    write("train.jsonl", 0, 40);
    write("test.jsonl", 40, 60);
  }
  void SetUp() override {
    if (!fs::exists(test::codessm_binary())) GTEST_SKIP() << "codessm executable not built";
  }
  static fs::path dir;
};
fs::path FinetuneCli::dir;

TEST_F(FinetuneCli, FinetuneThenEvalGiveTheSameTestMetrics) {
  const auto tok = (dir / "tok").string();
  run_ok("finetune --task classification --out " + (dir / "run").string() + " --no-progress --threads 2 --set model=codessm-tiny"
         " --set tokenizer=" + tok + " --set dataset=devign --set train_data=" + (dir / "train.jsonl").string() +
         " --set eval_data=" + (dir / "test.jsonl").string() + " --set test_data=" + (dir / "test.jsonl").string() +
         " --set max_length=64 --set batch_size=8 --set max_steps=6 --set warmup_steps=1 --set eval_every=3");
  const auto report = json::parse(core::read_file(dir / "run" / "reports" / "finetune.json"))["results"];
  ASSERT_TRUE(report.contains("test")) << report.dump();
  EXPECT_TRUE(fs::exists(dir / "run" / "best" / "config.json"));
  EXPECT_TRUE(fs::exists(dir / "run" / "reports" / "finetune.md"));
  run_ok("eval --task classification --model " + (dir / "run" / "best").string() + " --tokenizer " + tok +
         " --data " + (dir / "test.jsonl").string() + " --set max_length=64 --out " + (dir / "eval").string());
  const auto ev = json::parse(core::read_file(dir / "eval" / "eval.json"))["results"]["results"];
  const auto& m = ev[(dir / "test.jsonl").string()];
  EXPECT_EQ(m["accuracy"], report["test"]["accuracy"]);
  EXPECT_EQ(m["confusion"], report["test"]["confusion"]);
  EXPECT_TRUE(fs::exists(dir / "eval" / "test.predictions.jsonl"));
}

TEST_F(FinetuneCli, ZeroShotClozeCountsAnswers) {
  run_ok("model init codessm-tiny --out " + (dir / "mlm").string() + " --seed 3");
  const auto data = test::source_dir() / "tests" / "data" / "tasks";
  run_ok("eval --task cloze --model " + (dir / "mlm").string() + " --tokenizer " + (dir / "tok").string() +
         " --data " + (data / "cloze.json").string() + " --answers " + (data / "answers.txt").string() + " --out " +
         (dir / "cloze").string());
  const auto r = json::parse(core::read_file(dir / "cloze" / "eval.json"))["results"]["languages"]["cloze"];
  EXPECT_EQ(r["answered"].get<int>(), 2);
  EXPECT_TRUE(r.contains("accuracy"));
  EXPECT_TRUE(fs::exists(dir / "cloze" / "cloze" / "predictions.txt"));
}

TEST_F(FinetuneCli, MalformedLineIsAClearErrorAndNothingIsWritten) {
  core::write_file_atomic(dir / "bad.jsonl", "{\"func\": \"x\", \"target\": 0, \"idx\": 0}\n{\"func\": \"y\", \"idx\": 1}\n");
  std::string out;
  const std::string base = test::codessm_binary().string() + " finetune --task classification --no-progress --out " +
                           (dir / "bad_run").string() + " --set dataset=devign --set train_data=" +
                           (dir / "bad.jsonl").string();
  EXPECT_EQ(test::run_command(base + " --set tokenizer=" + (dir / "tok").string(), &out), 2) << out;
  EXPECT_NE(out.find("bad.jsonl:2"), std::string::npos) << out;
  EXPECT_NE(out.find("target"), std::string::npos) << out;
  EXPECT_FALSE(fs::exists(dir / "bad_run" / "run_config.json"));
}

}  // namespace
}  // namespace codessm
