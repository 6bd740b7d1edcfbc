// The GPT-2 pre-tokenizer: splits text into the words that BPE merges never cross, matching the regex
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// with JavaScript (`u` flag) semantics, as OpenAI's encoder.py and its npm port Encoder.js apply it.
// Hand-written rather than std::regex: std::regex has no \p{..} classes and backtracks exponentially.
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace codessm::data {

/// Byte span `[first, second)` of one pre-token.
using ByteRange = std::pair<uint32_t, uint32_t>;

/// Appends the byte spans of the pre-tokens of `text` to `out`; offsets are relative to `text` plus
/// `base`. Spans are contiguous and cover `text` exactly. Invalid UTF-8 bytes count as one
/// "other" (punctuation-like) character each.
void pretokenize_gpt2(std::string_view text, uint32_t base, std::vector<ByteRange>& out);

}  // namespace codessm::data
