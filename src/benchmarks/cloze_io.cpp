// CodeXGLUE ClozeTest-maxmin: the clozeTest.json items and the evaluator's "idx<CODESPLIT>word" files.
#include <fmt/format.h>

#include <algorithm>

#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "codessm/benchmarks/datasets.h"
#include "records.h"

namespace codessm::benchmarks {

using detail::json;
using detail::RecordSource;

namespace {

constexpr std::string_view kCodesplit = "<CODESPLIT>";
constexpr const char* kMask = "<mask>";

// Python's str.strip(), which the CodeXGLUE evaluator applies to every answers/predictions line.
std::string_view strip(std::string_view s) {
  const size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

}  // namespace

std::vector<ClozeExample> read_cloze(const fs::path& path) {
  std::vector<ClozeExample> out;
  detail::for_each_record(path, "ClozeTest-maxmin", [&](const json& r, const RecordSource& src) {
    ClozeExample ex;
    ex.id = detail::get_id(r, src, "idx");
    ex.nl_tokens = detail::get_string_list(r, src, "nl_tokens");
    ex.pl_tokens = detail::get_string_list(r, src, "pl_tokens");
    const auto masks = std::count(ex.pl_tokens.begin(), ex.pl_tokens.end(), kMask);
    if (masks != 1) {
      detail::fail(src, "pl_tokens", fmt::format("holds {} \"{}\" tokens", masks, kMask),
                   "a cloze item masks exactly one max/min token");
    }
    out.push_back(std::move(ex));
  });
  return out;
}

std::map<std::string, std::string> read_codesplit(const fs::path& path) {
  std::map<std::string, std::string> out;
  const std::string text = core::read_file(path);
  detail::for_each_line(text, [&](std::string_view raw, int64_t line_no) {
    const std::string_view line = strip(raw);
    if (line.empty()) return;
    const RecordSource src{path, line_no, -1, "CODESPLIT"};
    const char* fix = "each line is \"idx<CODESPLIT>word\" with one <CODESPLIT>";
    const size_t pos = line.find(kCodesplit);
    if (pos == std::string_view::npos) detail::fail(src, "", "has no <CODESPLIT>", fix);
    if (line.find(kCodesplit, pos + 1) != std::string_view::npos) detail::fail(src, "", "has two <CODESPLIT>", fix);
    std::string id(line.substr(0, pos));
    if (!out.emplace(id, std::string(line.substr(pos + kCodesplit.size()))).second) {
      detail::fail(src, "idx", fmt::format("'{}' appears twice", id), "give each idx one line");
    }
  });
  return out;
}

void write_codesplit(const fs::path& path, const std::vector<std::pair<std::string, std::string>>& rows) {
  std::string text;
  for (const auto& [id, word] : rows) {
    for (const auto& s : {id, word}) {
      CODESSM_REQUIRE(s.find('\n') == std::string::npos && s.find(kCodesplit) == std::string::npos, UsageError,
                      "CODESPLIT row '{}' / '{}' contains a newline or <CODESPLIT>; it would not read back", id, word);
    }
    text += id;
    text += kCodesplit;
    text += word;
    text += '\n';
  }
  core::write_file_atomic(path, text);
}

}  // namespace codessm::benchmarks
