// UTF-8 validation (RFC 3629 table 3-7 ranges) and the binary test.
#include "codessm/corpus/content_check.h"

#include <cstdint>
#include <cstring>

namespace codessm::corpus {

bool is_valid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  const size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    const uint8_t c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint8_t lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c == 0xE0) {
      len = 3, lo = 0xA0;  // no overlongs
    } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
      len = 3;
    } else if (c == 0xED) {
      len = 3, hi = 0x9F;  // no UTF-16 surrogates
    } else if (c == 0xF0) {
      len = 4, lo = 0x90;
    } else if (c >= 0xF1 && c <= 0xF3) {
      len = 4;
    } else if (c == 0xF4) {
      len = 4, hi = 0x8F;  // nothing above U+10FFFF
    } else {
      return false;
    }
    if (i + len > n || p[i + 1] < lo || p[i + 1] > hi) return false;
    for (size_t k = 2; k < len; ++k)
      if (p[i + k] < 0x80 || p[i + k] > 0xBF) return false;
    i += len;
  }
  return true;
}

ContentIssue check_content(std::string_view bytes) {
  if (bytes.empty()) return ContentIssue::kEmpty;
  if (std::memchr(bytes.data(), '\0', bytes.size()) != nullptr) return ContentIssue::kBinary;
  if (!is_valid_utf8(bytes)) return ContentIssue::kInvalidUtf8;
  return ContentIssue::kOk;
}

}  // namespace codessm::corpus
