// UTF-8 decoding and the three character classes the GPT-2 pre-tokenizer regex needs:
// \p{L} (letters), \p{N} (numbers) and \s (whitespace, with JavaScript's definition, because the
// parity oracle is the npm reference encoder). Tables: src/data/unicode_tables.inc (generated).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace codessm::data {

/// Character class of one code point, as the GPT-2 regex sees it.
enum class CharClass : uint8_t { kLetter, kNumber, kSpace, kOther };

/// One decoded character: its code point and its length in bytes. An invalid or truncated UTF-8
/// sequence decodes as one byte with `valid == false` (class kOther), so every byte is covered once.
struct DecodedChar {
  char32_t cp;
  uint8_t len;
  bool valid;
};

/// Decodes the character starting at `s[i]` (`i < s.size()`). Rejects overlong forms, surrogates
/// and code points above U+10FFFF, like a strict decoder.
DecodedChar decode_utf8(std::string_view s, size_t i);

/// True when `s` is entirely valid UTF-8.
bool is_valid_utf8(std::string_view s);

/// Classifies a code point (letters L*, numbers N*, JavaScript \s whitespace, other).
CharClass classify(char32_t cp);

/// The Unicode version of the generated tables (e.g. "14.0.0").
const char* unicode_tables_version();

}  // namespace codessm::data
