// Shared fixtures of the train tests: a byte-level tokenizer (ids 0-4 specials, 5+b for byte b) over real
// Python stdlib sources, shards written from them, a tiny CodeSSM and a tiny TrainConfig. Everything is
// small enough that a full run takes well under a second on 2 cores.
#pragma once

#include <torch/torch.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "codessm/config/presets.h"
#include "codessm/config/train_config.h"
#include "codessm/core/io.h"
#include "codessm/data/shard_format.h"
#include "codessm/data/tokenizer.h"
#include "codessm/model/checkpoint.h"
#include "codessm/model/code_model.h"
#include "codessm/tensor/device.h"
#include "test_utils.h"

namespace codessm::test {

/// One id per byte: real code, tokenized without any trained vocabulary.
class ByteTokenizer : public data::Tokenizer {
 public:
  ByteTokenizer() {
    const char* names[] = {"<pad>", "<s>", "</s>", "<unk>", "<mask>"};
    for (auto n : names) bytes_.push_back(n);
    for (int b = 0; b < 256; ++b) bytes_.push_back(std::string(1, static_cast<char>(b)));
    set_specials({/*pad=*/0, /*bos=*/1, /*eos=*/2, /*unk=*/3, /*mask=*/4}, {});
  }
  std::string kind() const override { return "bytes"; }
  void encode(std::string_view text, std::vector<data::Token>& out) const override {
    for (uint32_t i = 0; i < text.size(); ++i)
      out.push_back({5 + static_cast<int32_t>(static_cast<unsigned char>(text[i])), i, i + 1});
  }
  const std::string& token_bytes(int32_t id) const override { return bytes_.at(id); }
  int32_t vocab_size() const override { return 261; }
  void save(const std::filesystem::path&) const override {}

 private:
  std::vector<std::string> bytes_;
};

/// The first `n_files` Python stdlib modules (of at most 20 KB; C++ sources where there is no Python 3.11) tokenized by `tok` into shards under `dir`.
inline std::filesystem::path write_python_shards(const std::filesystem::path& dir, const data::Tokenizer& tok,
                                                 size_t n_files) {
  data::ShardWriter w(dir, static_cast<uint32_t>(tok.vocab_size()), tok.fingerprint());
  // Python stdlib on the Debian dev/CI machine; elsewhere (the GPU machine) this repository's own C++ sources.
  const bool py = std::filesystem::is_directory("/usr/lib/python3.11");
  const std::filesystem::path root = py ? std::filesystem::path("/usr/lib/python3.11") : source_dir() / "src" / "model";
  std::vector<std::filesystem::path> files;
  for (auto& e : std::filesystem::directory_iterator(root))
    if (e.path().extension() == (py ? ".py" : ".cpp") && e.file_size() < 20000) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (size_t i = 0; i < files.size() && i < n_files; ++i) w.add_document(tok.encode_ids(core::read_file(files[i])));
  w.finish();
  return dir;
}

/// Every parameter of a saved checkpoint, by name (to compare runs bit for bit).
inline std::map<std::string, torch::Tensor> checkpoint_weights(const std::filesystem::path& ckpt) {
  auto m = model::load_pretrained(ckpt);
  std::map<std::string, torch::Tensor> out;
  for (auto& p : m->named_parameters()) out[p.key()] = p.value();
  return out;
}

/// codessm-tiny (d 64, 2 layers, dropout 0.1 kept on so that RNG restore is exercised), seeded.
inline model::CodeModel tiny_model(uint64_t seed) {
  tensor::set_seed(seed);
  return model::CodeModel(config::make_preset("codessm-tiny"));
}

/// A run of a few steps: L 64, B 4, 2 held-out batches, warm-up 2, checkpoint every 2 steps.
inline config::TrainConfig tiny_train_config(const std::filesystem::path& shards) {
  auto c = config::TrainConfig::for_objective(config::ObjectiveKind::kMlm);
  c.model.name = "codessm-tiny";
  c.tokenizer = "(in-memory byte tokenizer)";
  c.mlm.train_shards = shards.string();
  c.mlm.context_length = 64;
  c.optim.batch_size = 4;
  c.mlm.eval_batches = 2;
  c.run.eval_every = 3;
  c.optim.max_steps = 6;
  c.optim.lr = 2e-3;
  c.optim.warmup_steps = 2;
  c.run.log_every = 1;
  c.run.save_every = 2;
  c.run.keep_last = 2;
  c.run.spectral_monitor = false;
  return c;
}

}  // namespace codessm::test
