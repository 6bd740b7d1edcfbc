// The bad cases of docs/reliability.md as a user meets them: the codessm executable on bad input, checked for
// its exit code (1 usage, 2 data, 3 numerical; never a signal) and a message that names the problem.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <fstream>

#include "codessm/config/presets.h"
#include "codessm/core/io.h"
#include "codessm/model/checkpoint.h"
#include "codessm/tensor/safetensors.h"
#include "test_utils.h"

using namespace codessm;
namespace fs = std::filesystem;

namespace {

/// Runs `codessm ARGS` in `cwd` (empty: the current folder); returns the exit code and fills `out`.
int run_codessm(const std::string& args, std::string* out, const fs::path& cwd = {}) {
  const std::string cd = cwd.empty() ? "" : "cd '" + cwd.string() + "' && ";
  return test::run_command(cd + test::codessm_binary().string() + " " + args, out);
}

std::vector<std::string> hidden_entries(const fs::path& dir) {
  std::vector<std::string> out;
  for (auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string()[0] == '.') out.push_back(e.path().filename().string());
  return out;
}

}  // namespace

// Bad case 1: `model init PRESET --out DIR` deleted whatever DIR held.
TEST(ReliabilityCli, ModelInitNeverDeletesAUsersFolderAndAcceptsSlashAndDot) {
  const auto root = test::temp_dir("cli_model_init");
  fs::create_directories(root / "thesis");
  core::write_file_atomic(root / "thesis" / "chapter1.tex", "\\chapter{One}\n");
  core::write_file_atomic(root / "todo.txt", "finish\n");
  std::string out;
  EXPECT_EQ(run_codessm("model init codessm-tiny --out " + (root / "thesis").string(), &out), 1) << out;
  EXPECT_NE(out.find("holds files but no checkpoint"), std::string::npos) << out;
  EXPECT_EQ(core::read_file(root / "thesis" / "chapter1.tex"), "\\chapter{One}\n");
  EXPECT_EQ(run_codessm("model init codessm-tiny --out " + (root / "todo.txt").string(), &out), 1) << out;
  EXPECT_EQ(core::read_file(root / "todo.txt"), "finish\n");

  EXPECT_EQ(run_codessm("model init codessm-tiny --out newdir/", &out, root), 0) << out;
  EXPECT_TRUE(fs::exists(root / "newdir" / "config.json"));
  fs::create_directories(root / "dot");
  EXPECT_EQ(run_codessm("model init codessm-tiny --out .", &out, root / "dot"), 0) << out;
  EXPECT_TRUE(fs::exists(root / "dot" / "model.safetensors"));
  EXPECT_TRUE(hidden_entries(root).empty());
  EXPECT_TRUE(hidden_entries(root / "dot").empty());
}

// Bad case 3: NaN/Inf weights gave NaN logits with exit 0.
TEST(ReliabilityCli, ModelForwardRefusesNanWeightsNamingTheTensor) {
  const auto root = test::temp_dir("cli_nan");
  torch::manual_seed(1);
  model::CodeModel m(config::make_preset("codessm-tiny"));
  {
    torch::NoGradGuard ng;
    m->named_parameters()["bigs.encoder.layer.0.dv.weight"][0][0] = std::nan("");
  }
  model::save_pretrained(m, root / "ckpt");
  tensor::save_safetensors(root / "in.safetensors", {{"input_ids", torch::randint(5, 100, {1, 8})}});
  std::string out;
  EXPECT_EQ(run_codessm("model forward " + (root / "ckpt").string() + " --input " + (root / "in.safetensors").string() +
                            " --out " + (root / "out.safetensors").string(),
                        &out),
            3)
      << out;
  EXPECT_NE(out.find("'bigs.encoder.layer.0.dv.weight' holds 1 NaN"), std::string::npos) << out;
  EXPECT_FALSE(fs::exists(root / "out.safetensors"));
}

// Bad case 2: `tokenizer train` with a vocabulary too large for the corpus segfaulted (exit 139): SentencePiece's
// warning went to a std::cerr that was never constructed.
TEST(ReliabilityCli, TokenizerTrainOnATinyCorpusSaysTheVocabularyIsTooLarge) {
  const auto root = test::temp_dir("cli_spm_small");
  core::write_file_atomic(root / "a.py", "def f(x):\n    return x + 1\n");
  for (const char* type : {"bpe", "unigram"}) {
    std::string out;
    const int rc = run_codessm("tokenizer train --input " + (root / "a.py").string() + " --out " +
                                   (root / (std::string("tok_") + type)).string() + " --model-type " + type,
                               &out);
    EXPECT_EQ(rc, 2) << type << "\n" << out;
    EXPECT_NE(out.find("--vocab-size"), std::string::npos) << type << "\n" << out;
    EXPECT_FALSE(fs::exists(root / (std::string("tok_") + type)));
  }
}

