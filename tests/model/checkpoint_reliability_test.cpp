// Bad checkpoints and bad output folders (docs/reliability.md): a target folder that is not a checkpoint is
// never replaced, "out/" and "." work and leave no temp folder; NaN/Inf weights are refused naming the tensor;
// an untied MLM decoder (as BiGS's PyTorch code saves it) is loaded untied, never dropped; a weights file where
// a folder is expected gets a message saying so.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <torch/torch.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "codessm/config/presets.h"
#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "codessm/model/checkpoint.h"
#include "codessm/tensor/safetensors.h"
#include "test_utils.h"

using namespace codessm;
namespace fs = std::filesystem;

namespace {

model::CodeModel tiny_model(uint64_t seed = 3) {
  torch::manual_seed(seed);
  return model::CodeModel(config::make_preset("codessm-tiny"));
}

/// Names of the entries of `dir` (hidden temp folders included).
std::vector<std::string> entries(const fs::path& dir) {
  std::vector<std::string> out;
  for (auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

/// Restores the working directory at scope exit (tests that save to ".").
struct CwdGuard {
  fs::path old = fs::current_path();
  ~CwdGuard() { fs::current_path(old); }
};

/// Limits the size of files this process writes to `bytes` for the scope's lifetime: with SIGXFSZ ignored, a write
/// past it fails with EFBIG, as one on a full disk fails with ENOSPC.
struct FileSizeLimit {
  explicit FileSizeLimit(rlim_t bytes) {
    ::getrlimit(RLIMIT_FSIZE, &old_);
    old_handler_ = ::signal(SIGXFSZ, SIG_IGN);
    struct rlimit rl = old_;
    rl.rlim_cur = bytes;
    ::setrlimit(RLIMIT_FSIZE, &rl);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &old_);
    ::signal(SIGXFSZ, old_handler_);
  }
  struct rlimit old_ {};
  sighandler_t old_handler_;
};

/// Rewrites `dir/model.safetensors` with `edit` applied to the named tensors.
void edit_weights(const fs::path& dir, const std::function<void(const std::string&, torch::Tensor&)>& edit,
                  tensor::NamedTensors extra = {}) {
  tensor::NamedTensors all;
  {
    tensor::SafetensorsStore s(dir);
    for (auto& n : s.names()) {
      auto t = s.load(n);
      edit(n, t);
      all.emplace_back(n, t);
    }
  }
  for (auto& e : extra) all.push_back(e);
  tensor::save_safetensors(dir / "model.safetensors", all, {{"format", "pt"}});
}

}  // namespace

TEST(CheckpointTarget, NeverReplacesAUsersFileOrFolder) {
  auto m = tiny_model();
  const auto root = test::temp_dir("target_refuse");
  // A regular file.
  core::write_file_atomic(root / "notes.txt", "my notes\n");
  EXPECT_THROW_WITH(model::save_pretrained(m, root / "notes.txt"), UsageError, "is not a folder");
  EXPECT_EQ(core::read_file(root / "notes.txt"), "my notes\n");
  // A folder with files that is not a checkpoint.
  fs::create_directories(root / "project" / "src");
  core::write_file_atomic(root / "project" / "src" / "main.py", "print(1)\n");
  EXPECT_THROW_WITH(model::save_pretrained(m, root / "project"), UsageError, "holds files but no checkpoint");
  EXPECT_THROW_WITH(model::save_pretrained(m, root / "project/"), UsageError, "holds files but no checkpoint");
  EXPECT_EQ(core::read_file(root / "project" / "src" / "main.py"), "print(1)\n");
  // Nothing else was created next to them.
  EXPECT_EQ(entries(root), (std::vector<std::string>{"notes.txt", "project"}));
}

TEST(CheckpointTarget, EmptyFolderTrailingSlashAndDotWorkWithoutTempFolders) {
  auto m = tiny_model();
  const auto root = test::temp_dir("target_ok");
  // A new folder given with a trailing slash.
  model::save_pretrained(m, (root / "new").string() + "/");
  EXPECT_TRUE(fs::exists(root / "new" / "config.json"));
  // An existing empty folder.
  fs::create_directories(root / "empty");
  model::save_pretrained(m, root / "empty");
  EXPECT_TRUE(fs::exists(root / "empty" / "model.safetensors"));
  // An existing checkpoint is replaced (the old content is gone, the new one complete).
  auto m2 = tiny_model(11);
  model::save_pretrained(m2, root / "empty");
  auto loaded = model::load_pretrained(root / "empty");
  EXPECT_TRUE(torch::equal(loaded->named_parameters()["bigs.encoder.layer.0.dv.weight"],
                           m2->named_parameters()["bigs.encoder.layer.0.dv.weight"]));
  // "." in an empty current folder fills it in place.
  fs::create_directories(root / "here");
  {
    CwdGuard g;
    fs::current_path(root / "here");
    model::save_pretrained(m, ".");
    EXPECT_EQ(entries("."), (std::vector<std::string>{"config.json", "model.safetensors"}));
    // ... and refuses to swap out a current folder that already holds a checkpoint.
    EXPECT_THROW_WITH(model::save_pretrained(m, "."), UsageError, "current folder");
  }
  EXPECT_EQ(entries(root), (std::vector<std::string>{"empty", "here", "new"}));  // no .*.tmp-PID / .*.old-PID
  auto again = model::load_pretrained(root / "here");
  EXPECT_TRUE(torch::equal(again->named_parameters()["bigs.encoder.layer.0.dv.weight"],
                           m->named_parameters()["bigs.encoder.layer.0.dv.weight"]));
}

TEST(CheckpointLoad, NanAndInfWeightsAreRefusedNamingTheTensor) {
  for (double bad : {std::nan(""), double(INFINITY), -double(INFINITY)}) {
    auto m = tiny_model();
    const auto dir = test::temp_dir("nan_weights") / "ckpt";
    model::save_pretrained(m, dir);
    edit_weights(dir, [&](const std::string& n, torch::Tensor& t) {
      if (n == "bigs.encoder.layer.1.dv.weight") t[2][5] = bad;
    });
    EXPECT_THROW_WITH(model::load_pretrained(dir), NumericalError, "tensor 'bigs.encoder.layer.1.dv.weight' holds");
    EXPECT_THROW_WITH(model::load_pretrained(dir), NumericalError, std::isnan(bad) ? "1 NaN and 0 infinite" : "0 NaN and 1 infinite");
    // A model built separately (resume, model info) reads through load_weights: refused there too.
    auto fresh = tiny_model();
    EXPECT_THROW_WITH(model::load_weights(fresh, dir, true), NumericalError, "bigs.encoder.layer.1.dv.weight");
  }
}

TEST(CheckpointLoad, UntiedDecoderIsLoadedUntiedNotDropped) {
  // The fixture: a tied-config MLM checkpoint whose stored decoder differs from the word embeddings, which is what
  // BiGS's PyTorch code writes under current transformers (its decoder is not tied there).
  auto m = tiny_model(5);
  const auto dir = test::temp_dir("untied") / "ckpt";
  model::save_pretrained(m, dir);
  torch::manual_seed(6);
  const auto decoder = torch::randn({m->config().vocab_size, m->config().hidden_size}) * 0.02;
  edit_weights(dir, [](const std::string&, torch::Tensor&) {}, {{"cls.predictions.decoder.weight", decoder}});
  ASSERT_TRUE(model::load_config(dir).tie_word_embeddings);

  model::LoadReport rep;
  auto loaded = model::load_pretrained(dir, {}, &rep);
  EXPECT_TRUE(rep.untied_decoder);
  EXPECT_FALSE(loaded->config().tie_word_embeddings);
  auto params = loaded->named_parameters();
  ASSERT_NE(params.find("cls.predictions.decoder.weight"), nullptr);
  EXPECT_TRUE(torch::equal(params["cls.predictions.decoder.weight"], decoder));

  // The logits are those of the stored decoder: the same as a model built untied on purpose, and not those
  // of the embeddings (the silent 119% error of the old loader).
  auto cfg = model::load_config(dir);
  cfg.tie_word_embeddings = false;
  model::CodeModel untied(cfg);
  model::load_weights(untied, dir, true);
  model::CodeModel tied(model::load_config(dir));
  loaded->eval();
  untied->eval();
  tied->eval();
  torch::NoGradGuard ng;
  auto ids = torch::randint(5, 1000, {2, 7});
  auto logits = loaded->forward({ids, {}, {}}).logits;
  EXPECT_TRUE(torch::equal(logits, untied->forward({ids, {}, {}}).logits));
  // A tied model cannot take this checkpoint without dropping the decoder: refused, naming it.
  EXPECT_THROW_WITH(model::load_weights(tied, dir, true), DataError, "'cls.predictions.decoder.weight' differs");

  // A decoder equal to the embeddings (HF checkpoints that store the tied copy) still loads tied.
  const auto dir2 = test::temp_dir("tied_copy") / "ckpt";
  model::save_pretrained(m, dir2);
  const auto emb = m->named_parameters()["bigs.embeddings.word_embeddings.weight"].detach().clone();
  edit_weights(dir2, [](const std::string&, torch::Tensor&) {}, {{"cls.predictions.decoder.weight", emb}});
  model::LoadReport rep2;
  auto loaded2 = model::load_pretrained(dir2, {}, &rep2);
  EXPECT_FALSE(rep2.untied_decoder);
  EXPECT_TRUE(loaded2->config().tie_word_embeddings);
}

TEST(CheckpointLoad, WeightsFileWhereAFolderIsExpected) {
  auto m = tiny_model();
  const auto dir = test::temp_dir("weights_file") / "ckpt";
  model::save_pretrained(m, dir);
  EXPECT_THROW_WITH(model::load_pretrained(dir / "model.safetensors"), UsageError,
                    "is a weights file, but a checkpoint folder is expected");
}

// A full disk while writing (docs/reliability.md): the write fails with a DataError naming the file, the previous
// file or checkpoint survives whole, and no temporary file or folder is left behind.
TEST(CheckpointTarget, FullDiskLeavesThePreviousCheckpointAndNoTempFiles) {
  const auto root = test::temp_dir("full_disk");
  core::write_file_atomic(root / "state.json", "old content\n");
  auto m = tiny_model(1);
  model::save_pretrained(m, root / "ckpt");
  auto m2 = tiny_model(2);
  {
    FileSizeLimit limit(64 << 10);  // model.safetensors of codessm-tiny is ~730 KB
    EXPECT_THROW_WITH(core::write_file_atomic(root / "state.json", std::string(100000, 'x')), DataError,
                      "state.json.tmp.");
    EXPECT_THROW_WITH(model::save_pretrained(m2, root / "ckpt"), DataError, "model.safetensors.tmp.");
  }
  EXPECT_EQ(core::read_file(root / "state.json"), "old content\n");
  auto loaded = model::load_pretrained(root / "ckpt");
  EXPECT_TRUE(torch::equal(loaded->named_parameters()["bigs.encoder.layer.0.dv.weight"],
                           m->named_parameters()["bigs.encoder.layer.0.dv.weight"]));
  EXPECT_EQ(entries(root), (std::vector<std::string>{"ckpt", "state.json"}));
  EXPECT_EQ(entries(root / "ckpt"), (std::vector<std::string>{"config.json", "model.safetensors"}));
}
