// The one tokenizer interface of codessm, with byte offsets for every token (needed to align
// tree-sitter leaves with model tokens), and the loader that picks the implementation from a folder.
// Implementations: ByteBpeTokenizer (GPT-2/RoBERTa/CodeT5p byte-level BPE from Hugging Face files) and
// SentencePieceTokenizer (our own code tokenizer). Folder layout: docs/data.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace codessm::data {

namespace fs = std::filesystem;

/// One model token and the bytes of the input it covers, `[begin, end)`. Offsets are byte offsets into
/// the encoded text. Tokens are in text order and do not overlap; a token may cover part of a
/// multi-byte UTF-8 character (byte-level pieces), and an added token with lstrip/rstrip covers the
/// whitespace it absorbed.
struct Token {
  int32_t id;
  uint32_t begin;
  uint32_t end;
};

/// Ids of the special tokens; -1 when the vocabulary has none.
struct SpecialIds {
  int32_t pad = -1;   ///< `<pad>`
  int32_t bos = -1;   ///< `<s>`
  int32_t eos = -1;   ///< `</s>`
  int32_t unk = -1;   ///< `<unk>`
  int32_t mask = -1;  ///< `<mask>`
};

/// The name of the file that makes a folder a codessm tokenizer folder.
inline constexpr const char* kTokenizerConfigFile = "codessm_tokenizer.json";
/// Version of codessm_tokenizer.json; a newer one fails to load with a message that says so.
inline constexpr int kTokenizerFormatVersion = 1;

/// A tokenizer: text → tokens with byte offsets, ids → text. Encoding is const and thread-safe.
class Tokenizer {
 public:
  virtual ~Tokenizer() = default;

  /// "byte_bpe" or "sentencepiece".
  virtual std::string kind() const = 0;
  /// Appends the tokens of `text` to `out` (offsets relative to `text`). Adds no bos/eos.
  virtual void encode(std::string_view text, std::vector<Token>& out) const = 0;
  /// The raw bytes a token stands for (its content string for special/added tokens).
  virtual const std::string& token_bytes(int32_t id) const = 0;
  /// Number of ids (including special and added tokens).
  virtual int32_t vocab_size() const = 0;
  /// Writes the tokenizer to `dir` (created) so that load_tokenizer(dir) gives it back.
  virtual void save(const fs::path& dir) const = 0;

  /// The tokens of `text` with offsets.
  std::vector<Token> encode_with_offsets(std::string_view text) const;
  /// The ids of `text`.
  std::vector<int32_t> encode_ids(std::string_view text) const;
  /// Concatenates token_bytes() of every id; with `skip_special`, special tokens are dropped.
  /// decode(encode(text)) == text exactly for both implementations.
  std::string decode(const std::vector<int32_t>& ids, bool skip_special = false) const;

  const SpecialIds& special_ids() const { return special_; }
  /// True for pad/bos/eos/unk/mask, sentinels and every other special (never-masked) token.
  bool is_special(int32_t id) const { return id >= 0 && id < (int32_t)special_mask_.size() && special_mask_[id]; }
  /// A 64-bit fingerprint of the vocabulary (FNV-1a over every id's bytes), stored in shard headers.
  uint64_t fingerprint() const;

 protected:
  /// Fills special_mask_ from special_ and `extra` special ids; implementations call it once loaded.
  void set_specials(const SpecialIds& ids, const std::vector<int32_t>& extra);

  SpecialIds special_;
  std::vector<bool> special_mask_;
};

/// Loads a tokenizer folder: a codessm folder (codessm_tokenizer.json), or a Hugging Face byte-level BPE
/// folder (tokenizer.json, or vocab.json + merges.txt). Throws DataError naming the folder and the problem.
std::unique_ptr<Tokenizer> load_tokenizer(const fs::path& dir);

}  // namespace codessm::data
