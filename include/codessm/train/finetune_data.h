// Building blocks of the fine-tuning objectives: a resumable shuffled order over examples, and text -> padded
// model inputs. Shapes: B batch, L the longest sequence of the batch.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "codessm/data/tokenizer.h"
#include "codessm/model/code_model.h"
#include "codessm/train/mlm_stream.h"

namespace codessm::train {

/// Batches of example indices, epoch after epoch, each epoch a fresh permutation that is a pure function of
/// (seed, epoch) — so the position {epoch, batch} is the whole state (exact resume, as MlmStream). The last
/// incomplete batch of an epoch is dropped (in-batch negatives need full batches); fewer examples than one
/// batch is a DataError naming `what`.
class ExampleOrder {
 public:
  ExampleOrder(size_t n_examples, int64_t batch_size, uint64_t seed, std::string what);
  std::vector<size_t> next();
  const StreamPosition& position() const { return pos_; }
  void restore(const StreamPosition& pos);
  size_t batches_per_epoch() const { return n_ / static_cast<size_t>(batch_); }

 private:
  void start_epoch(uint64_t epoch);
  size_t n_;
  int64_t batch_;
  uint64_t seed_;
  std::string what_;
  std::vector<size_t> perm_;
  StreamPosition pos_;
};

/// <s> + the first max_length-2 ids of `text` + </s> (the tokenizer's specials).
std::vector<int32_t> encode_for_model(const data::Tokenizer& tok, const std::string& text, int64_t max_length);

/// Right-pads sequences with `pad` into input_ids i64(B L) and attention_mask i64(B L) (CPU).
model::ModelInput pad_batch(const std::vector<std::vector<int32_t>>& seqs, int32_t pad);

/// Real tokens of a padded batch (for tokens/s).
uint64_t real_tokens(const model::ModelInput& in);

/// Moves input_ids / attention_mask to `device`.
model::ModelInput to_device(const model::ModelInput& in, const torch::Device& device);

/// For its scope: eval mode (no dropout) and no gradients; the previous train/eval mode is restored after.
class ScopedEvalMode {
 public:
  explicit ScopedEvalMode(model::CodeModel& model) : model_(model), was_training_(model->is_training()) {
    model_->eval();
  }
  ~ScopedEvalMode() {
    if (was_training_) model_->train();
  }
  ScopedEvalMode(const ScopedEvalMode&) = delete;
  ScopedEvalMode& operator=(const ScopedEvalMode&) = delete;

 private:
  torch::NoGradGuard no_grad_;
  model::CodeModel& model_;
  bool was_training_;
};

/// Sentence embeddings r(B D): "mean" = masked mean of the last hidden states (padding excluded), "pooler" =
/// the model's pooled output (BiGS: masked mean -> dense -> tanh; BERT: token 0 -> dense -> tanh).
torch::Tensor sentence_embedding(model::CodeModel& model, const model::ModelInput& in, const std::string& pooling);

}  // namespace codessm::train
