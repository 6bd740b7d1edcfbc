// End-to-end corpus builds: bad input of every kind is counted (never fatal), the Python standard
// library yields files and functions with a manifest, and two runs are byte-identical.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "codessm/corpus/corpus_builder.h"
#include "test_utils.h"

using namespace codessm::corpus;
namespace fs = std::filesystem;

namespace {

nlohmann::json manifest(const fs::path& out) { return nlohmann::json::parse(codessm::core::read_file(out / "manifest.json")); }

// Every output file of a corpus, relative path -> bytes.
std::map<std::string, std::string> snapshot(const fs::path& out) {
  std::map<std::string, std::string> m;
  for (const auto& e : fs::recursive_directory_iterator(out))
    if (e.is_regular_file()) m[fs::relative(e.path(), out).string()] = codessm::core::read_file(e.path());
  return m;
}

// A source tree with one example of each kind of bad input next to two good files.
fs::path make_bad_tree() {
  const fs::path root = codessm::test::temp_dir("corpus_bad") / "src";
  codessm::test::write_file(root / "good.py", "def add(a, b):\n    \"\"\"Add two numbers.\"\"\"\n    return a + b\n");
  codessm::test::write_file(root / "pkg" / "copy.py", "def add(a, b):\n    \"\"\"Add two numbers.\"\"\"\n    return a + b\n");
  codessm::test::write_file(root / "pkg" / "Main.java", "class Main {\n  /** Entry. */\n  void run() { int x = 1; }\n}\n");
  codessm::test::write_file(root / "binary.py", std::string("x = 1\0\1\2", 8));
  codessm::test::write_file(root / "latin1.py", "s = 'caf\xE9'\n");
  codessm::test::write_file(root / "big.py", "x = 1\n" + std::string(5000, '#') + "\n");
  codessm::test::write_file(root / "broken.py", "def f(:\n    return\n");
  codessm::test::write_file(root / "empty.py", "");
  codessm::test::write_file(root / "README.md", "# readme\n");
  codessm::test::write_file(root / "data.bin", "\x01\x02");
  fs::create_directories(root / "empty_dir");
  fs::create_symlink(root / "good.py", root / "link.py");
  return root;
}

}  // namespace

TEST(CorpusBuild, CountsEveryKindOfBadInput) {
  const fs::path src = make_bad_tree();
  CorpusBuildOptions o;
  o.sources = {src};
  o.out = codessm::test::temp_dir("corpus_bad_out");
  o.max_file_bytes = 1000;
  o.progress = false;
  const auto s = build_corpus(o);
  const auto m = manifest(o.out);
  const auto& sk = m["counts"]["skipped"];
  EXPECT_EQ(sk["binary"], 1);
  EXPECT_EQ(sk["invalid_utf8"], 1);
  EXPECT_EQ(sk["too_large"], 1);
  EXPECT_EQ(sk["parse_error_skipped"], 1);
  EXPECT_EQ(sk["empty_file"], 1);
  EXPECT_EQ(sk["duplicate_file"], 1);
  EXPECT_EQ(sk["unknown_extension"], 2);
  EXPECT_EQ(sk["symlink"], 1);
  EXPECT_EQ(m["counts"]["empty_directories"], 1);
  EXPECT_EQ(m["counts"]["unknown_extensions"][".md"], 1);
  EXPECT_EQ(s.files_seen, 8u);  // .py and .java files (the symlink and unknown extensions are not)
  EXPECT_EQ(s.files_written, 2u);
  EXPECT_EQ(s.functions_written, 2u);
  EXPECT_EQ(s.functions_with_docstring, 2u);
  EXPECT_EQ(m["counts"]["files_per_language"]["java"], 1);

  // With --keep-unparsable the broken file is written, flagged, and counted as kept.
  o.keep_unparsable = true;
  o.out = codessm::test::temp_dir("corpus_bad_out_keep");
  const auto k = build_corpus(o);
  EXPECT_EQ(k.files_written, 3u);
  EXPECT_EQ(manifest(o.out)["counts"]["skipped"]["parse_error_kept"], 1);
}

TEST(CorpusBuild, BadOptionsAndMissingSourcesThrowClearly) {
  CorpusBuildOptions o;
  o.out = codessm::test::temp_dir("corpus_opts");
  o.progress = false;
  o.sources = {"/nonexistent/codessm/src"};
  EXPECT_THROW_WITH(build_corpus(o), codessm::DataError, "/nonexistent/codessm/src");
  o.sources = {codessm::test::temp_dir("corpus_empty_src")};
  o.languages = {"cobol"};
  EXPECT_THROW_WITH(build_corpus(o), codessm::UsageError, "cobol");
  o.languages = {};
  o.valid_permille = 800;
  o.test_permille = 300;
  EXPECT_THROW_WITH(build_corpus(o), codessm::UsageError, "1000");
  o.valid_permille = 50;
  o.test_permille = 50;
  const auto s = build_corpus(o);  // an empty folder is a valid, empty corpus
  EXPECT_EQ(s.files_written, 0u);
  EXPECT_EQ(manifest(o.out)["counts"]["empty_directories"], 1);
}

