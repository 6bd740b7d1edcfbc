// Walks source trees deterministically (sorted paths) and sorts every entry into "candidate
// source file" or a counted reason to skip it. Symbolic links are never followed (loops, and
// files seen twice); version-control folders are skipped.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "codessm/parse/language.h"

namespace codessm::corpus {

namespace fs = std::filesystem;

/// A file whose extension names a supported language.
struct SourceFile {
  fs::path path;          ///< absolute or as given
  std::string rel_path;   ///< relative to its source root, '/'-separated
  size_t source = 0;      ///< index into the scanned roots
  parse::Language language = parse::Language::kPython;
  uintmax_t bytes = 0;
};

/// Result of scan_sources().
struct ScanResult {
  std::vector<SourceFile> files;              ///< candidates, in (root, sorted path) order
  std::map<std::string, uint64_t> skipped;    ///< reason -> count: unknown_extension, symlink, ...
  std::map<std::string, uint64_t> unknown_extensions;  ///< extension ("" for none) -> count
  uint64_t directories = 0;
  uint64_t empty_directories = 0;
};

/// Scans each root. Throws DataError when a root does not exist or is not a folder.
ScanResult scan_sources(const std::vector<fs::path>& roots);

}  // namespace codessm::corpus
