// Byte-level BPE (GPT-2 / RoBERTa / CodeT5p): added tokens are matched first, the rest is split by
// the GPT-2 pre-tokenizer, each pre-token's bytes are merged by rank (Sennrich et al. 2016, as in
// OpenAI's encoder.py), and results are cached per pre-token. Loads Hugging Face files.
#pragma once

#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "codessm/data/added_tokens.h"
#include "codessm/data/tokenizer.h"

namespace codessm::data {

/// The vocabulary and merges of a byte-level BPE, in the "byte-to-unicode" string form that
/// vocab.json / merges.txt / tokenizer.json use (GPT-2's `bytes_to_unicode`, e.g. "Ġdef" = " def").
struct ByteBpeFiles {
  std::vector<std::pair<std::string, int32_t>> vocab;     ///< token string → id
  std::vector<std::pair<std::string, std::string>> merges;  ///< in rank order
  AddedTokens added;                                        ///< matched before pre-tokenization
  std::string source = "vocabulary";                        ///< the file the vocabulary came from, for errors
};

/// Reads vocab.json + merges.txt (+ added_tokens.json, special_tokens_map.json) from `dir`. OpenAI's
/// original names for the same two files are encoder.json + vocab.bpe.
ByteBpeFiles read_vocab_merges(const fs::path& dir, const std::string& vocab_name = "vocab.json",
                               const std::string& merges_name = "merges.txt");
/// Reads a Hugging Face tokenizer.json whose model is BPE (merges as "a b" strings or [a, b] pairs).
ByteBpeFiles read_hf_tokenizer_json(const fs::path& file);

/// GPT-2's reversible map from bytes to printable code points (`bytes_to_unicode` in encoder.py).
char32_t byte_to_unicode(uint8_t b);
/// The bytes a token string in byte-to-unicode form stands for; throws DataError naming `where` when a
/// character is outside the map.
std::string unicode_token_to_bytes(std::string_view token, const std::string& where);
/// The byte-to-unicode form of raw bytes (inverse of unicode_token_to_bytes).
std::string bytes_to_unicode_token(std::string_view bytes);

/// Byte-level BPE tokenizer. Special ids are taken from the added tokens named `<pad>`, `<s>`, `</s>`,
/// `<unk>`, `<mask>`. GPT-2's `<|endoftext|>` is not an added token in its files, so, as in the
/// reference encoder, it is encoded as plain text.
class ByteBpeTokenizer : public Tokenizer {
 public:
  explicit ByteBpeTokenizer(ByteBpeFiles files, size_t cache_capacity = 1 << 18);

  std::string kind() const override { return "byte_bpe"; }
  void encode(std::string_view text, std::vector<Token>& out) const override;
  const std::string& token_bytes(int32_t id) const override;
  int32_t vocab_size() const override { return static_cast<int32_t>(id_bytes_.size()); }
  /// Writes vocab.json, merges.txt and codessm_tokenizer.json (with the added tokens).
  void save(const fs::path& dir) const override;

  /// Number of merge rules.
  size_t num_merges() const { return merges_.size(); }

 private:
  /// Appends the BPE tokens of one pre-token (raw bytes at `base`).
  void encode_word(std::string_view word, uint32_t base, std::vector<Token>& out) const;
  /// The merged pieces of a word as (id, byte length) pairs, uncached.
  std::vector<std::pair<int32_t, uint32_t>> merge_word(std::string_view word) const;

  struct MergeRule {
    int32_t rank;
    int32_t merged;
  };
  static uint64_t pair_key(int32_t a, int32_t b) { return (uint64_t(uint32_t(a)) << 32) | uint32_t(b); }

  std::vector<std::string> id_bytes_;      // id → raw bytes (added tokens: their content)
  std::vector<std::string> id_unicode_;    // id → byte-to-unicode string, for save()
  std::unordered_map<std::string, int32_t> bytes_to_id_;
  int32_t byte_id_[256];                   // the id of each single byte, -1 if absent
  std::unordered_map<uint64_t, MergeRule> merge_rules_;
  std::vector<std::pair<std::string, std::string>> merges_;  // unicode form, for save()
  AddedTokens added_;

  size_t cache_capacity_;
  mutable std::mutex cache_mutex_;
  mutable std::unordered_map<std::string, std::vector<std::pair<int32_t, uint32_t>>> cache_;
};

}  // namespace codessm::data