TEST(CorpusBuild, PythonStdlibSubsetIsByteIdenticalAcrossRuns) {
  const fs::path json_pkg = "/usr/lib/python3.11/json", email_pkg = "/usr/lib/python3.11/email";
  if (!fs::exists(json_pkg) || !fs::exists(email_pkg)) GTEST_SKIP() << "no Python 3.11 stdlib here";
  CorpusBuildOptions o;
  o.sources = {json_pkg, email_pkg};
  o.progress = false;
  const fs::path first = codessm::test::temp_dir("corpus_std_a");
  o.out = first;
  const auto s = build_corpus(o);
  o.out = codessm::test::temp_dir("corpus_std_b");
  build_corpus(o);
  const auto a = snapshot(first);
  auto b = snapshot(o.out);
  EXPECT_EQ(a.size(), 7u);  // 2 kinds × 3 splits + manifest
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [name, bytes] : a) EXPECT_TRUE(bytes == b[name]) << name << " differs between runs";

  EXPECT_GT(s.files_written, 20u);
  EXPECT_GT(s.functions_written, 200u);
  EXPECT_GT(s.functions_with_docstring, 50u);
  const auto m = manifest(o.out);
  EXPECT_EQ(m["format_version"], 1);
  ASSERT_EQ(m["sources"].size(), 2u);
  EXPECT_EQ(m["sources"][0]["name"], "json");
  EXPECT_EQ(m["counts"]["files_written"], s.files_written);
  EXPECT_EQ(m["outputs"]["functions/train.jsonl"]["lines"].get<uint64_t>() +
                m["outputs"]["functions/valid.jsonl"]["lines"].get<uint64_t>() +
                m["outputs"]["functions/test.jsonl"]["lines"].get<uint64_t>(),
            s.functions_written);

  // One function line has the CodeSearchNet-like fields.
  std::ifstream in(o.out / "functions" / "train.jsonl");
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  const auto j = nlohmann::json::parse(line);
  for (const char* k : {"repo", "path", "func_name", "language", "original_string", "code", "code_tokens",
                        "docstring", "docstring_tokens", "sha", "partition"})
    EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_EQ(j["language"], "python");
  EXPECT_EQ(j["partition"], "train");
}

// Bad case 10 (docs/reliability.md): tree-sitter aborts the process when an allocation fails (a huge one-line
// file needs ~195 bytes per byte), which also left the *.tmp.PID output files behind. Under an address-space
// limit such a file is now skipped with a warning and counted, and the build finishes.
TEST(CorpusBuild, HugeOneLineFileBeyondMemoryIsSkippedNotFatal) {
  const fs::path root = codessm::test::temp_dir("corpus_huge");
  codessm::test::write_file(root / "src" / "good.py", "def add(a, b):\n    \"\"\"Add two numbers.\"\"\"\n    return a + b\n");
  std::string line = "x = [";
  while (line.size() < (size_t{6} << 20)) line += "1, ";
  codessm::test::write_file(root / "src" / "data.py", line + "1]\n");
  CorpusBuildOptions o;
  o.sources = {root / "src"};
  o.out = root / "out";
  o.max_file_bytes = 64 << 20;
  o.progress = false;
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // The child gets 512 MiB more address space than it uses now: enough for everything but that parse.
    uint64_t used = 0;
    std::ifstream status("/proc/self/status");
    for (std::string l; std::getline(status, l);)
      if (l.rfind("VmSize:", 0) == 0) used = std::stoull(l.substr(7)) * 1024;
    struct rlimit rl {used + (uint64_t{512} << 20), RLIM_INFINITY};
    ::setrlimit(RLIMIT_AS, &rl);
    try {
      build_corpus(o);
    } catch (...) {
      ::_exit(3);
    }
    ::_exit(0);
  }
  int st = 0;
  ::waitpid(pid, &st, 0);
  ASSERT_TRUE(WIFEXITED(st)) << "the build died of signal " << (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
  ASSERT_EQ(WEXITSTATUS(st), 0);
  const auto m = manifest(o.out);
  EXPECT_EQ(m["counts"]["skipped"]["too_large_for_memory"], 1);
  EXPECT_EQ(m["counts"]["files_written"], 1);
  for (const auto& e : fs::recursive_directory_iterator(o.out))
    EXPECT_EQ(e.path().filename().string().find(".tmp."), std::string::npos) << e.path();
}

// Symlink loops (docs/reliability.md): a folder link back to its parent and two file links to each other are
// counted as symlinks and never followed, so the scan ends and reads each real file once.
TEST(CorpusBuild, SymlinkLoopsAreCountedNotFollowed) {
  const fs::path root = codessm::test::temp_dir("corpus_loops") / "src";
  codessm::test::write_file(root / "pkg" / "good.py", "def add(a, b):\n    return a + b\n");
  fs::create_directory_symlink(root, root / "pkg" / "back_to_root");
  fs::create_symlink(root / "b.py", root / "a.py");
  fs::create_symlink(root / "a.py", root / "b.py");
  CorpusBuildOptions o;
  o.sources = {root};
  o.out = codessm::test::temp_dir("corpus_loops_out");
  o.progress = false;
  const auto s = build_corpus(o);
  EXPECT_EQ(s.files_written, 1u);
  EXPECT_EQ(manifest(o.out)["counts"]["skipped"]["symlink"], 3);
}
