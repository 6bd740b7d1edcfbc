// ExampleOrder (example_order.h) and the text → model-input helpers (model_inputs.h).
#include "codessm/train/model_inputs.h"

#include <algorithm>
#include <random>

#include "codessm/core/error.h"
#include "codessm/model/backbone.h"
#include "codessm/train/example_order.h"

namespace codessm::train {

ExampleOrder::ExampleOrder(size_t n_examples, int64_t batch_size, uint64_t seed, std::string what)
    : n_(n_examples), batch_(batch_size), seed_(seed), what_(std::move(what)) {
  CODESSM_REQUIRE(batch_ > 0 && n_ >= static_cast<size_t>(batch_), DataError,
                  "{}: {} examples, fewer than one batch of {}: add data or lower batch_size", what_, n_, batch_);
  start_epoch(0);
}

void ExampleOrder::start_epoch(uint64_t epoch) {
  // Fisher–Yates with an explicit generator (std::shuffle's algorithm is unspecified, so its order could differ
  // between standard libraries; this one is the same everywhere).
  std::mt19937_64 rng(seed_ * 0x9E3779B97F4A7C15ull + epoch + 1);
  perm_.resize(n_);
  for (size_t i = 0; i < n_; ++i) perm_[i] = i;
  for (size_t i = n_; i > 1; --i) std::swap(perm_[i - 1], perm_[rng() % i]);
  pos_ = StreamPosition{epoch, 0, 0};
}

std::vector<size_t> ExampleOrder::next() {
  if (pos_.batch >= batches_per_epoch()) start_epoch(pos_.epoch + 1);
  const size_t begin = pos_.batch * static_cast<size_t>(batch_);
  ++pos_.batch;
  return {perm_.begin() + begin, perm_.begin() + begin + batch_};
}

void ExampleOrder::restore(const StreamPosition& pos) {
  CODESSM_REQUIRE(pos.batch <= batches_per_epoch(), DataError,
                  "cannot restore data position epoch {} batch {}: {} now has {} batches per epoch (was the data "
                  "changed since the checkpoint?)",
                  pos.epoch, pos.batch, what_, batches_per_epoch());
  start_epoch(pos.epoch);
  pos_.batch = pos.batch;
}

std::vector<int32_t> encode_for_model(const data::Tokenizer& tok, const std::string& text, int64_t max_length) {
  auto ids = tok.encode_ids(text);
  const size_t keep = static_cast<size_t>(std::max<int64_t>(max_length - 2, 0));
  if (ids.size() > keep) ids.resize(keep);
  std::vector<int32_t> out;
  out.reserve(ids.size() + 2);
  out.push_back(tok.special_ids().bos);
  out.insert(out.end(), ids.begin(), ids.end());
  out.push_back(tok.special_ids().eos);
  return out;
}

model::ModelInput pad_batch(const std::vector<std::vector<int32_t>>& seqs, int32_t pad) {
  CODESSM_CHECK(!seqs.empty(), "pad_batch of no sequence");
  size_t L = 1;
  for (const auto& s : seqs) L = std::max(L, s.size());
  const int64_t B = static_cast<int64_t>(seqs.size());
  auto ids = torch::full({B, static_cast<int64_t>(L)}, static_cast<int64_t>(pad), torch::kInt64);  // i64(B L)
  auto mask = torch::zeros({B, static_cast<int64_t>(L)}, torch::kInt64);                           // i64(B L)
  auto ia = ids.accessor<int64_t, 2>();
  auto ma = mask.accessor<int64_t, 2>();
  for (int64_t b = 0; b < B; ++b)
    for (size_t t = 0; t < seqs[b].size(); ++t) {
      ia[b][t] = seqs[b][t];
      ma[b][t] = 1;
    }
  model::ModelInput in;
  in.input_ids = ids;
  in.attention_mask = mask;
  return in;
}

uint64_t real_tokens(const model::ModelInput& in) {
  return static_cast<uint64_t>(in.attention_mask.sum().item<int64_t>());
}

model::ModelInput to_device(const model::ModelInput& in, const torch::Device& device) {
  model::ModelInput out;
  out.input_ids = in.input_ids.to(device);
  out.attention_mask = in.attention_mask.to(device);
  if (in.token_type_ids.defined()) out.token_type_ids = in.token_type_ids.to(device);
  return out;
}

torch::Tensor sentence_embedding(model::CodeModel& model, const model::ModelInput& in, config::Pooling pooling) {
  if (pooling == config::Pooling::kPooler) return model->embed(in);
  auto h = model->encode(in, false).last_hidden;  // r(B L D)
  return model::masked_mean(h, in.attention_mask);  // r(B D)
}

}  // namespace codessm::train
