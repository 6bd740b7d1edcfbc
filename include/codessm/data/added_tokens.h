// Added tokens (specials such as <mask>, </s>, <extra_id_7>) are matched in the raw text *before*
// pre-tokenization, as Hugging Face tokenizers do, so they are never split into subwords.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace codessm::data {

/// One added token. `lstrip`/`rstrip`: the match also swallows the whitespace on its left/right
/// (RoBERTa's `<mask>` has lstrip, so "a <mask>" → "a", " <mask>").
struct AddedToken {
  std::string content;
  int32_t id = -1;
  bool special = true;  ///< never masked, dropped by decode(skip_special)
  bool lstrip = false;
  bool rstrip = false;
};

/// Part of a text: either plain text to tokenize (`id == -1`) or one added token.
struct TextSegment {
  uint32_t begin;
  uint32_t end;
  int32_t id;
};

/// A set of added tokens and the splitter that finds them (longest match wins at each position).
class AddedTokens {
 public:
  void add(AddedToken token);
  bool empty() const { return tokens_.empty(); }
  const std::vector<AddedToken>& tokens() const { return tokens_; }

  /// Splits `text` into plain and added-token segments, in order, covering every byte once.
  void split(std::string_view text, std::vector<TextSegment>& out) const;

  /// JSON array of {content, id, special, lstrip, rstrip} (the Hugging Face `added_tokens` shape).
  nlohmann::json to_json() const;
  /// Parses what to_json() writes; `where` names the file in errors.
  static AddedTokens from_json(const nlohmann::json& j, const std::string& where);

 private:
  /// Length of the longest token matching at `text[i]`, and its index; 0 when none.
  size_t match_at(std::string_view text, size_t i, size_t& index) const;

  std::vector<AddedToken> tokens_;
  // Indices of tokens by first byte, longest first; a bitmap makes the common no-match case one load.
  std::vector<std::vector<uint32_t>> by_first_byte_ = std::vector<std::vector<uint32_t>>(256);
};

}  // namespace codessm::data
