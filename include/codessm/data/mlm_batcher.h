// MLM batches from token shards as LibTorch tensors: shards → documents → sequences (packing or
// truncation) → masking → padded (B, L) tensors. Streams: only the current shard is mapped.
// Shapes: B batch, L context length. All tensors int64 on CPU.
#pragma once

#include <torch/torch.h>

#include <optional>

#include "codessm/data/mlm_masking.h"
#include "codessm/data/sequence_packer.h"
#include "codessm/data/shard_format.h"

namespace codessm::data {

/// One MLM batch.
struct MlmBatch {
  torch::Tensor input_ids;       ///< (B, L) int64: masked ids, <pad> after the sequence ends
  torch::Tensor attention_mask;  ///< (B, L) int64: 1 on real tokens, 0 on padding
  torch::Tensor labels;          ///< (B, L) int64: original id where selected, -100 elsewhere
};

/// Runtime knobs of MlmBatcher.
struct MlmBatcherOptions {
  int64_t batch_size = 32;
  PackingOptions packing;
  MlmOptions mlm;
  /// Keep the last, smaller batch of an epoch (false: drop it).
  bool keep_last = true;
};

/// Iterates over MLM batches of a shard folder for one epoch at a time.
class MlmBatcher {
 public:
  /// Checks that the shards were written by `tok` (same vocabulary size and fingerprint).
  MlmBatcher(const fs::path& shards, const Tokenizer& tok, MlmBatcherOptions options);

  /// The next batch of the current epoch, or nullopt at its end.
  std::optional<MlmBatch> next();
  /// Starts epoch `epoch` from the first document; masks depend on (seed, epoch, sequence index).
  void start_epoch(uint64_t epoch);

 private:
  ShardDataset dataset_;
  MlmMasker masker_;
  MlmBatcherOptions options_;
  SpecialIds specials_;
  std::unique_ptr<SequencePacker> packer_;
  uint64_t epoch_ = 0, sequence_index_ = 0;
};

}  // namespace codessm::data
