// GPT-2 pre-tokenization by direct simulation of the regex's alternatives, in order, at each position
// (a regex alternation takes the first alternative that matches, not the longest).
#include "codessm/data/gpt2_pretokenizer.h"

#include "codessm/data/unicode.h"

namespace codessm::data {

namespace {

struct Scanner {
  std::string_view s;

  CharClass class_at(size_t i, size_t& len) const {
    auto c = decode_utf8(s, i);
    len = c.len;
    return c.valid ? classify(c.cp) : CharClass::kOther;
  }

  /// End of the maximal run of characters of class `cls` starting at `i`.
  size_t run_end(size_t i, CharClass cls) const {
    size_t len;
    while (i < s.size() && class_at(i, len) == cls) i += len;
    return i;
  }

  /// Alternative 1: the English contractions, only at the start of a match and case-sensitive.
  size_t contraction_end(size_t i) const {
    static constexpr std::string_view kSuffixes[] = {"s", "t", "re", "ve", "m", "ll", "d"};
    for (auto suf : kSuffixes) {
      if (s.size() - (i + 1) >= suf.size() && s.compare(i + 1, suf.size(), suf) == 0) return i + 1 + suf.size();
    }
    return 0;
  }

  /// The end of the pre-token starting at `i`.
  size_t match_end(size_t i) const {
    if (s[i] == '\'') {
      if (size_t e = contraction_end(i)) return e;
    }
    size_t len;
    CharClass cls = class_at(i, len);
    if (s[i] == ' ' && i + 1 < s.size()) {
      // Alternatives 2-4 with their optional leading space: " word", " 123", " +=".
      size_t len2;
      CharClass next = class_at(i + 1, len2);
      if (next != CharClass::kSpace) return run_end(i + 1, next);
    }
    if (cls != CharClass::kSpace) return run_end(i, cls);
    // Alternative 5, \s+(?!\S): a whitespace run up to the end, or all but its last character when a
    // non-space follows (that last one then starts the next word, e.g. " def"). Alternative 6, \s+,
    // is the fallback when the run is a single character followed by a non-space.
    size_t end = i, last_start = i;
    while (end < s.size() && class_at(end, len) == CharClass::kSpace) {
      last_start = end;
      end += len;
    }
    if (end == s.size() || last_start == i) return end;
    return last_start;
  }
};

}  // namespace

void pretokenize_gpt2(std::string_view text, uint32_t base, std::vector<ByteRange>& out) {
  Scanner sc{text};
  for (size_t i = 0; i < text.size();) {
    size_t e = sc.match_end(i);
    out.emplace_back(base + static_cast<uint32_t>(i), base + static_cast<uint32_t>(e));
    i = e;
  }
}

}  // namespace codessm::data
