// UTF-8 decoding and letter/number/space classification for the GPT-2 pre-tokenizer.
// Letters and numbers come from generated UCD tables (tools/gen_unicode_tables.py); whitespace is
// JavaScript's \s (ECMA-262 WhiteSpace + LineTerminator), since the parity oracle is Encoder.js.
#include "codessm/data/unicode.h"

#include <algorithm>

namespace codessm::data {

namespace {

struct CodepointRange {
  char32_t first, last;
};

#include "unicode_tables.inc"

template <size_t N>
bool in_ranges(const CodepointRange (&ranges)[N], char32_t cp) {
  auto it = std::upper_bound(std::begin(ranges), std::end(ranges), cp,
                             [](char32_t c, const CodepointRange& r) { return c < r.first; });
  if (it == std::begin(ranges)) return false;
  --it;
  return cp <= it->last;
}

// ECMA-262 \s: TAB, LF, VT, FF, CR, SPACE, NBSP, U+1680, U+2000..U+200A, LS, PS, NNBSP, MMSP,
// IDEOGRAPHIC SPACE and BOM. (Python's `regex` differs: it adds U+001C..U+001F and U+0085 and
// drops U+FEFF; we follow the oracle.)
bool is_js_space(char32_t cp) {
  if (cp < 0x80) return cp == 0x20 || (cp >= 0x09 && cp <= 0x0D);
  return cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 ||
         cp == 0x202F || cp == 0x205F || cp == 0x3000 || cp == 0xFEFF;
}

}  // namespace

DecodedChar decode_utf8(std::string_view s, size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return {b0, 1, true};
  int len;
  char32_t cp, min_cp;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1F, min_cp = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0F, min_cp = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07, min_cp = 0x10000;
  } else {
    return {b0, 1, false};
  }
  if (i + len > s.size()) return {b0, 1, false};
  for (int k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return {b0, 1, false};
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min_cp || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {b0, 1, false};
  return {cp, static_cast<uint8_t>(len), true};
}

bool is_valid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    auto c = decode_utf8(s, i);
    if (!c.valid) return false;
    i += c.len;
  }
  return true;
}

CharClass classify(char32_t cp) {
  if (cp < 0x80) {  // ASCII fast path: most code is ASCII
    if ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z') return CharClass::kLetter;
    if (cp >= '0' && cp <= '9') return CharClass::kNumber;
    return is_js_space(cp) ? CharClass::kSpace : CharClass::kOther;
  }
  if (is_js_space(cp)) return CharClass::kSpace;
  if (in_ranges(kLetterRanges, cp)) return CharClass::kLetter;
  if (in_ranges(kNumberRanges, cp)) return CharClass::kNumber;
  return CharClass::kOther;
}

const char* unicode_tables_version() { return CODESSM_UNICODE_VERSION; }

}  // namespace codessm::data
