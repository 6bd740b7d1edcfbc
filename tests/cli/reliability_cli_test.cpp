// The bad cases of docs/reliability.md as a user meets them: the codessm executable on bad input, checked for
// its exit code (1 usage, 2 data, 3 numerical; never a signal) and a message that names the problem.
#include <gtest/gtest.h>
#include <torch/torch.h>

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
