// Private input layer of the task readers: BOM- and CRLF-tolerant line iteration, one record loop over
// JSONL and JSON-array files alike, and typed field access whose errors name the file, the line (JSONL) or
// element (array), the field and the fix. Every reader in src/tasks goes through here, so all of them
// report malformed input the same way (docs/finetune.md, Formats).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace codessm::benchmarks::detail {

namespace fs = std::filesystem;
using nlohmann::json;

/// Where a record came from. `line` is 1-based (JSONL and text files); `element` is the 0-based index of a
/// JSON-array element, -1 for line-based files. `format` names the expected format in the fix hint.
struct RecordSource {
  fs::path file;
  int64_t line = 0;
  int64_t element = -1;
  std::string format;

  /// "FILE:LINE" or "FILE element I".
  std::string where() const;
  /// The record's ordinal as an id fallback: the line number, or the element index.
  std::string ordinal() const;
};

/// Throws DataError "<where>: field '<field>': <problem>. Fix: <fix>".
[[noreturn]] void fail(const RecordSource& src, std::string_view field, std::string_view problem, std::string_view fix);

/// Calls `fn(line, line_no)` for every line of `text` (1-based numbers; a leading UTF-8 BOM and a trailing
/// '\r' are removed; the newline after the last line does not start another line).
void for_each_line(std::string_view text, const std::function<void(std::string_view, int64_t)>& fn);

/// Calls `fn(record, source)` for every record of a JSONL file or JSON-array file. The container is told by
/// the first non-blank character ('[' = array), because releases disagree with their extensions (DiverseVul
/// ships JSON lines as *.json). Empty JSONL lines are skipped; a record that is not an object is a DataError.
using RecordFn = std::function<void(const json&, const RecordSource&)>;
void for_each_record(const fs::path& path, const std::string& format, const RecordFn& fn);

/// The first record of a file (for format detection), or a null json when it has none.
json first_record(const fs::path& path);
/// The keys of a record, comma-separated, for "cannot detect the format" messages.
std::string key_list(const json& record);

/// True when `record` has `field` and it is not null.
bool has(const json& record, const char* field);
/// A string field (DataError when missing or not a string).
std::string get_string(const json& record, const RecordSource& src, const char* field);
/// A list-of-strings field.
std::vector<std::string> get_string_list(const json& record, const RecordSource& src, const char* field);
/// A string or integer field as text (ids: "idx" is a string in some releases and a number in others).
std::string get_id(const json& record, const RecordSource& src, const char* field);
/// A label as text: strings as written, integers in decimal, booleans as "1"/"0".
std::string get_label(const json& record, const RecordSource& src, const char* field);
/// The first present id field of `fields` as text, else the record's ordinal.
std::string id_or_ordinal(const json& record, const RecordSource& src, const std::vector<const char*>& fields);

/// Tokens joined by single spaces (how the CodeXGLUE scripts rebuild text from *_tokens).
std::string join_tokens(const std::vector<std::string>& tokens);

}  // namespace codessm::benchmarks::detail
