// Byte-level BPE on a tiny hand-made RoBERTa-style vocabulary (all 256 bytes, a few merges, specials):
// merge order, added tokens before pre-tokenization (lstrip <mask>), offsets, the three Hugging Face
// file layouts, save/load, and error messages.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "codessm/data/byte_bpe_tokenizer.h"
#include "codessm/data/gpt2_pretokenizer.h"
#include "test_utils.h"

namespace codessm::data {
namespace {

namespace fs = std::filesystem;

/// Writes vocab.json + merges.txt: <s>=0 <pad>=1 </s>=2 <unk>=3, bytes 4..259, merges, <mask> last.
fs::path write_tiny_roberta(const std::string& name) {
  auto dir = test::temp_dir(name);
  nlohmann::json vocab{{"<s>", 0}, {"<pad>", 1}, {"</s>", 2}, {"<unk>", 3}};
  int id = 4;
  for (int b = 0; b < 256; ++b) vocab[bytes_to_unicode_token(std::string(1, static_cast<char>(b)))] = id++;
  const std::vector<std::pair<std::string, std::string>> merges{
      {"d", "e"}, {"de", "f"}, {"Ġ", "x"}, {"s", "e"}, {"l", "f"}, {"se", "lf"}, {"Ġ", "="}};
  std::string merges_txt = "#version: 0.2\n";
  for (const auto& [a, b] : merges) {
    vocab[a + b] = id++;
    merges_txt += a + " " + b + "\n";
  }
  vocab["<mask>"] = id++;
  core::write_file_atomic(dir / "vocab.json", vocab.dump());
  core::write_file_atomic(dir / "merges.txt", merges_txt);
  return dir;
}

std::vector<std::string> pieces(const Tokenizer& tok, const std::string& text) {
  std::vector<std::string> out;
  for (const auto& t : tok.encode_with_offsets(text)) out.push_back(text.substr(t.begin, t.end - t.begin));
  return out;
}

TEST(Gpt2Pretokenizer, FollowsTheRegexAlternativesInOrder) {
  auto split = [](const std::string& s) {
    std::vector<ByteRange> r;
    pretokenize_gpt2(s, 0, r);
    std::vector<std::string> out;
    for (auto [b, e] : r) out.push_back(s.substr(b, e - b));
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(split("don't stop"), (V{"don", "'t", " stop"}));
  EXPECT_EQ(split("  x"), (V{" ", " x"}));      // \s+(?!\S) leaves the last space to " x"
  EXPECT_EQ(split("a  \n"), (V{"a", "  \n"}));   // trailing whitespace run to the end
  EXPECT_EQ(split("\nx"), (V{"\n", "x"}));       // only U+0020 joins the next word
  EXPECT_EQ(split("x+=1"), (V{"x", "+=", "1"}));
  EXPECT_EQ(split("'''s"), (V{"'''", "s"}));     // contractions only at a match start
  EXPECT_EQ(split("caf\xC3\xA9 42"), (V{"caf\xC3\xA9", " 42"}));
  EXPECT_EQ(split("a\xFF" "b"), (V{"a", "\xFF", "b"}));  // invalid byte: one "other" character
}

TEST(ByteBpeTokenizer, MergesByRankAndKeepsOffsets) {
  ByteBpeTokenizer tok(read_vocab_merges(write_tiny_roberta("tiny_bpe")));
  EXPECT_EQ(pieces(tok, "def self x = y"), (std::vector<std::string>{"def", " ", "self", " x", " =", " ", "y"}));
  const std::string text = "def\tx";
  EXPECT_EQ(tok.decode(tok.encode_ids(text)), text);
}

TEST(ByteBpeTokenizer, MatchesSpecialTokensBeforePretokenization) {
  ByteBpeTokenizer tok(read_vocab_merges(write_tiny_roberta("tiny_specials")));
  const auto& s = tok.special_ids();
  EXPECT_EQ(s.bos, 0);
  EXPECT_EQ(s.pad, 1);
  EXPECT_EQ(s.eos, 2);
  EXPECT_EQ(s.unk, 3);
  EXPECT_EQ(s.mask, tok.vocab_size() - 1);
  // <mask> has RoBERTa's lstrip: it swallows the space before it; </s> does not.
  auto toks = tok.encode_with_offsets("x <mask></s>");
  ASSERT_EQ(toks.size(), 3u);
  EXPECT_EQ(toks[1].id, s.mask);
  EXPECT_EQ(toks[1].begin, 1u);
  EXPECT_EQ(toks[1].end, 8u);
  EXPECT_EQ(toks[2].id, s.eos);
  EXPECT_TRUE(tok.is_special(s.mask));
  EXPECT_FALSE(tok.is_special(10));
  EXPECT_EQ(tok.decode({toks[0].id, s.eos}, /*skip_special=*/true), "x");
}

TEST(ByteBpeTokenizer, LoadsTokenizerJsonWithAddedTokensAndPairMerges) {
  auto dir = write_tiny_roberta("tiny_tokjson");
  auto vocab = nlohmann::json::parse(core::read_file(dir / "vocab.json"));
  nlohmann::json merges = nlohmann::json::array({nlohmann::json::array({"d", "e"}), "de f"});
  nlohmann::json j{{"model", {{"type", "BPE"}, {"vocab", vocab}, {"merges", merges}}},
                   {"added_tokens",
                    {{{"id", 0}, {"content", "<s>"}, {"special", true}},
                     {{"id", 270}, {"content", "<extra_id_0>"}, {"special", true}}}}};
  auto hf = test::temp_dir("tiny_tokjson_hf");
  core::write_file_atomic(hf / "tokenizer.json", j.dump());
  auto tok = load_tokenizer(hf);
  EXPECT_EQ(tok->vocab_size(), 271);
  EXPECT_EQ(tok->encode_ids("def<extra_id_0>"), (std::vector<int32_t>{tok->encode_ids("def")[0], 270}));
  EXPECT_EQ(tok->encode_ids("def").size(), 1u);
}

TEST(ByteBpeTokenizer, SavesAsCodessmFolderAndLoadsIdentically) {
  auto tok = load_tokenizer(write_tiny_roberta("tiny_save_src"));
  auto dir = test::temp_dir("tiny_save_dst");
  tok->save(dir);
  auto back = load_tokenizer(dir);
  EXPECT_EQ(back->kind(), "byte_bpe");
  EXPECT_EQ(back->fingerprint(), tok->fingerprint());
  const std::string text = "def self <mask> x</s>";
  EXPECT_EQ(back->encode_ids(text), tok->encode_ids(text));
}

TEST(ByteBpeTokenizer, ErrorsNameTheFileAndTheProblem) {
  auto dir = write_tiny_roberta("tiny_bad");
  core::write_file_atomic(dir / "merges.txt", "#version: 0.2\nd e\nde\n");
  EXPECT_THROW_WITH(read_vocab_merges(dir), DataError, "merges.txt:3: a merge line must be two tokens");
  core::write_file_atomic(dir / "merges.txt", "q z\n");
  EXPECT_THROW_WITH(ByteBpeTokenizer{read_vocab_merges(dir)}, DataError, "missing from the vocabulary");
  core::write_file_atomic(dir / "vocab.json", R"({"a": 0, "b": 1})");
  core::write_file_atomic(dir / "merges.txt", "");
  EXPECT_THROW_WITH(ByteBpeTokenizer{read_vocab_merges(dir)}, DataError, "not a byte-level BPE vocabulary");
}

}  // namespace
}  // namespace codessm::data

namespace codessm::data {
namespace {

// A vocab.json whose ids collide or do not fit an int32 was accepted: a token then decoded as another
// (docs/reliability.md, bad case 8).
TEST(ByteBpeTokenizer, RejectsDuplicateAndOutOfRangeIds) {
  auto dir = write_tiny_roberta("tiny_ids");
  auto vocab = nlohmann::json::parse(core::read_file(dir / "vocab.json"));
  const std::vector<std::pair<nlohmann::json, std::string>> cases = {
      {vocab["<pad>"], "both have id 1"},                    // "<mask>" takes <pad>'s id
      {uint64_t{1} << 32 | 1, "beyond the 2^31 - 1 ids"},   // would wrap to 1 in get<int32_t>()
      {uint64_t{1} << 31, "beyond the 2^31 - 1 ids"},
      {int64_t{1} << 30, "far beyond the"},                  // fits, but would allocate 2^30 entries
      {-3, "negative id"},
      {1.5, "not an integer"},
  };
  for (const auto& [id, message] : cases) {
    auto v = vocab;
    v["<mask>"] = id;
    core::write_file_atomic(dir / "vocab.json", v.dump());
    EXPECT_THROW_WITH(ByteBpeTokenizer{read_vocab_merges(dir)}, DataError, message);
    EXPECT_THROW_WITH(ByteBpeTokenizer{read_vocab_merges(dir)}, DataError, "vocab.json");
  }
  // The same checks on tokenizer.json's model.vocab.
  auto v = vocab;
  v["<mask>"] = uint64_t{1} << 32;
  nlohmann::json tj = {{"model", {{"type", "BPE"}, {"vocab", v}, {"merges", nlohmann::json::array()}}}};
  core::write_file_atomic(dir / "tokenizer.json", tj.dump());
  EXPECT_THROW_WITH(read_hf_tokenizer_json(dir / "tokenizer.json"), DataError, "tokenizer.json: model.vocab");
}

}  // namespace
}  // namespace codessm::data
