// Private helpers shared by the tokenizer implementations: codessm_tokenizer.json (the folder's
// manifest; docs/data.md) and recognising special tokens by their conventional names.
#pragma once

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "codessm/data/added_tokens.h"
#include "codessm/data/tokenizer.h"

namespace codessm::data {

/// Sets the matching field of `ids` when `content` is one of <pad>, <s>, </s>, <unk>, <mask>.
void assign_special_by_name(const std::string& content, int32_t id, SpecialIds& ids);

/// Writes `dir`/codessm_tokenizer.json: format_version, kind, vocab_size, special ids, added tokens,
/// fingerprint and the implementation's own files (`files`: role → file name in `dir`).
void write_tokenizer_config(const fs::path& dir, const Tokenizer& tok, const AddedTokens& added,
                            const std::map<std::string, std::string>& files);

/// Reads and validates `dir`/codessm_tokenizer.json (magic version, kind present).
nlohmann::json read_tokenizer_config(const fs::path& dir);

}  // namespace codessm::data
