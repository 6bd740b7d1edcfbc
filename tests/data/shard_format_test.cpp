// Token shards: write/read round trip (uint16 and uint32), splitting into several shards, streaming
// iteration, and header validation errors that name the file and the problem.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <random>

#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "codessm/data/corpus_reader.h"
#include "codessm/data/shard_format.h"
#include "test_utils.h"

namespace codessm::data {
namespace {

namespace fs = std::filesystem;

std::vector<std::vector<int32_t>> random_docs(uint32_t vocab, int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::vector<int32_t>> docs(n);
  for (auto& d : docs) {
    d.resize(rng() % 300);  // includes empty documents
    for (auto& id : d) id = static_cast<int32_t>(rng() % vocab);
  }
  return docs;
}

void round_trip(uint32_t vocab, uint32_t want_dtype) {
  auto dir = test::temp_dir("shards_" + std::to_string(vocab));
  auto docs = random_docs(vocab, 500, vocab);
  ShardWriterOptions o;
  o.tokens_per_shard = 20000;
  ShardWriter w(dir, vocab, /*tokenizer_fingerprint=*/0xABCDEFull, o);
  uint64_t total = 0;
  for (const auto& d : docs) w.add_document(d), total += d.size();
  w.finish();
  EXPECT_GT(w.files().size(), 2u);
  EXPECT_EQ(w.num_tokens(), total);
  ShardFile first(w.files()[0]);
  EXPECT_EQ(first.header().dtype_bytes, want_dtype);
  ShardDataset ds(dir);
  EXPECT_EQ(ds.vocab_size(), vocab);
  EXPECT_EQ(ds.tokenizer_fingerprint(), 0xABCDEFull);
  std::vector<int32_t> got;
  for (int pass = 0; pass < 2; ++pass) {  // rewind() gives the same stream again
    size_t i = 0;
    while (ds.next_document(got)) ASSERT_EQ(got, docs[i++]) << "document " << i - 1;
    EXPECT_EQ(i, docs.size());
    ds.rewind();
  }
}

TEST(ShardFormat, RoundTripUint16) { round_trip(32100, 2); }
TEST(ShardFormat, RoundTripUint32WhenVocabularyExceeds65536) { round_trip(70000, 4); }

TEST(ShardFormat, RejectsIdsOutsideTheVocabulary) {
  ShardWriter w(test::temp_dir("bad_ids"), 100, 0);
  EXPECT_THROW_WITH(w.add_document({1, 2, 100}), UsageError, "token id 100 at position 2 is outside");
}

class ShardValidation : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::temp_dir("shard_validation");
    ShardWriter w(dir_, 1000, 7);
    w.add_document({1, 2, 3});
    w.add_document({4, 5});
    w.finish();
    file_ = w.files()[0];
    bytes_ = core::read_file(file_);
  }
  void write(const std::string& b) { core::write_file_atomic(file_, b); }
  /// The valid shard with `value` stored at byte `offset`.
  template <typename T>
  std::string patched(size_t offset, T value) const {
    std::string b = bytes_;
    std::memcpy(&b[offset], &value, sizeof value);
    return b;
  }

  fs::path dir_, file_;
  std::string bytes_;
};

TEST_F(ShardValidation, BadMagic) {
  write(patched<char>(0, 'X'));
  EXPECT_THROW_WITH(ShardFile{file_}, DataError, file_.string() + "' is not a codessm token shard: bad magic");
}

TEST_F(ShardValidation, NewerFormatVersion) {
  write(patched<uint32_t>(8, 2));
  EXPECT_THROW_WITH(ShardFile{file_}, DataError, "format_version 2, newer than this codessm supports (1)");
}

TEST_F(ShardValidation, Truncated) {
  write(bytes_.substr(0, bytes_.size() - 5));
  EXPECT_THROW_WITH(ShardFile{file_}, DataError, "is truncated or corrupt");
  write(bytes_.substr(0, 10));
  EXPECT_THROW_WITH(ShardFile{file_}, DataError, "shorter than the 64-byte header");
}

