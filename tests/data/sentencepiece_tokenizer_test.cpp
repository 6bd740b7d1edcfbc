// SentencePiece code tokenizer: train on ~300 KB of real Python, then exact round trips, offsets that
// cover the text, special ids, sentinels, save/load, and the folder loader's errors.
#include <gtest/gtest.h>

#include "codessm/core/error.h"
#include "codessm/data/sentencepiece_tokenizer.h"
#include "real_corpus.h"

namespace codessm::data {
namespace {

/// One tokenizer trained once for the whole suite (training takes seconds).
const SentencePieceTokenizer& trained() {
  static std::unique_ptr<SentencePieceTokenizer> tok = [] {
    auto docs = test::python_documents(300000);
    EXPECT_FALSE(docs.empty()) << "no Python sources under /usr/lib/python3.11";
    size_t i = 0;
    SentencePieceTrainOptions o;
    o.vocab_size = 2000;
    o.num_sentinels = 10;
    return SentencePieceTokenizer::train(o, [&](std::string& d) {
      if (i >= docs.size()) return false;
      d = docs[i++];
      return true;
    });
  }();
  return *tok;
}

/// Offsets are in order, disjoint, contiguous and cover the text; each non-special token's bytes are
/// the text it covers.
void expect_offsets_cover(const Tokenizer& tok, const std::string& text) {
  auto tokens = tok.encode_with_offsets(text);
  uint32_t cursor = 0;
  for (const auto& t : tokens) {
    ASSERT_EQ(t.begin, cursor);
    ASSERT_GT(t.end, t.begin);
    if (!tok.is_special(t.id)) {
      ASSERT_EQ(tok.token_bytes(t.id), text.substr(t.begin, t.end - t.begin));
    }
    cursor = t.end;
  }
  EXPECT_EQ(cursor, text.size());
}

TEST(SentencePieceTokenizer, SpecialIdsAndSentinelsFollowTheDocumentedLayout) {
  const auto& tok = trained();
  EXPECT_EQ(tok.vocab_size(), 2010);
  const auto& s = tok.special_ids();
  EXPECT_EQ(s.pad, 0);
  EXPECT_EQ(s.bos, 1);
  EXPECT_EQ(s.eos, 2);
  EXPECT_EQ(s.unk, 3);
  EXPECT_EQ(s.mask, 4);
  EXPECT_EQ(tok.token_bytes(5), "\n");
  EXPECT_FALSE(tok.is_special(5));
  EXPECT_EQ(tok.encode_ids("<extra_id_0>"), std::vector<int32_t>{2009});
  EXPECT_EQ(tok.encode_ids("<extra_id_9>"), std::vector<int32_t>{2000});
  EXPECT_TRUE(tok.is_special(2000));
  EXPECT_EQ(tok.encode_ids("<mask>"), std::vector<int32_t>{4});
}

TEST(SentencePieceTokenizer, RoundTripsRealCodeExactlyWithCoveringOffsets) {
  const auto& tok = trained();
  // Unseen files (past the training budget), with tabs, CRLF, trailing spaces and non-ASCII added.
  auto docs = test::python_documents(1200000);
  ASSERT_GT(docs.size(), 20u);
  docs.push_back("def f(x):\r\n\tif x:  \n\t\treturn '→ é 漢字 😀'\n\n\n    # <mask> <extra_id_3>\n");
  docs.push_back("   leading spaces and no newline at end");
  docs.push_back("");
  uint64_t bytes = 0, tokens = 0;
  for (size_t i = docs.size() > 40 ? docs.size() - 40 : 0; i < docs.size(); ++i) {
    const std::string& text = docs[i];
    auto ids = tok.encode_ids(text);
    ASSERT_EQ(tok.decode(ids), text) << "document " << i;
    expect_offsets_cover(tok, text);
    bytes += text.size();
    tokens += ids.size();
  }
  std::cout << "[ spm     ] " << bytes << " bytes -> " << tokens << " tokens ("
            << static_cast<double>(bytes) / std::max<uint64_t>(tokens, 1) << " bytes/token)\n";
}

TEST(SentencePieceTokenizer, KeepsIndentationAndNewlinesAsTheirOwnPieces) {
  const auto& tok = trained();
  const std::string text = "if x:\n        return y\n";
  auto tokens = tok.encode_with_offsets(text);
  // "\n" is atomic (id 5), and no token crosses a newline.
  for (const auto& t : tokens) {
    std::string piece = text.substr(t.begin, t.end - t.begin);
    if (piece.find('\n') != std::string::npos) {
      EXPECT_EQ(piece, "\n");
    }
  }
  EXPECT_EQ(tok.decode(tok.encode_ids(text)), text);
}

TEST(SentencePieceTokenizer, ByteFallbackPiecesGetOneByteEach) {
  const auto& tok = trained();
  const std::string text = "x = '\xF0\x9F\x98\x80'";  // U+1F600 is not in a 2000-piece Python vocabulary
  auto tokens = tok.encode_with_offsets(text);
  expect_offsets_cover(tok, text);
  int byte_tokens = 0;
  for (const auto& t : tokens) byte_tokens += (t.end - t.begin == 1 && static_cast<unsigned char>(text[t.begin]) >= 0x80);
  EXPECT_EQ(byte_tokens, 4);
}

TEST(SentencePieceTokenizer, SavesAndLoadsIdentically) {
  const auto& tok = trained();
  auto dir = test::temp_dir("spm_save");
  tok.save(dir);
  auto loaded = load_tokenizer(dir);
  EXPECT_EQ(loaded->kind(), "sentencepiece");
  EXPECT_EQ(loaded->vocab_size(), tok.vocab_size());
  EXPECT_EQ(loaded->fingerprint(), tok.fingerprint());
  const std::string text = test::python_documents(20000).front();
  EXPECT_EQ(loaded->encode_ids(text), tok.encode_ids(text));
}

TEST(TokenizerFolder, ErrorsNameTheFolderAndTheFix) {
  auto dir = test::temp_dir("not_a_tokenizer");
  EXPECT_THROW_WITH(load_tokenizer(dir), DataError, "is not a tokenizer folder");
  EXPECT_THROW_WITH(load_tokenizer(dir / "missing"), DataError, "does not exist");
  core::write_file_atomic(dir / kTokenizerConfigFile, R"({"format_version": 99, "kind": "sentencepiece"})");
  EXPECT_THROW_WITH(load_tokenizer(dir), DataError, "newer than this codessm supports");
}

TEST(SentencePieceTokenizer, RejectsBadOptions) {
  SentencePieceTrainOptions o;
  o.vocab_size = 100;
  EXPECT_THROW_WITH(SentencePieceTokenizer::train(o, [](std::string&) { return false; }), UsageError,
                    "--vocab-size 100 is too small");
}

}  // namespace
}  // namespace codessm::data

