#include "codessm/data/sequence_packer.h"

#include "codessm/core/error.h"

namespace codessm::data {

SequencePacker::SequencePacker(DocumentFn next_document, const SpecialIds& specials, PackingOptions options)
    : next_document_(std::move(next_document)), specials_(specials), options_(options) {
  CODESSM_REQUIRE(options_.context_length >= 4, UsageError, "--context-length must be >= 4, got {}",
                  options_.context_length);
  CODESSM_REQUIRE(!options_.add_bos_eos || (specials_.bos >= 0 && specials_.eos >= 0), UsageError,
                  "adding <s>/</s> needs a tokenizer with both (bos {}, eos {})", specials_.bos, specials_.eos);
}

bool SequencePacker::pull_document() {
  if (!next_document_(doc_)) return false;
  if (options_.add_bos_eos) buffer_.push_back(specials_.bos);
  buffer_.insert(buffer_.end(), doc_.begin(), doc_.end());
  if (options_.add_bos_eos) buffer_.push_back(specials_.eos);
  return true;
}

bool SequencePacker::next(std::vector<int32_t>& seq) {
  const auto L = static_cast<size_t>(options_.context_length);
  if (!options_.pack) {
    buffer_.clear();
    if (!pull_document()) return false;
    seq.assign(buffer_.begin(), buffer_.begin() + std::min(buffer_.size(), L));
    if (options_.add_bos_eos && buffer_.size() > L) seq.back() = specials_.eos;  // keep the closing </s>
    return true;
  }
  // Packing: keep at least L tokens buffered; compact the consumed prefix now and then.
  while (buffer_.size() - buffer_pos_ < L && pull_document()) {
  }
  if (buffer_pos_ >= buffer_.size()) return false;
  const size_t take = std::min(L, buffer_.size() - buffer_pos_);
  seq.assign(buffer_.begin() + buffer_pos_, buffer_.begin() + buffer_pos_ + take);
  buffer_pos_ += take;
  if (buffer_pos_ > (1u << 20)) {
    buffer_.erase(buffer_.begin(), buffer_.begin() + buffer_pos_);
    buffer_pos_ = 0;
  }
  return true;
}

}  // namespace codessm::data
