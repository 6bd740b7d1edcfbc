// Real text and code that exists on the Debian 12 dev/CI machine (Python stdlib, node_modules JS,
// docs, vim tutors in 30 languages and scripts, Unicode test files), gathered deterministically, for the
// tokenizer tests. Only valid UTF-8 files are taken, so byte-based (C++) and string-based (Node.js)
// readers see the same text.
#pragma once

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "codessm/core/io.h"
#include "codessm/data/unicode.h"
#include "test_utils.h"

namespace codessm::test {

/// Files from `dirs` (non-recursive unless `recursive`) whose name ends with one of `suffixes`, sorted.
inline std::vector<std::filesystem::path> list_files(const std::vector<std::string>& dirs,
                                                     const std::vector<std::string>& suffixes, bool recursive) {
  namespace fs = std::filesystem;
  std::vector<fs::path> out;
  auto take = [&](const fs::directory_entry& e) {
    if (!e.is_regular_file() || e.is_symlink()) return;
    const std::string name = e.path().filename().string();
    for (const auto& s : suffixes) {
      if (name.size() >= s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0) {
        out.push_back(e.path());
        return;
      }
    }
  };
  for (const auto& d : dirs) {
    std::error_code ec;
    if (!fs::is_directory(d, ec)) continue;
    if (recursive) {
      for (const auto& e : fs::recursive_directory_iterator(d, fs::directory_options::skip_permission_denied, ec)) take(e);
    } else {
      for (const auto& e : fs::directory_iterator(d, ec)) take(e);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

/// One group of corpus files: up to `budget` bytes of valid-UTF-8 files of at most `max_file` bytes.
inline void add_group(std::vector<std::filesystem::path>& out, uint64_t& total,
                      const std::vector<std::filesystem::path>& files, uint64_t budget, uint64_t max_file = 200000) {
  uint64_t used = 0;
  for (const auto& f : files) {
    std::error_code ec;
    auto size = std::filesystem::file_size(f, ec);
    if (ec || size == 0 || size > max_file || used + size > budget) continue;
    std::string text = core::read_file(f);
    if (!data::is_valid_utf8(text) || text.find('\0') != std::string::npos) continue;
    out.push_back(f);
    used += size;
  }
  total += used;
}

/// The multilingual code+text corpus of the parity test (~2.5 MB when everything is installed).
inline std::vector<std::filesystem::path> parity_corpus(uint64_t* total_bytes) {
  std::vector<std::filesystem::path> out;
  uint64_t total = 0;
  const std::string nm = (source_dir() / "node_modules").string();
  add_group(out, total, list_files({"/usr/lib/python3.11"}, {".py"}, false), 500000);
  add_group(out, total, list_files({nm}, {".js"}, true), 250000);
  add_group(out, total, list_files({"/usr/include"}, {".h"}, false), 150000);
  add_group(out, total, list_files({"/usr/share/doc/nodejs/api"}, {".md"}, false), 150000);
  add_group(out, total, list_files({"/usr/share/vim/vim90/tutor"}, {".utf-8"}, false), 1500000);
  add_group(out, total, list_files({"/usr/share/unicode/auxiliary", "/usr/share/unicode/emoji"}, {".txt"}, false),
            300000, 400000);
  if (total_bytes) *total_bytes = total;
  return out;
}

/// Concatenated Python stdlib sources, about `bytes` long (the SentencePiece training corpus).
inline std::vector<std::string> python_documents(uint64_t bytes) {
  std::vector<std::string> docs;
  uint64_t used = 0;
  for (const auto& f : list_files({"/usr/lib/python3.11"}, {".py"}, false)) {
    if (used >= bytes) break;
    std::string text = core::read_file(f);
    if (text.size() > 100000 || !data::is_valid_utf8(text)) continue;
    used += text.size();
    docs.push_back(std::move(text));
  }
  return docs;
}

}  // namespace codessm::test
