// Turns a stream of documents into model-length sequences, by packing (concatenate `<s> doc </s>` for
// every document and cut every `context_length` tokens: no padding, documents may straddle sequences)
// or by truncation (one sequence per document, `<s> doc[:L-2] </s>`, the rest of a long document is
// dropped, shorter ones are padded later).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "codessm/data/tokenizer.h"

namespace codessm::data {

/// Runtime knobs of SequencePacker.
struct PackingOptions {
  int64_t context_length = 512;  ///< L, the model's sequence length
  bool pack = true;              ///< true: packing; false: truncation
  bool add_bos_eos = true;       ///< wrap each document in <s> ... </s>
};

/// Pulls documents from `next_document` and yields sequences of at most context_length ids.
class SequencePacker {
 public:
  using DocumentFn = std::function<bool(std::vector<int32_t>& doc)>;

  SequencePacker(DocumentFn next_document, const SpecialIds& specials, PackingOptions options);

  /// The next sequence (length L when packing, except possibly the last; <= L when truncating).
  bool next(std::vector<int32_t>& seq);

 private:
  /// Appends the next document (with bos/eos) to buffer_; false when the documents are exhausted.
  bool pull_document();

  DocumentFn next_document_;
  SpecialIds specials_;
  PackingOptions options_;
  std::vector<int32_t> doc_, buffer_;
  size_t buffer_pos_ = 0;
};

}  // namespace codessm::data
