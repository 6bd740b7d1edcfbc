// Matching of added tokens before pre-tokenization (Hugging Face `AddedVocabulary` semantics:
// leftmost, then longest match; lstrip/rstrip swallow adjacent whitespace).
#include "codessm/data/added_tokens.h"

#include <limits>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "codessm/core/error.h"

namespace codessm::data {

namespace {
bool is_ascii_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }
}  // namespace

void AddedTokens::add(AddedToken token) {
  CODESSM_REQUIRE(!token.content.empty(), UsageError, "added token with id {} has empty content", token.id);
  tokens_.push_back(std::move(token));
  auto& bucket = by_first_byte_[static_cast<unsigned char>(tokens_.back().content[0])];
  bucket.push_back(static_cast<uint32_t>(tokens_.size() - 1));
  std::stable_sort(bucket.begin(), bucket.end(),
                   [&](uint32_t a, uint32_t b) { return tokens_[a].content.size() > tokens_[b].content.size(); });
}

size_t AddedTokens::match_at(std::string_view text, size_t i, size_t& index) const {
  const auto& bucket = by_first_byte_[static_cast<unsigned char>(text[i])];
  for (uint32_t k : bucket) {
    const std::string& c = tokens_[k].content;
    if (text.size() - i >= c.size() && text.compare(i, c.size(), c) == 0) {
      index = k;
      return c.size();
    }
  }
  return 0;
}

void AddedTokens::split(std::string_view text, std::vector<TextSegment>& out) const {
  const auto n = static_cast<uint32_t>(text.size());
  if (tokens_.empty()) {
    if (n > 0) out.push_back({0, n, -1});
    return;
  }
  uint32_t plain_begin = 0;
  for (uint32_t i = 0; i < n;) {
    size_t k = 0;
    size_t len = by_first_byte_[static_cast<unsigned char>(text[i])].empty() ? 0 : match_at(text, i, k);
    if (len == 0) {
      ++i;
      continue;
    }
    const AddedToken& t = tokens_[k];
    uint32_t begin = i, end = i + static_cast<uint32_t>(len);
    if (t.lstrip) {
      while (begin > plain_begin && is_ascii_space(text[begin - 1])) --begin;
    }
    if (t.rstrip) {
      while (end < n && is_ascii_space(text[end])) ++end;
    }
    if (begin > plain_begin) out.push_back({plain_begin, begin, -1});
    out.push_back({begin, end, t.id});
    plain_begin = i = end;
  }
  if (plain_begin < n) out.push_back({plain_begin, n, -1});
}

nlohmann::json AddedTokens::to_json() const {
  auto arr = nlohmann::json::array();
  for (const auto& t : tokens_) {
    arr.push_back({{"content", t.content}, {"id", t.id}, {"special", t.special}, {"lstrip", t.lstrip},
                   {"rstrip", t.rstrip}});
  }
  return arr;
}

AddedTokens AddedTokens::from_json(const nlohmann::json& j, const std::string& where) {
  CODESSM_REQUIRE(j.is_array(), DataError, "{}: 'added_tokens' must be an array", where);
  AddedTokens out;
  for (const auto& e : j) {
    CODESSM_REQUIRE(e.is_object() && e.contains("content") && e.contains("id"), DataError,
                    "{}: every added token needs 'content' and 'id' (got {})", where, e.dump());
    AddedToken t;
    const auto& content = e.at("content");
    const auto& id = e.at("id");
    CODESSM_REQUIRE(content.is_string() && !content.get<std::string>().empty(), DataError,
                    "{}: added token {} needs a non-empty string 'content'", where, e.dump());
    // get<int32_t>() would wrap 2^32 + 5 to 5, giving two tokens one id.
    CODESSM_REQUIRE(id.is_number_integer() && (id.is_number_unsigned() || id.get<int64_t>() >= 0) &&
                        id.get<uint64_t>() < static_cast<uint64_t>(std::numeric_limits<int32_t>::max()),
                    DataError, "{}: added token '{}' has id {}; ids are integers in [0, 2^31 - 1)", where,
                    content.get<std::string>(), id.dump());
    t.content = content.get<std::string>();
    t.id = static_cast<int32_t>(id.get<int64_t>());
    t.special = e.value("special", true);
    t.lstrip = e.value("lstrip", false);
    t.rstrip = e.value("rstrip", false);
    out.add(std::move(t));
  }
  return out;
}

}  // namespace codessm::data