namespace codessm::data {
namespace {

// SentencePiece turns bytes that are not UTF-8 into U+FFFD; the tokenizer must still give every byte back
// (docs/data.md's promise) with offsets in order (docs/reliability.md, bad case 7).
TEST(SentencePieceTokenizer, InvalidUtf8RoundTripsByteExactly) {
  const auto& tok = trained();
  const std::vector<std::string> texts = {
      std::string("\xff"), std::string("a\xc3(b = 1\n"), std::string("s = '\xed\xa0\x80'"),   // lone surrogate
      std::string("\xf4\x90\x80\x80x"), std::string("\xc0\xaf/"), std::string("euro \xe2\x82"),  // > U+10FFFF, overlong, cut
      std::string("x\0y", 3), std::string("def f():\n    return '\x80\x81\xfe'\n"), std::string("\xe2\x82\xac ok"),
      // a literal U+2581, SentencePiece's space marker (fuzz/sentencepiece_text found it decoding as ' ')
      std::string("x = '\xe2\x96\x81'"), std::string("\xe2\x96\x81\xe2\x96\x81_ a"),
      std::string("a\xc3(b\xed\xe2\x96\x81_\xa0\x80\0\xf4\x90\x80\x80", 16)};
  for (const auto& text : texts) {
    auto ids = tok.encode_ids(text);
    EXPECT_EQ(tok.decode(ids), text) << "text of " << text.size() << " bytes";
    expect_offsets_cover(tok, text);
  }
}

}  // namespace
}  // namespace codessm::data
