// The training data stream: MLM batches of a shard folder, epoch after epoch, with a position that can be
// saved and restored exactly. Masks are a function of (data seed, epoch, sequence index) only
// (data::MlmMasker), so replaying an epoch up to a saved batch index reproduces the same batches: the
// position {epoch, batch} is the whole state of the stream. The first `holdout_batches` batches of every
// epoch can be reserved for evaluation (when there is no separate held-out shard folder).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "codessm/data/mlm_batcher.h"
#include "codessm/data/tokenizer.h"
#include "codessm/train/train_state.h"

namespace codessm::train {

class MlmStream {
 public:
  /// `holdout_batches` leading batches of each epoch are skipped (they form the evaluation split).
  MlmStream(const std::filesystem::path& shards, const data::Tokenizer& tok, data::MlmBatcherOptions options,
            uint64_t holdout_batches);

  /// The next training batch; starts the next epoch when one ends. Throws DataError when an epoch has no
  /// training batch (too little data for the batch size and hold-out).
  data::MlmBatch next();
  const StreamPosition& position() const { return pos_; }
  /// Moves to `pos` by replaying its epoch from the start (exact: masking is stateless).
  void restore(const StreamPosition& pos);

 private:
  void start_epoch(uint64_t epoch);

  std::filesystem::path shards_;
  std::unique_ptr<data::MlmBatcher> batcher_;
  uint64_t holdout_;
  StreamPosition pos_;
};

/// The first `n` batches of epoch 0 of a shard folder: the fixed evaluation set. With `allow_fewer` a small
/// folder gives what it has; otherwise fewer than `n` batches is a DataError naming the folder.
std::vector<data::MlmBatch> take_batches(const std::filesystem::path& shards, const data::Tokenizer& tok,
                                         data::MlmBatcherOptions options, uint64_t n, bool allow_fewer);

}  // namespace codessm::train
