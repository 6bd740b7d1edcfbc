// The example order of a fine-tuning training set: batches of example indices, epoch after epoch, each epoch a
// fresh permutation that is a pure function of (seed, epoch) — so the position {epoch, batch} is the whole
// state (exact resume, as MlmStream's).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "codessm/train/train_state.h"

namespace codessm::train {

/// The last incomplete batch of an epoch is dropped (in-batch negatives need full batches); fewer examples than
/// one batch is a DataError naming `what`.
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

}  // namespace codessm::train
