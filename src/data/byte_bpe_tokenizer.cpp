// Byte-level BPE encoding. Merge semantics follow OpenAI's encoder.py exactly: repeatedly take the
// adjacent pair with the lowest rank and merge *all* its occurrences left to right, until no pair has
// a rank. (A heap keyed by position would differ when a merged token's pair outranks the current one.)
#include "codessm/data/byte_bpe_tokenizer.h"

#include <climits>

#include <nlohmann/json.hpp>

#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "codessm/data/gpt2_pretokenizer.h"
#include "tokenizer_config.h"

namespace codessm::data {

ByteBpeTokenizer::ByteBpeTokenizer(ByteBpeFiles files, size_t cache_capacity)
    : added_(std::move(files.added)), cache_capacity_(cache_capacity) {
  // Ids are dense in every real vocabulary; a far-off id (a typo, or 2^31 - 2) would only allocate a huge table.
  const int64_t max_size = static_cast<int64_t>(files.vocab.size() + added_.tokens().size()) + (1 << 16);
  int64_t size = 0;
  for (const auto& [tok, id] : files.vocab) {
    CODESSM_REQUIRE(id >= 0, DataError, "{}: token '{}' has negative id {}", files.source, tok, id);
    CODESSM_REQUIRE(id < max_size, DataError, "{}: token '{}' has id {}, far beyond the {} tokens listed (ids of a "
                    "vocabulary run 0..N-1)", files.source, tok, id, files.vocab.size());
    size = std::max<int64_t>(size, int64_t{id} + 1);
  }
  for (const auto& t : added_.tokens()) {
    CODESSM_REQUIRE(t.id >= 0 && t.id < max_size, DataError, "{}: added token '{}' has id {}, outside [0, {})",
                    files.source, t.content, t.id, max_size);
    size = std::max<int64_t>(size, int64_t{t.id} + 1);
  }
  id_bytes_.resize(size);
  id_unicode_.resize(size);
  std::vector<bool> taken(size, false);
  for (const auto& [tok, id] : files.vocab) {
    // Two tokens with one id: one of them would decode as the other.
    CODESSM_REQUIRE(!taken[id], DataError, "{}: tokens '{}' and '{}' both have id {}; each id must name one token",
                    files.source, id_unicode_[id], tok, id);
    taken[id] = true;
    id_unicode_[id] = tok;
    id_bytes_[id] = unicode_token_to_bytes(tok, "vocabulary");
    // Two ids for one token string cannot come from a JSON object (keys are unique), only from a mangled one.
    CODESSM_REQUIRE(bytes_to_id_.emplace(id_bytes_[id], id).second, DataError,
                    "{}: token '{}' appears twice (ids {} and {})", files.source, tok, bytes_to_id_[id_bytes_[id]], id);
  }
  for (int b = 0; b < 256; ++b) {
    auto it = bytes_to_id_.find(std::string(1, static_cast<char>(b)));
    CODESSM_REQUIRE(it != bytes_to_id_.end(), DataError,
                    "vocabulary has no token for byte 0x{:02X} ('{}'): not a byte-level BPE vocabulary", b,
                    bytes_to_unicode_token(std::string(1, static_cast<char>(b))));
    byte_id_[b] = it->second;
  }
  merges_ = std::move(files.merges);
  merge_rules_.reserve(merges_.size() * 2);
  for (size_t r = 0; r < merges_.size(); ++r) {
    const auto& [a, b] = merges_[r];
    std::string ba = unicode_token_to_bytes(a, "merges"), bb = unicode_token_to_bytes(b, "merges");
    auto ia = bytes_to_id_.find(ba), ib = bytes_to_id_.find(bb), im = bytes_to_id_.find(ba + bb);
    CODESSM_REQUIRE(ia != bytes_to_id_.end() && ib != bytes_to_id_.end() && im != bytes_to_id_.end(), DataError,
                    "merge rule {} '{} {}' uses or makes a token missing from the vocabulary", r + 1, a, b);
    // A repeated pair keeps its last rank, as Python's dict(zip(merges, range(n))) does.
    merge_rules_[pair_key(ia->second, ib->second)] = {static_cast<int32_t>(r), im->second};
  }
  SpecialIds ids;
  std::vector<int32_t> extra;
  for (const auto& t : added_.tokens()) {
    CODESSM_REQUIRE(!taken[t.id] || id_bytes_[t.id] == t.content, DataError,
                    "{}: added token '{}' has id {}, which the vocabulary gives to '{}'", files.source, t.content, t.id,
                    id_unicode_[t.id]);
    id_bytes_[t.id] = t.content;
    assign_special_by_name(t.content, t.id, ids);
    if (t.special) extra.push_back(t.id);
  }
  set_specials(ids, extra);
}

const std::string& ByteBpeTokenizer::token_bytes(int32_t id) const {
  CODESSM_REQUIRE(id >= 0 && id < vocab_size(), UsageError, "token id {} is outside the vocabulary [0, {})", id,
                  vocab_size());
  return id_bytes_[id];
}

std::vector<std::pair<int32_t, uint32_t>> ByteBpeTokenizer::merge_word(std::string_view word) const {
  std::vector<std::pair<int32_t, uint32_t>> sym;  // (id, byte length)
  sym.reserve(word.size());
  for (unsigned char b : word) sym.emplace_back(byte_id_[b], 1u);
  while (sym.size() > 1) {
    int32_t best_rank = INT_MAX, a = -1, b = -1, merged = -1;
    for (size_t k = 0; k + 1 < sym.size(); ++k) {
      auto it = merge_rules_.find(pair_key(sym[k].first, sym[k + 1].first));
      if (it != merge_rules_.end() && it->second.rank < best_rank) {
        best_rank = it->second.rank;
        a = sym[k].first, b = sym[k + 1].first, merged = it->second.merged;
      }
    }
    if (merged < 0) break;
    size_t w = 0;
    for (size_t k = 0; k < sym.size(); ++w) {
      if (k + 1 < sym.size() && sym[k].first == a && sym[k + 1].first == b) {
        sym[w] = {merged, sym[k].second + sym[k + 1].second};
        k += 2;
      } else {
        sym[w] = sym[k++];
      }
    }
    sym.resize(w);
  }
  return sym;
}

void ByteBpeTokenizer::encode_word(std::string_view word, uint32_t base, std::vector<Token>& out) const {
  if (word.size() == 1) {  // the commonest case in code (punctuation, one space) needs no merging
    out.push_back({byte_id_[static_cast<unsigned char>(word[0])], base, base + 1});
    return;
  }
  std::string key(word);
  std::vector<std::pair<int32_t, uint32_t>> pieces;
  {
    std::lock_guard<std::mutex> lock(cache_mutex_);
    auto it = cache_.find(key);
    if (it != cache_.end()) pieces = it->second;
  }
  if (pieces.empty()) {
    pieces = merge_word(word);
    std::lock_guard<std::mutex> lock(cache_mutex_);
    if (cache_.size() >= cache_capacity_) cache_.clear();  // crude bound; the hot words come back at once
    cache_.emplace(std::move(key), pieces);
  }
  for (const auto& [id, len] : pieces) {
    out.push_back({id, base, base + len});
    base += len;
  }
}

void ByteBpeTokenizer::encode(std::string_view text, std::vector<Token>& out) const {
  std::vector<TextSegment> segments;
  added_.split(text, segments);
  std::vector<ByteRange> words;
  for (const auto& seg : segments) {
    if (seg.id >= 0) {
      out.push_back({seg.id, seg.begin, seg.end});
      continue;
    }
    words.clear();
    pretokenize_gpt2(text.substr(seg.begin, seg.end - seg.begin), seg.begin, words);
    for (const auto& [b, e] : words) encode_word(text.substr(b, e - b), b, out);
  }
}

void ByteBpeTokenizer::save(const fs::path& dir) const {
  core::ensure_dir(dir);
  nlohmann::json vocab = nlohmann::json::object();
  for (size_t id = 0; id < id_unicode_.size(); ++id) {
    if (!id_unicode_[id].empty()) vocab[id_unicode_[id]] = id;
  }
  core::write_file_atomic(dir / "vocab.json", vocab.dump());
  std::string merges = "#version: 0.2\n";
  for (const auto& [a, b] : merges_) merges += a + " " + b + "\n";
  core::write_file_atomic(dir / "merges.txt", merges);
  write_tokenizer_config(dir, *this, added_, {{"vocab", "vocab.json"}, {"merges", "merges.txt"}});
}

}  // namespace codessm::data
