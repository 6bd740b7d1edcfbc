// Deterministic walk of the source roots (directory entries are sorted by name at every level,
// because readdir order differs between file systems and runs).
#include "codessm/corpus/source_scan.h"

#include <algorithm>

#include <fmt/format.h>

#include "codessm/core/error.h"

namespace codessm::corpus {

namespace {

bool is_vcs_dir(const std::string& name) { return name == ".git" || name == ".hg" || name == ".svn"; }

class Walker {
 public:
  Walker(ScanResult& out, size_t source) : out_(out), source_(source) {}

  // Visits the entries of `dir` (relative path `rel`) in name order.
  void walk(const fs::path& dir, const std::string& rel) {
    ++out_.directories;
    std::error_code ec;
    fs::directory_iterator it(dir, ec), end;
    if (ec) {
      ++out_.skipped["unreadable_directory"];
      return;
    }
    std::vector<fs::directory_entry> entries;
    for (; it != end; it.increment(ec)) {
      if (ec) {
        ++out_.skipped["unreadable_directory"];
        break;
      }
      entries.push_back(*it);
    }
    if (entries.empty()) ++out_.empty_directories;
    std::sort(entries.begin(), entries.end(),
              [](const auto& a, const auto& b) { return a.path().filename() < b.path().filename(); });
    for (const auto& e : entries) visit(e, rel.empty() ? e.path().filename().string()
                                                       : rel + "/" + e.path().filename().string());
  }

 private:
  void visit(const fs::directory_entry& e, const std::string& rel) {
    std::error_code ec;
    if (e.is_symlink(ec)) {
      ++out_.skipped["symlink"];
      return;
    }
    if (e.is_directory(ec)) {
      if (is_vcs_dir(e.path().filename().string())) {
        ++out_.skipped["vcs_directory"];
        return;
      }
      walk(e.path(), rel);
      return;
    }
    if (!e.is_regular_file(ec)) {
      ++out_.skipped["not_a_regular_file"];
      return;
    }
    auto lang = parse::language_from_path(e.path());
    if (!lang) {
      ++out_.skipped["unknown_extension"];
      ++out_.unknown_extensions[e.path().extension().string()];
      return;
    }
    SourceFile f;
    f.path = e.path();
    f.rel_path = rel;
    f.source = source_;
    f.language = *lang;
    f.bytes = e.file_size(ec);
    if (ec) {
      ++out_.skipped["unreadable"];
      return;
    }
    out_.files.push_back(std::move(f));
  }

  ScanResult& out_;
  size_t source_;
};

}  // namespace

ScanResult scan_sources(const std::vector<fs::path>& roots) {
  ScanResult out;
  for (size_t i = 0; i < roots.size(); ++i) {
    std::error_code ec;
    if (!fs::is_directory(roots[i], ec))
      throw DataError(fmt::format("corpus: source '{}' is not a folder (give existing folders with --src)",
                                  roots[i].string()));
    Walker(out, i).walk(roots[i], "");
  }
  return out;
}

}  // namespace codessm::corpus
