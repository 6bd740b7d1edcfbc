// ManyTypes4TypeScript type-inference JSONL: read (with the token/label length check) and write.
// null labels (tokens that carry no type annotation) become "" in memory and null again on disk.
#include <fmt/format.h>

#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "codessm/benchmarks/datasets.h"
#include "records.h"

namespace codessm::benchmarks {

using detail::json;
using detail::RecordSource;

std::vector<TokenExample> read_type_inference(const fs::path& path) {
  std::vector<TokenExample> out;
  detail::for_each_record(path, "ManyTypes4TypeScript", [&](const json& r, const RecordSource& src) {
    TokenExample ex;
    ex.id = detail::id_or_ordinal(r, src, {"id", "url", "path"});
    ex.tokens = detail::get_string_list(r, src, "tokens");
    const char* type = "a list of type strings or null";
    if (!detail::has(r, "labels")) detail::fail(src, "labels", "missing", fmt::format("give \"labels\" as {}", type));
    const json& labels = r.at("labels");
    if (!labels.is_array()) detail::fail(src, "labels", fmt::format("is a {}", labels.type_name()), type);
    if (labels.size() != ex.tokens.size()) {
      detail::fail(src, "labels", fmt::format("has {} entries but \"tokens\" has {}", labels.size(), ex.tokens.size()),
                   "give one label (a type or null) per token");
    }
    ex.labels.reserve(labels.size());
    for (size_t i = 0; i < labels.size(); ++i) {
      if (labels[i].is_null()) {
        ex.labels.emplace_back();
      } else if (labels[i].is_string()) {
        ex.labels.push_back(labels[i].get<std::string>());
      } else {
        detail::fail(src, "labels", fmt::format("item {} is a {}", i, labels[i].type_name()), type);
      }
    }
    out.push_back(std::move(ex));
  });
  return out;
}

void write_type_inference(const fs::path& path, const std::vector<TokenExample>& examples) {
  std::string text;
  for (const auto& ex : examples) {
    CODESSM_REQUIRE(ex.tokens.size() == ex.labels.size(), UsageError,
                    "type-inference example '{}' has {} tokens but {} labels; give one label per token", ex.id,
                    ex.tokens.size(), ex.labels.size());
    json labels = json::array();
    for (const auto& l : ex.labels) labels.push_back(l.empty() ? json(nullptr) : json(l));
    nlohmann::ordered_json j;
    j["id"] = ex.id;
    j["tokens"] = ex.tokens;
    j["labels"] = std::move(labels);
    // `replace` keeps a stray invalid byte from aborting a whole dataset build; it becomes U+FFFD.
    text += j.dump(-1, ' ', /*ensure_ascii=*/false, nlohmann::ordered_json::error_handler_t::replace);
    text += '\n';
  }
  core::write_file_atomic(path, text);
}

}  // namespace codessm::benchmarks
