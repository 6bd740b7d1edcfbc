// Our own code tokenizer: SentencePiece BPE (Kudo & Richardson 2018; Debian libsentencepiece 0.1.97)
// trained so that code round-trips byte for byte: identity normalization, no dummy prefix, no
// whitespace folding, whitespace-only pieces (indentation), "\n" as an atomic piece, byte fallback.
// Ids: pad 0, bos <s> 1, eos </s> 2, unk 3, <mask> 4, "\n" 5, then learned pieces; the sentinels
// <extra_id_i> come after the SentencePiece vocabulary, T5/CodeT5-style (<extra_id_0> is the last id).
#pragma once

#include <array>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "codessm/data/added_tokens.h"
#include "codessm/data/tokenizer.h"

namespace codessm::data {

/// Options of `codessm tokenizer train` (runtime knobs; the result is described by the saved folder).
struct SentencePieceTrainOptions {
  /// Pieces in the SentencePiece model (specials + 256 byte pieces + learned). CodeT5p: 32000.
  int vocab_size = 32000;
  /// `<extra_id_*>` sentinels appended after the model's pieces (CodeT5p: 100, total 32100). 0 disables.
  int num_sentinels = 100;
  /// "bpe" or "unigram".
  std::string model_type = "bpe";
  /// Share of characters the model must cover; the rest falls back to byte pieces.
  double character_coverage = 0.9999;
  /// Split runs of digits into single digits (keeps numbers from eating the vocabulary).
  bool split_digits = true;
  /// Documents are cut into training "sentences" of at most this many bytes, at line ends.
  int max_sentence_bytes = 4096;
  /// At most this many sentences are sampled for training (0 = all).
  int64_t input_sentence_size = 2000000;
  /// Trainer threads.
  int num_threads = 2;
};

/// A source of training documents: call `next(doc)` until it returns false.
using DocumentSource = std::function<bool(std::string& doc)>;

/// SentencePiece-backed tokenizer with byte offsets and sentinel added tokens.
class SentencePieceTokenizer : public Tokenizer {
 public:
  /// Loads from a serialized SentencePiece model proto plus the sentinel tokens.
  SentencePieceTokenizer(const std::string& model_proto, AddedTokens sentinels);
  ~SentencePieceTokenizer() override;

  /// Trains on the documents of `source` and returns the tokenizer (save() it to keep it).
  static std::unique_ptr<SentencePieceTokenizer> train(const SentencePieceTrainOptions& options,
                                                       const DocumentSource& source);
  /// Loads a codessm folder of kind "sentencepiece".
  static std::unique_ptr<SentencePieceTokenizer> load(const fs::path& dir);

  std::string kind() const override { return "sentencepiece"; }
  void encode(std::string_view text, std::vector<Token>& out) const override;
  const std::string& token_bytes(int32_t id) const override;
  int32_t vocab_size() const override { return static_cast<int32_t>(id_bytes_.size()); }
  /// Writes spm.model and codessm_tokenizer.json.
  void save(const fs::path& dir) const override;

 private:
  void* sp_ = nullptr;  // SentencePieceProcessor inside the isolated shim library (src/data/spm_library.h)
  std::string model_proto_;
  AddedTokens sentinels_;
  std::vector<std::string> id_bytes_;  // surface bytes: "▁" → " ", <0xAB> → byte 0xAB
  std::vector<bool> is_byte_piece_;
  std::array<int32_t, 256> byte_piece_id_;  // id of <0xAB> for byte 0xAB, -1 when the model has none
  int32_t unk_id_ = -1;

  /// Encodes bytes that are not valid UTF-8 (SentencePiece would turn them into U+FFFD): one byte piece each,
  /// or <unk> for a model without byte pieces.
  void encode_invalid_byte(uint8_t byte, uint32_t offset, std::vector<Token>& out) const;
};

}  // namespace codessm::data