TEST_F(ShardValidation, WrongDtypeAndCorruptIndexAndIds) {
  write(patched<uint32_t>(20, 4));
  EXPECT_THROW_WITH(ShardFile{file_}, DataError, "dtype_bytes 4 does not match vocab_size 1000");
  write(patched<uint16_t>(64, 5000));  // the first token id
  ShardFile f(file_);
  std::vector<int32_t> out;
  EXPECT_THROW_WITH(f.read_document(0, out), DataError, "token id 5000 >= vocab_size 1000");
}

// fuzz/shard: counts chosen so that the size arithmetic wraps around 2^64 to this file's real size passed the size
// check and then indexed far past the mapping. Counts the file cannot hold are refused before any arithmetic.
TEST_F(ShardValidation, HeaderCountsWhoseSizeWrapsToTheFileSizeAreRefused) {
  ShardFile ok(file_);
  ASSERT_EQ(ok.num_docs(), 2u);
  write(patched<uint64_t>(24, (uint64_t{1} << 63) + 5));  // num_tokens: 2 bytes each wraps to the real 5 tokens
  EXPECT_THROW_WITH(ShardFile{file_}, DataError, "more than its " + std::to_string(bytes_.size()) + " bytes can hold");
  write(patched<uint64_t>(32, (uint64_t{1} << 61) + 2));  // num_docs: (n + 1) · 8 wraps to the real 3 starts
  EXPECT_THROW_WITH(ShardFile{file_}, DataError, "header says 5 tokens and 2305843009213693954 documents");
}

TEST(CorpusReader, ReadsJsonlFieldsAndFilesAndNamesBadLines) {
  auto dir = test::temp_dir("corpus");
  core::write_file_atomic(dir / "a.jsonl", "{\"code\": \"x = 1\"}\n\n{\"original_string\": \"y\", \"code\": 3}\n");
  core::write_file_atomic(dir / "b.py", "print(1)\n");
  CorpusReader r({dir});
  std::string doc;
  std::vector<std::string> docs;
  while (r.next(doc)) docs.push_back(doc);
  EXPECT_EQ(docs, (std::vector<std::string>{"x = 1", "y", "print(1)\n"}));
  EXPECT_EQ(r.bytes_read(), r.total_bytes());
  core::write_file_atomic(dir / "a.jsonl", "{\"code\": \"ok\"}\n{\"text\": \"no\"}\n");
  CorpusReader bad({dir / "a.jsonl"});
  EXPECT_TRUE(bad.next(doc));
  EXPECT_THROW_WITH(bad.next(doc), DataError, "a.jsonl:2: none of the fields [code, original_string]");
}

TEST_F(ShardValidation, MalformedManifestIsADataErrorNamingTheFileAndField) {
  // Found by fuzz/shard: a manifest entry without "file" let nlohmann's out_of_range escape with no file name.
  const auto manifest = (dir_ / "manifest.json").string();
  ASSERT_TRUE(fs::exists(manifest));
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"shards": [{"num_tokens": 5}]})", "every entry of 'shards' needs a string field 'file'"},
      {R"({"shards": [{"file": 7}]})", "every entry of 'shards' needs a string field 'file'"},
      {R"({"shards": {"file": "x.bin"}})", "field 'shards' must be a list"},
      {R"({"format_version": "1", "shards": []})", "field 'format_version' must be a non-negative integer"},
      {R"({"format_version": 9, "shards": []})", "format_version 9, newer than this codessm supports"},
      {R"({"shards": [{"file": "../shard_validation/x.bin"}]})", "is not a file name inside the folder"},
      {R"([1, 2])", "not a JSON object"}};
  for (const auto& [text, message] : cases) {
    SCOPED_TRACE(text);
    core::write_file_atomic(manifest, text);
    EXPECT_THROW_WITH(ShardDataset{dir_}, DataError, message);
    EXPECT_THROW_WITH(ShardDataset{dir_}, DataError, manifest);
  }
}

}  // namespace
}  // namespace codessm::data
