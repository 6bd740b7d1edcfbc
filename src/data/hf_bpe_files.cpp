// Readers of the Hugging Face files a byte-level BPE tokenizer ships as: vocab.json + merges.txt
// (+ added_tokens.json, special_tokens_map.json), as GPT-2, RoBERTa and CodeT5p do, or one
// tokenizer.json. Errors name the file, the line or field, and what to fix.
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "codessm/data/byte_bpe_tokenizer.h"

namespace codessm::data {

namespace {

/// A vocabulary id as written in `file`: a JSON integer in [0, 2^31 - 1). nlohmann's get<int32_t>() would wrap
/// 2^32 + 5 to 5 silently, making two tokens share an id.
int32_t read_token_id(const nlohmann::json& v, const std::string& token, const std::string& where) {
  CODESSM_REQUIRE(v.is_number_integer(), DataError, "{}: id of token '{}' is {}, not an integer", where, token, v.dump());
  const bool negative = v.is_number_integer() && !v.is_number_unsigned() && v.get<int64_t>() < 0;
  CODESSM_REQUIRE(!negative, DataError, "{}: token '{}' has negative id {}", where, token, v.dump());
  CODESSM_REQUIRE(v.get<uint64_t>() < static_cast<uint64_t>(std::numeric_limits<int32_t>::max()), DataError,
                  "{}: token '{}' has id {}, beyond the 2^31 - 1 ids a vocabulary can have", where, token, v.dump());
  return static_cast<int32_t>(v.get<int64_t>());
}

nlohmann::json parse_json_file(const fs::path& file) {
  try {
    return nlohmann::json::parse(core::read_file(file));
  } catch (const nlohmann::json::exception& e) {
    throw DataError(fmt::format("'{}' is not valid JSON: {}", file.string(), e.what()));
  }
}

std::vector<std::pair<std::string, std::string>> read_merges_txt(const fs::path& file) {
  std::istringstream in(core::read_file(file));
  std::vector<std::pair<std::string, std::string>> merges;
  std::string line;
  for (size_t lineno = 1; std::getline(in, line); ++lineno) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || (lineno == 1 && line.rfind("#version", 0) == 0)) continue;
    auto sp = line.find(' ');
    CODESSM_REQUIRE(sp != std::string::npos && sp > 0 && sp + 1 < line.size() &&
                        line.find(' ', sp + 1) == std::string::npos,
                    DataError, "{}:{}: a merge line must be two tokens separated by one space, got '{}'",
                    file.string(), lineno, line);
    merges.emplace_back(line.substr(0, sp), line.substr(sp + 1));
  }
  return merges;
}

// The RoBERTa-family special tokens, with RoBERTa's lstrip for <mask> (tokenizer.json of roberta-base).
AddedToken conventional_special(const std::string& content, int32_t id) {
  AddedToken t{content, id};
  t.lstrip = content == "<mask>";
  return t;
}

}  // namespace

static ByteBpeFiles read_vocab_merges_fields(const fs::path& dir, const std::string& vocab_name,
                                            const std::string& merges_name);

ByteBpeFiles read_vocab_merges(const fs::path& dir, const std::string& vocab_name, const std::string& merges_name) {
  try {
    return read_vocab_merges_fields(dir, vocab_name, merges_name);
  } catch (const nlohmann::json::exception& e) {
    throw DataError(fmt::format("tokenizer folder '{}': a field has the wrong JSON type ({})", dir.string(), e.what()));
  }
}

