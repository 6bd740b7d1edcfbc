// JSONL / JSON-array record iteration and checked field access for the task readers.
#include "records.h"

#include <fmt/format.h>

#include "codessm/core/error.h"
#include "codessm/core/io.h"

namespace codessm::benchmarks::detail {

namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

std::string_view strip_bom(std::string_view text) {
  return text.substr(0, kBom.size()) == kBom ? text.substr(kBom.size()) : text;
}

// The fix hint shared by every field error: what the format expects, and where it is documented.
std::string field_fix(const RecordSource& src, std::string_view field, std::string_view type) {
  return fmt::format("every {} record needs \"{}\" as {} (docs/finetune.md, Formats)",
                     src.format.empty() ? std::string("input") : src.format, field, type);
}

const json& require(const json& record, const RecordSource& src, const char* field, std::string_view type) {
  const auto it = record.find(field);
  if (it == record.end() || it->is_null()) fail(src, field, "missing", field_fix(src, field, type));
  return *it;
}

}  // namespace

std::string RecordSource::where() const {
  return element >= 0 ? fmt::format("{} element {}", file.string(), element)
                      : fmt::format("{}:{}", file.string(), line);
}

std::string RecordSource::ordinal() const {
  return std::to_string(element >= 0 ? element : line);
}

void fail(const RecordSource& src, std::string_view field, std::string_view problem, std::string_view fix) {
  const std::string what = field.empty() ? std::string() : fmt::format(" field '{}':", field);
  throw DataError(fmt::format("{}:{} {}. Fix: {}", src.where(), what, problem, fix));
}

void for_each_line(std::string_view text, const std::function<void(std::string_view, int64_t)>& fn) {
  text = strip_bom(text);
  int64_t line_no = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    fn(line, ++line_no);
    start = end + 1;
  }
}

// Visits records until `fn` returns false (so detection can stop at the first record).
static void visit_records(const fs::path& path, const std::string& format,
                          const std::function<bool(const json&, const RecordSource&)>& fn) {
  const std::string data = core::read_file(path);
  const std::string_view text = strip_bom(data);
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && text[first] == '[') {
    json array;
    try {
      array = json::parse(text);
    } catch (const json::exception& e) {  // parse_error, or out_of_range for an overflowing number
      throw DataError(
          fmt::format("{}: not a valid JSON array ({}). Fix: re-download the file; a {} release is one "
                      "JSON array of objects",
                      path.string(), e.what(), format));
    }
    for (size_t i = 0; i < array.size(); ++i) {
      const RecordSource src{path, 0, static_cast<int64_t>(i), format};
      if (!array[i].is_object()) fail(src, "", "not a JSON object", "each array element must be an {...} record");
      if (!fn(array[i], src)) return;
    }
    return;
  }
  bool more = true;
  for_each_line(text, [&](std::string_view line, int64_t line_no) {
    if (!more || line.find_first_not_of(" \t") == std::string_view::npos) return;
    const RecordSource src{path, line_no, -1, format};
    json record;
    try {
      record = json::parse(line);
    } catch (const json::exception& e) {  // parse_error, or out_of_range for an overflowing number
      fail(src, "", fmt::format("not valid JSON ({})", e.what()),
           "JSON lines files hold one complete {...} object per line");
    }
    if (!record.is_object()) fail(src, "", "not a JSON object", "each line must be one {...} record");
    more = fn(record, src);
  });
}

void for_each_record(const fs::path& path, const std::string& format, const RecordFn& fn) {
  visit_records(path, format, [&](const json& r, const RecordSource& src) {
    fn(r, src);
    return true;
  });
}

json first_record(const fs::path& path) {
  // Reads the whole file; detection runs once per file, so the second read by the reader is cheap enough.
  json first;
  visit_records(path, "input", [&](const json& r, const RecordSource&) {
    first = r;
    return false;
  });
  return first;
}

std::string key_list(const json& record) {
  if (!record.is_object()) return "none";
  std::string out;
  for (const auto& item : record.items()) out += (out.empty() ? "" : ", ") + item.key();
  return out;
}

bool has(const json& record, const char* field) {
  const auto it = record.find(field);
  return it != record.end() && !it->is_null();
}

std::string get_string(const json& record, const RecordSource& src, const char* field) {
  const json& v = require(record, src, field, "a string");
  if (!v.is_string())
    fail(src, field, fmt::format("is a {}, not a string", v.type_name()), field_fix(src, field, "a string"));
  return v.get<std::string>();
}

std::vector<std::string> get_string_list(const json& record, const RecordSource& src, const char* field) {
  const char* type = "a list of strings";
  const json& v = require(record, src, field, type);
  if (!v.is_array()) fail(src, field, fmt::format("is a {}, not a list", v.type_name()), field_fix(src, field, type));
  std::vector<std::string> out;
  out.reserve(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_string()) {
      fail(src, field, fmt::format("item {} is a {}, not a string", i, v[i].type_name()), field_fix(src, field, type));
    }
    out.push_back(v[i].get<std::string>());
  }
  return out;
}

std::string get_id(const json& record, const RecordSource& src, const char* field) {
  const char* type = "a string or an integer";
  const json& v = require(record, src, field, type);
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return v.dump();
  fail(src, field, fmt::format("is a {}", v.type_name()), field_fix(src, field, type));
}

std::string get_label(const json& record, const RecordSource& src, const char* field) {
  const char* type = "a string, an integer or a boolean";
  const json& v = require(record, src, field, type);
  if (v.is_boolean()) return v.get<bool>() ? "1" : "0";
  if (v.is_number_integer()) return v.dump();
  if (v.is_string() && !v.get<std::string>().empty()) return v.get<std::string>();
  fail(src, field, v.is_string() ? "is an empty string" : fmt::format("is a {}", v.type_name()),
       field_fix(src, field, type));
}

std::string id_or_ordinal(const json& record, const RecordSource& src, const std::vector<const char*>& fields) {
  for (const char* f : fields) {
    if (has(record, f)) return get_id(record, src, f);
  }
  return src.ordinal();
}

std::string join_tokens(const std::vector<std::string>& tokens) {
  std::string out;
  for (const auto& t : tokens) {
    if (!out.empty()) out += ' ';
    out += t;
  }
  return out;
}

}  // namespace codessm::benchmarks::detail
