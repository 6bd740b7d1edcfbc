#include "codessm/train/mlm_stream.h"

#include "codessm/core/error.h"

namespace codessm::train {

MlmStream::MlmStream(const std::filesystem::path& shards, const data::Tokenizer& tok,
                     data::MlmBatcherOptions options, uint64_t holdout_batches)
    : shards_(shards), batcher_(std::make_unique<data::MlmBatcher>(shards, tok, options)), holdout_(holdout_batches) {
  start_epoch(0);
}

void MlmStream::start_epoch(uint64_t epoch) {
  batcher_->start_epoch(epoch);
  pos_ = StreamPosition{epoch, 0, 0};
  for (; pos_.batch < holdout_; ++pos_.batch)
    CODESSM_REQUIRE(batcher_->next().has_value(), DataError,
                    "'{}' gives fewer than {} batches per epoch, all held out for evaluation: add data, lower "
                    "eval_batches or batch_size, or give eval_shards",
                    shards_.string(), holdout_ + 1);
}

data::MlmBatch MlmStream::next() {
  auto b = batcher_->next();
  if (!b) {
    CODESSM_REQUIRE(pos_.batch > holdout_, DataError,
                    "'{}' has no training batch in epoch {} ({} held out): add data or lower batch_size/eval_batches",
                    shards_.string(), pos_.epoch, holdout_);
    start_epoch(pos_.epoch + 1);
    b = batcher_->next();
    CODESSM_REQUIRE(b.has_value(), DataError, "'{}' has no training batch after the {} held-out ones",
                    shards_.string(), holdout_);
  }
  ++pos_.batch;
  return std::move(*b);
}

void MlmStream::restore(const StreamPosition& pos) {
  start_epoch(pos.epoch);
  while (pos_.batch < pos.batch) {
    CODESSM_REQUIRE(batcher_->next().has_value(), DataError,
                    "cannot restore data position epoch {} batch {}: '{}' now has only {} batches per epoch (were the "
                    "shards changed since the checkpoint?)",
                    pos.epoch, pos.batch, shards_.string(), pos_.batch);
    ++pos_.batch;
  }
}

std::vector<data::MlmBatch> take_batches(const std::filesystem::path& shards, const data::Tokenizer& tok,
                                         data::MlmBatcherOptions options, uint64_t n, bool allow_fewer) {
  data::MlmBatcher batcher(shards, tok, options);
  std::vector<data::MlmBatch> out;
  while (out.size() < n) {
    auto b = batcher.next();
    if (!b) break;
    out.push_back(std::move(*b));
  }
  CODESSM_REQUIRE(!out.empty() && (allow_fewer || out.size() == n), DataError,
                  "'{}' gives {} evaluation batches of {} sequences, {} needed: add data or lower eval_batches",
                  shards.string(), out.size(), options.batch_size, n);
  return out;
}

}  // namespace codessm::train
