// Parses real source files found on the machine (one test per language) and expects no ERROR or
// MISSING nodes. Languages with no files here are skipped with a message; scripts/build_corpus.sh
// installs Debian's source packages that provide them, and CODESSM_EXTRA_SOURCE_DIRS (':'-separated
// folders, searched first) points the test at unpacked ones (e.g. `dpkg-deb -x libruby3.1_*.deb`).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "codessm/parse/dataflow.h"
#include "codessm/parse/tokens.h"
#include "codessm/parse/ts_parser.h"
#include "test_utils.h"

using namespace codessm::parse;
namespace fs = std::filesystem;

namespace {

constexpr size_t kMaxFiles = 40;
constexpr uintmax_t kMaxBytes = 512 * 1024;

// Test-suite folders hold deliberately invalid code (Python 2 syntax, parser error cases).
bool is_test_dir(const fs::path& p) {
  const auto n = p.filename().string();
  return n == "test" || n == "tests" || n == "testdata" || n == "fixtures" || n == "lib2to3" || n == "bad";
}

// Up to kMaxFiles files of `lang` under the roots, in sorted path order (deterministic).
std::vector<fs::path> find_files(Language lang, const std::vector<fs::path>& roots) {
  std::vector<fs::path> out;
  for (const auto& root : roots) {
    std::error_code ec;
    if (!fs::is_directory(root, ec)) continue;
    std::vector<fs::path> found;
    fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec), end;
    for (; it != end && !ec; it.increment(ec)) {
      if (it->is_directory(ec) && is_test_dir(it->path())) {
        it.disable_recursion_pending();
        continue;
      }
      if (it->is_regular_file(ec) && language_from_path(it->path()) == lang && it->file_size(ec) < kMaxBytes)
        found.push_back(it->path());
    }
    std::sort(found.begin(), found.end());
    for (const auto& f : found) {
      if (out.size() >= kMaxFiles) return out;
      out.push_back(f);
    }
  }
  return out;
}

std::vector<fs::path> with_extra_dirs(std::vector<fs::path> roots) {
  const char* env = std::getenv("CODESSM_EXTRA_SOURCE_DIRS");
  if (!env) return roots;
  std::vector<fs::path> out;
  std::string s = env;
  for (size_t b = 0; b <= s.size();) {
    const size_t e = std::min(s.find(':', b), s.size());
    if (e > b) out.emplace_back(s.substr(b, e - b));
    b = e + 1;
  }
  out.insert(out.end(), roots.begin(), roots.end());
  return out;
}

void expect_parses_cleanly(Language lang, const std::vector<fs::path>& roots) {
  const auto files = find_files(lang, with_extra_dirs(roots));
  if (files.empty()) GTEST_SKIP() << "no " << language_name(lang) << " files on this machine";
  Parser parser(lang);
  size_t tokens = 0;
  double max_ops_per_byte = 0;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string src = ss.str();
    auto tree = parser.parse(src, f.string());
    // Real code stays far inside the parse budget (ParseBudgetError): under a tenth of it, file by file.
    EXPECT_LT(parser.last_operations(), parse_operation_budget(src.size()) / 10) << f;
    if (src.size() >= 1024)
      max_ops_per_byte = std::max(max_ops_per_byte, static_cast<double>(parser.last_operations()) / src.size());
    EXPECT_FALSE(tree.has_error) << f << ": " << tree.count_errors() << " ERROR/MISSING nodes";
    auto toks = extract_tokens(tree);
    tokens += toks.size();
    EXPECT_NO_THROW(extract_dataflow(tree, toks)) << f;
  }
  std::cout << "[ info ] " << language_name(lang) << ": " << files.size() << " files, " << tokens
            << " tokens, at most " << max_ops_per_byte << " tree-sitter operations per byte (files >= 1 KB; budget "
            << kParseOperationsPerByte << ")\n";
}

fs::path node_modules() { return codessm::test::source_dir() / "node_modules"; }

}  // namespace

TEST(RealFiles, Python) { expect_parses_cleanly(Language::kPython, {"/usr/lib/python3.11"}); }
TEST(RealFiles, Java) { expect_parses_cleanly(Language::kJava, {"/usr/lib/jvm/openjdk-17/src", "/usr/share/java"}); }
TEST(RealFiles, JavaScript) { expect_parses_cleanly(Language::kJavaScript, {node_modules()}); }
TEST(RealFiles, TypeScript) { expect_parses_cleanly(Language::kTypeScript, {node_modules()}); }
TEST(RealFiles, Tsx) { expect_parses_cleanly(Language::kTsx, {node_modules()}); }
TEST(RealFiles, Go) {
  expect_parses_cleanly(Language::kGo, {"/usr/share/go-1.19/src", "/usr/share/doc/git/contrib"});
}
TEST(RealFiles, Ruby) { expect_parses_cleanly(Language::kRuby, {"/usr/lib/ruby"}); }
TEST(RealFiles, Php) {
  expect_parses_cleanly(Language::kPhp, {"/usr/share/php", "/usr/lib/google-cloud-sdk/platform/google_appengine"});
}
