// Streams training documents from JSONL corpora (one JSON object per line; the text is the first of
// the configured fields present, `code` then `original_string` by default, as in CodeSearchNet) and
// from plain source files or folders of them. Nothing is held beyond the current document.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace codessm::data {

namespace fs = std::filesystem;

/// Runtime knobs of CorpusReader.
struct CorpusOptions {
  /// JSONL fields tried in order; the first present string field is the document.
  std::vector<std::string> fields = {"code", "original_string"};
  /// Suffixes of files taken from folders (`.jsonl` files are always taken).
  std::vector<std::string> extensions = {".py", ".go", ".java", ".js", ".ts", ".php", ".rb", ".c", ".h", ".cc",
                                         ".cpp", ".hpp", ".cs", ".rs"};
  /// Documents longer than this many bytes are skipped (0 = no limit), e.g. minified or generated files.
  uint64_t max_document_bytes = 0;
};

/// Documents from files: `*.jsonl` line by line, any other file as one document; folders are walked
/// recursively (sorted, so the order is reproducible).
class CorpusReader {
 public:
  CorpusReader(const std::vector<fs::path>& inputs, CorpusOptions options = {});
  ~CorpusReader();

  /// The next document; false at the end. Throws DataError naming file:line for a bad JSONL line or a
  /// line with none of the fields.
  bool next(std::string& doc);

  /// Sum of the input files' sizes (for progress bars).
  uint64_t total_bytes() const { return total_bytes_; }
  /// Bytes of the input files consumed so far.
  uint64_t bytes_read() const { return bytes_done_ + line_bytes_; }
  /// Number of documents returned so far; documents skipped for length.
  uint64_t num_documents() const { return num_docs_; }
  uint64_t num_skipped() const { return num_skipped_; }
  const std::vector<fs::path>& files() const { return files_; }

 private:
  bool next_from_jsonl(std::string& doc);

  CorpusOptions options_;
  std::vector<fs::path> files_;
  size_t file_index_ = 0;
  std::unique_ptr<std::ifstream> jsonl_;
  uint64_t line_no_ = 0, line_bytes_ = 0;
  uint64_t total_bytes_ = 0, bytes_done_ = 0, num_docs_ = 0, num_skipped_ = 0;
};

}  // namespace codessm::data
