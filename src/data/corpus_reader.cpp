// Streaming JSONL / source-file corpus reader.
#include "codessm/data/corpus_reader.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "codessm/core/error.h"
#include "codessm/core/io.h"

namespace codessm::data {

namespace {
bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
bool is_jsonl(const fs::path& p) { return ends_with(p.filename().string(), ".jsonl"); }
}  // namespace

CorpusReader::CorpusReader(const std::vector<fs::path>& inputs, CorpusOptions options) : options_(std::move(options)) {
  CODESSM_REQUIRE(!inputs.empty(), UsageError, "no corpus input given (--input FILE_OR_FOLDER ...)");
  CODESSM_REQUIRE(!options_.fields.empty(), UsageError, "--field needs at least one JSONL field name");
  for (const auto& in : inputs) {
    core::require_exists(in, "corpus input", "give JSONL files, source files or folders");
    if (!fs::is_directory(in)) {
      files_.push_back(in);
      continue;
    }
    std::vector<fs::path> found;
    for (const auto& e : fs::recursive_directory_iterator(in, fs::directory_options::skip_permission_denied)) {
      if (!e.is_regular_file()) continue;
      const std::string name = e.path().filename().string();
      bool take = is_jsonl(e.path()) || std::any_of(options_.extensions.begin(), options_.extensions.end(),
                                                     [&](const std::string& x) { return ends_with(name, x); });
      if (take) found.push_back(e.path());
    }
    std::sort(found.begin(), found.end());
    files_.insert(files_.end(), found.begin(), found.end());
  }
  for (const auto& f : files_) total_bytes_ += fs::file_size(f);
}

CorpusReader::~CorpusReader() = default;

bool CorpusReader::next_from_jsonl(std::string& doc) {
  std::string line;
  while (std::getline(*jsonl_, line)) {
    ++line_no_;
    line_bytes_ += line.size() + 1;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = fmt::format("{}:{}", files_[file_index_].string(), line_no_);
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception& e) {
      throw DataError(fmt::format("{}: not a JSON object: {}", where, e.what()));
    }
    for (const auto& field : options_.fields) {
      if (j.is_object() && j.contains(field) && j[field].is_string()) {
        doc = j[field].get<std::string>();
        return true;
      }
    }
    std::string names;
    for (const auto& f : options_.fields) names += (names.empty() ? "" : ", ") + f;
    throw DataError(fmt::format("{}: none of the fields [{}] is a string here; pick the text field with --field", where,
                                names));
  }
  return false;
}

bool CorpusReader::next(std::string& doc) {
  while (file_index_ < files_.size()) {
    const fs::path& f = files_[file_index_];
    bool got = false;
    if (is_jsonl(f)) {
      if (!jsonl_) {
        jsonl_ = std::make_unique<std::ifstream>(f, std::ios::binary);
        CODESSM_REQUIRE(jsonl_->good(), DataError, "cannot open corpus file '{}'", f.string());
        line_no_ = line_bytes_ = 0;
      }
      got = next_from_jsonl(doc);
      if (!got) jsonl_.reset();
    } else if (line_no_ == 0) {
      doc = core::read_file(f);
      line_no_ = 1;  // marks the file as consumed
      line_bytes_ = doc.size();
      got = true;
    }
    if (!got) {
      bytes_done_ += fs::file_size(f);
      line_bytes_ = line_no_ = 0;
      ++file_index_;
      continue;
    }
    if (options_.max_document_bytes > 0 && doc.size() > options_.max_document_bytes) {
      ++num_skipped_;
      continue;
    }
    ++num_docs_;
    return true;
  }
  return false;
}

}  // namespace codessm::data
