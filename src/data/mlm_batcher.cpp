#include "codessm/data/mlm_batcher.h"

#include "codessm/core/error.h"

namespace codessm::data {

MlmBatcher::MlmBatcher(const fs::path& shards, const Tokenizer& tok, MlmBatcherOptions options)
    : dataset_(shards), masker_(tok, options.mlm), options_(options), specials_(tok.special_ids()) {
  CODESSM_REQUIRE(options_.batch_size > 0, UsageError, "--batch-size must be > 0, got {}", options_.batch_size);
  CODESSM_REQUIRE(specials_.pad >= 0, UsageError, "MLM batches need a <pad> token; the {} tokenizer has none",
                  tok.kind());
  CODESSM_REQUIRE(dataset_.vocab_size() == static_cast<uint32_t>(tok.vocab_size()) &&
                      dataset_.tokenizer_fingerprint() == tok.fingerprint(),
                  DataError,
                  "shards in '{}' were written by another tokenizer (vocab {} fingerprint {:016x}) than the one given "
                  "(vocab {} fingerprint {:016x}); re-shard or pass the matching --tokenizer",
                  shards.string(), dataset_.vocab_size(), dataset_.tokenizer_fingerprint(), tok.vocab_size(),
                  tok.fingerprint());
  start_epoch(0);
}

void MlmBatcher::start_epoch(uint64_t epoch) {
  epoch_ = epoch;
  sequence_index_ = 0;
  dataset_.rewind();
  packer_ = std::make_unique<SequencePacker>([this](std::vector<int32_t>& d) { return dataset_.next_document(d); },
                                             specials_, options_.packing);
}

std::optional<MlmBatch> MlmBatcher::next() {
  const int64_t B = options_.batch_size, L = options_.packing.context_length;
  std::vector<std::vector<int32_t>> seqs;
  std::vector<int32_t> seq;
  while (static_cast<int64_t>(seqs.size()) < B && packer_->next(seq)) seqs.push_back(seq);
  if (seqs.empty() || (!options_.keep_last && static_cast<int64_t>(seqs.size()) < B)) return std::nullopt;
  const int64_t b = static_cast<int64_t>(seqs.size());
  auto input_ids = torch::full({b, L}, specials_.pad, torch::kLong);  // (B, L)
  auto attention = torch::zeros({b, L}, torch::kLong);                // (B, L)
  auto labels = torch::full({b, L}, kIgnoreLabel, torch::kLong);      // (B, L)
  auto ids_a = input_ids.accessor<int64_t, 2>();
  auto att_a = attention.accessor<int64_t, 2>();
  auto lab_a = labels.accessor<int64_t, 2>();
  std::vector<int32_t> lab;
  for (int64_t r = 0; r < b; ++r) {
    auto& s = seqs[r];
    lab.resize(s.size());
    // One random stream per (epoch, sequence): the epoch goes in the high bits.
    masker_.apply(s.data(), lab.data(), s.size(), (epoch_ << 40) ^ sequence_index_++);
    for (size_t t = 0; t < s.size(); ++t) {
      ids_a[r][t] = s[t];
      att_a[r][t] = 1;
      lab_a[r][t] = lab[t];
    }
  }
  return MlmBatch{input_ids, attention, labels};
}

}  // namespace codessm::data
