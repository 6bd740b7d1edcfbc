// Masked-language-model corruption per Devlin et al. 2019 (BERT, §3.1 and App. A.1), as the CodeSSM
// paper uses it (model-spec §6.1): each non-special token is selected with probability 15%; a selected
// token becomes <mask> with probability 80%, a random token 10%, stays unchanged 10%; the loss is taken
// on selected tokens only. Selection is Bernoulli per token (Hugging Face DataCollatorForLanguageModeling),
// not BERT's fixed count per sequence. Deterministic: the random stream of a sequence is a function of
// (seed, stream index) only, so results do not depend on batch size, threads or call order.
#pragma once

#include <cstdint>
#include <vector>

#include "codessm/data/tokenizer.h"

namespace codessm::data {

/// Label value of unselected positions (PyTorch's CrossEntropyLoss ignore_index).
inline constexpr int32_t kIgnoreLabel = -100;

/// Runtime knobs of MLM masking.
struct MlmOptions {
  double mlm_probability = 0.15;  ///< share of (non-special) tokens selected
  double mask_ratio = 0.8;        ///< of selected: replaced by <mask>
  double random_ratio = 0.1;      ///< of selected: replaced by a random non-special token (rest: kept)
  /// Select whole words: all subwords of a word are selected together (the 80/10/10 choice is still
  /// per token, as in Google's BERT and HF). A token continues a word when it starts with an identifier
  /// byte ([A-Za-z0-9_] or non-ASCII) and the previous token ends with one ("get"+"Value", not "x"+".").
  bool whole_word = false;
  uint64_t seed = 0;
};

/// Applies MLM masking to token sequences of one vocabulary.
class MlmMasker {
 public:
  /// Takes the vocabulary size, <mask> id, special ids and word-boundary bytes from `tok`.
  MlmMasker(const Tokenizer& tok, MlmOptions options);

  /// Masks `ids[0:n]` in place and writes `labels[0:n]` (original id where selected, kIgnoreLabel elsewhere).
  /// Special tokens (pad, bos, eos, mask, sentinels, ...) are never selected. `stream` selects the
  /// random stream (use the sequence's global index, and mix in the epoch for fresh masks each epoch).
  void apply(int32_t* ids, int32_t* labels, size_t n, uint64_t stream) const;

  const MlmOptions& options() const { return options_; }

 private:
  MlmOptions options_;
  int32_t mask_id_;
  std::vector<uint8_t> special_;        // id → 1 when never masked
  std::vector<int32_t> random_pool_;    // non-special ids for the 10% random replacement
  std::vector<uint8_t> starts_ident_;   // id → first byte is an identifier byte
  std::vector<uint8_t> ends_ident_;     // id → last byte is an identifier byte
};

}  // namespace codessm::data