static ByteBpeFiles read_vocab_merges_fields(const fs::path& dir, const std::string& vocab_name,
                                            const std::string& merges_name) {
  ByteBpeFiles f;
  const fs::path vocab_file = dir / vocab_name, merges_file = dir / merges_name;
  core::require_exists(vocab_file, "BPE vocabulary", "a byte-level BPE folder needs vocab.json and merges.txt");
  core::require_exists(merges_file, "BPE merges", "a byte-level BPE folder needs vocab.json and merges.txt");
  auto vocab = parse_json_file(vocab_file);
  CODESSM_REQUIRE(vocab.is_object(), DataError, "'{}' must be a JSON object token → id", vocab_file.string());
  for (auto it = vocab.begin(); it != vocab.end(); ++it) {
    f.vocab.emplace_back(it.key(), read_token_id(it.value(), it.key(), "'" + vocab_file.string() + "'"));
  }
  f.source = vocab_file.string();
  f.merges = read_merges_txt(merges_file);

  // Specials: the conventional names present in the vocabulary, then special_tokens_map.json entries,
  // then added_tokens.json (sentinels such as <extra_id_0>). Each content is added once.
  std::set<std::string> seen;
  auto add = [&](AddedToken t) {
    if (seen.insert(t.content).second) f.added.add(std::move(t));
  };
  std::map<std::string, int32_t> by_name(f.vocab.begin(), f.vocab.end());
  for (const char* name : {"<s>", "<pad>", "</s>", "<unk>", "<mask>"}) {
    if (auto it = by_name.find(name); it != by_name.end()) add(conventional_special(name, it->second));
  }
  if (fs::exists(dir / "added_tokens.json")) {
    auto j = parse_json_file(dir / "added_tokens.json");
    CODESSM_REQUIRE(j.is_object(), DataError, "'{}' must be a JSON object content → id",
                    (dir / "added_tokens.json").string());
    for (auto it = j.begin(); it != j.end(); ++it)
      add(AddedToken{it.key(), read_token_id(it.value(), it.key(), "'" + (dir / "added_tokens.json").string() + "'")});
  }
  if (fs::exists(dir / "special_tokens_map.json")) {
    auto j = parse_json_file(dir / "special_tokens_map.json");
    auto take = [&](const nlohmann::json& v) {
      std::string content = v.is_string() ? v.get<std::string>() : v.value("content", "");
      auto it = by_name.find(content);
      if (content.empty() || it == by_name.end()) return;
      AddedToken t = conventional_special(content, it->second);
      if (v.is_object()) t.lstrip = v.value("lstrip", t.lstrip), t.rstrip = v.value("rstrip", false);
      add(t);
    };
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (it.value().is_array()) {
        for (const auto& v : it.value()) take(v);
      } else {
        take(it.value());
      }
    }
  }
  return f;
}

static ByteBpeFiles read_hf_tokenizer_json_fields(const fs::path& file);

ByteBpeFiles read_hf_tokenizer_json(const fs::path& file) {
  try {
    return read_hf_tokenizer_json_fields(file);
  } catch (const nlohmann::json::exception& e) {
    throw DataError(fmt::format("'{}': a field has the wrong JSON type ({})", file.string(), e.what()));
  }
}

static ByteBpeFiles read_hf_tokenizer_json_fields(const fs::path& file) {
  auto j = parse_json_file(file);
  const std::string where = file.string();
  CODESSM_REQUIRE(j.contains("model") && j["model"].is_object(), DataError, "{}: no 'model' object", where);
  const auto& model = j["model"];
  CODESSM_REQUIRE(model.value("type", "BPE") == "BPE", DataError,
                  "{}: model.type is '{}'; only byte-level BPE tokenizer.json files are supported", where,
                  model.value("type", ""));
  CODESSM_REQUIRE(model.contains("vocab") && model["vocab"].is_object() && model.contains("merges"), DataError,
                  "{}: model needs 'vocab' (object) and 'merges' (array)", where);
  ByteBpeFiles f;
  for (auto it = model["vocab"].begin(); it != model["vocab"].end(); ++it) {
    f.vocab.emplace_back(it.key(), read_token_id(it.value(), it.key(), where + ": model.vocab"));
  }
  f.source = where;
  size_t r = 0;
  for (const auto& m : model["merges"]) {
    ++r;
    if (m.is_array() && m.size() == 2) {  // tokenizers >= 0.20 writes [a, b]
      f.merges.emplace_back(m[0].get<std::string>(), m[1].get<std::string>());
      continue;
    }
    std::string s = m.is_string() ? m.get<std::string>() : "";
    auto sp = s.find(' ');
    CODESSM_REQUIRE(sp != std::string::npos && sp > 0 && sp + 1 < s.size(), DataError,
                    "{}: model.merges[{}] must be \"a b\" or [\"a\", \"b\"], got {}", where, r - 1, m.dump());
    f.merges.emplace_back(s.substr(0, sp), s.substr(sp + 1));
  }
  if (j.contains("added_tokens") && !j["added_tokens"].is_null()) {
    f.added = AddedTokens::from_json(j["added_tokens"], where);
  }
  return f;
}

}  // namespace codessm::data
