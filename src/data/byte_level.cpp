// GPT-2's bytes_to_unicode map: the 188 printable bytes map to themselves, the other 68 to U+0100.. in
// byte order, so every byte sequence has a printable, whitespace-free string form (vocab.json keys).
#include <array>

#include "codessm/core/error.h"
#include "codessm/data/byte_bpe_tokenizer.h"
#include "codessm/data/unicode.h"

namespace codessm::data {

namespace {

struct ByteMaps {
  std::array<char32_t, 256> to_cp{};
  std::array<int16_t, 324> to_byte{};  // code points used are < 0x100 + 68

  ByteMaps() {
    to_byte.fill(-1);
    int n = 0;
    for (int b = 0; b < 256; ++b) {
      bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      to_cp[b] = printable ? char32_t(b) : char32_t(256 + n++);
      to_byte[to_cp[b]] = static_cast<int16_t>(b);
    }
  }
};

const ByteMaps& maps() {
  static const ByteMaps m;
  return m;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else {  // every mapped code point is below U+0800
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace

char32_t byte_to_unicode(uint8_t b) { return maps().to_cp[b]; }

std::string bytes_to_unicode_token(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) append_utf8(out, maps().to_cp[b]);
  return out;
}

std::string unicode_token_to_bytes(std::string_view token, const std::string& where) {
  std::string out;
  out.reserve(token.size());
  for (size_t i = 0; i < token.size();) {
    auto c = decode_utf8(token, i);
    int b = (c.valid && c.cp < maps().to_byte.size()) ? maps().to_byte[c.cp] : -1;
    if (b < 0) {
      throw DataError(fmt::format("{}: token '{}' has character U+{:04X} outside GPT-2's byte-to-unicode map; "
                                  "is this a byte-level BPE vocabulary?",
                                  where, std::string(token), static_cast<uint32_t>(c.cp)));
    }
    out += static_cast<char>(b);
    i += c.len;
  }
  return out;
}

}  // namespace codessm::data