// Bad case 11: `bench forward --iters -1` published negative times with exit 0.
TEST(ReliabilityCli, BenchForwardRejectsNonPositiveCounts) {
  for (const std::string bad : {"--iters -1", "--iters 0", "--warmup -2", "--batch 0", "--lengths 0"}) {
    // Every other count is valid, so only the bad one can be refused.
    std::string args = "bench forward --model codessm-tiny --device cpu";
    for (const std::string ok : {"--iters 1", "--warmup 0", "--batch 1", "--lengths 16"})
      if (ok.substr(0, ok.find(' ')) != bad.substr(0, bad.find(' '))) args += " " + ok;
    std::string out;
    EXPECT_EQ(run_codessm(args + " " + bad, &out), 1) << bad << "\n" << out;
    EXPECT_NE(out.find(bad.substr(0, bad.find(' '))), std::string::npos) << bad << "\n" << out;
  }
}

// A batch or model that does not fit in memory (docs/reliability.md): LibTorch's allocator error ("can't allocate
// memory" on the CPU, "CUDA out of memory" on a GPU) comes with the settings to lower, not as an internal error.
TEST(ReliabilityCli, OutOfMemorySaysWhatToLower) {
  // A 2^24 × 1024 embedding (64 GiB of fp32, the largest config.json allows) cannot be allocated here; on a
  // machine where it could, the test would only burn time.
  uint64_t total_kib = 0;
  std::ifstream meminfo("/proc/meminfo");
  for (std::string line; std::getline(meminfo, line);)
    if (line.rfind("MemTotal:", 0) == 0 || line.rfind("SwapTotal:", 0) == 0) total_kib += std::stoull(line.substr(line.find(':') + 1));
  if (total_kib > (uint64_t{48} << 20)) GTEST_SKIP() << "this machine has more than 48 GiB of memory";
  const auto root = test::temp_dir("cli_oom");
  std::string out;
  EXPECT_EQ(run_codessm("model init codessm-tiny --set vocab_size=16777216 --set hidden_size=1024 --out " +
                            (root / "ckpt").string(),
                        &out),
            1)
      << out;
  EXPECT_NE(out.find("out of memory"), std::string::npos) << out;
  EXPECT_NE(out.find("Lower --set batch_size"), std::string::npos) << out;
  EXPECT_FALSE(fs::exists(root / "ckpt"));
}

// A sequence beyond the trained context (docs/reliability.md): absolute position tables end at
// max_position_embeddings (128 in this fixture), so a longer input is refused naming both lengths; LibTorch's
// index error used to surface as an internal error without the input's name.
TEST(ReliabilityCli, ModelForwardBeyondAbsolutePositionsIsRefused) {
  const auto root = test::temp_dir("cli_context");
  const auto ckpt = test::source_dir() / "tests" / "data" / "parity" / "bigs_tiny_pos_absolute";
  tensor::save_safetensors(root / "long.safetensors", {{"input_ids", torch::randint(5, 100, {1, 129})}});
  std::string out;
  EXPECT_EQ(run_codessm("model forward " + ckpt.string() + " --input " + (root / "long.safetensors").string() +
                            " --out " + (root / "out.safetensors").string(),
                        &out),
            2)
      << out;
  EXPECT_NE(out.find("sequences of 129 tokens exceed the checkpoint's max_position_embeddings 128"), std::string::npos)
      << out;
  // At the limit it runs.
  tensor::save_safetensors(root / "ok.safetensors", {{"input_ids", torch::randint(5, 100, {1, 128})}});
  EXPECT_EQ(run_codessm("model forward " + ckpt.string() + " --input " + (root / "ok.safetensors").string() +
                            " --out " + (root / "out.safetensors").string(),
                        &out),
            0)
      << out;
}

// Empty datasets (docs/reliability.md): every training and evaluation entry point refuses an empty file or shard
// folder with a DataError naming it, before any step.
TEST(ReliabilityCli, EmptyDatasetsAreRefusedNamingTheFile) {
  const auto root = test::temp_dir("cli_empty");
  const auto tok = (test::source_dir() / "tests" / "data" / "tokenizers" / "spm_tiny").string();
  core::write_file_atomic(root / "empty.jsonl", "");
  const std::string common = " --no-progress --set model=codessm-tiny --set tokenizer=" + tok + " --set max_steps=2";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"finetune --task classification --set dataset=devign --set train_data=" + (root / "empty.jsonl").string() +
           " --out " + (root / "cls").string() + common,
       "no examples (an empty dataset)"},
      {"finetune --task retrieval --set dataset=advtest --set train_data=" + (root / "empty.jsonl").string() +
           " --out " + (root / "ret").string() + common,
       "0 examples"},
  };
  for (const auto& [args, message] : cases) {
    std::string out;
    EXPECT_EQ(run_codessm(args, &out), 2) << args << "\n" << out;
    EXPECT_NE(out.find(message), std::string::npos) << args << "\n" << out;
    EXPECT_NE(out.find("empty.jsonl"), std::string::npos) << out;
  }
  std::string out;
  ASSERT_EQ(run_codessm("tokenizer shard --tokenizer " + tok + " --input " + (root / "empty.jsonl").string() +
                            " --out " + (root / "shards").string(),
                        &out),
            0)
      << out;
  EXPECT_EQ(run_codessm("pretrain --out " + (root / "pt").string() + " --set train_shards=" + (root / "shards").string() + common, &out), 2)
      << out;
  EXPECT_NE(out.find("holds no shard files"), std::string::npos) << out;
}
