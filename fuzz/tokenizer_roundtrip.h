// The tokenizer property every fuzz target checks once a tokenizer loads: decode(encode(x)) == x byte for
// byte (docs/data.md), with offsets in order and covering x.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "codessm/data/tokenizer.h"

namespace codessm::fuzz {

/// Offsets must be in order and cover `text`; with `exact`, decoding the ids must give `text` back.
inline void check_roundtrip(const data::Tokenizer& tok, std::string_view text, bool exact = true) {
  const auto tokens = tok.encode_with_offsets(text);
  std::vector<int32_t> ids;
  uint32_t cursor = 0;
  for (const auto& t : tokens) {
    if (t.begin != cursor || t.end < t.begin || t.end > text.size()) {
      std::fprintf(stderr, "token %d has offsets [%u, %u) after %u (text of %zu bytes)\n", t.id, t.begin, t.end,
                   cursor, text.size());
      std::abort();
    }
    cursor = t.end;
    ids.push_back(t.id);
  }
  if (cursor != text.size()) {
    std::fprintf(stderr, "tokens cover %u of %zu bytes\n", cursor, text.size());
    std::abort();
  }
  if (exact && tok.decode(ids) != text) {
    std::fprintf(stderr, "decode(encode(x)) != x for a %zu-byte text\n", text.size());
    std::abort();
  }
}

}  // namespace codessm::fuzz
