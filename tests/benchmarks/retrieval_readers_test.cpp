// Retrieval readers on the official formats, format detection, the evaluation pool and malformed input.
#include <gtest/gtest.h>

#include "codessm/core/error.h"
#include "codessm/benchmarks/datasets.h"
#include "benchmark_fixtures.h"

namespace codessm::benchmarks {
namespace {

using test::fixture;
using test::temp_file;

TEST(RetrievalReaders, AdvTestJoinsTokensAndAcceptsFunctionTokens) {
  const auto ex = read_retrieval(fixture("advtest.jsonl"), "advtest");
  ASSERT_EQ(ex.size(), 3u);  // the blank line is skipped
  EXPECT_EQ(ex[0].id, "https://github.com/a/b/blob/1/x.py#L1-L3");
  EXPECT_EQ(ex[0].query, "Add two numbers .");
  EXPECT_EQ(ex[0].code, "def add ( a , b ) : return a + b");
  EXPECT_EQ(ex[1].code, "def neg ( x ) : return - x");  // from function_tokens (AdvTest test split)
  EXPECT_EQ(ex[2].label, 1);
}

TEST(RetrievalReaders, CosqaKeepsLabelsAndWebqueryDefaultsToOne) {
  const auto cosqa = read_retrieval(fixture("cosqa.json"), "cosqa");
  ASSERT_EQ(cosqa.size(), 3u);
  EXPECT_EQ(cosqa[0].id, "cosqa-dev-0");
  EXPECT_EQ(cosqa[0].query, "python add two numbers");
  EXPECT_EQ(cosqa[0].code, "def add(a, b):\n    return a + b");
  EXPECT_EQ(cosqa[1].label, 0);
  EXPECT_EQ(cosqa[2].label, 1);
  const auto web = read_retrieval(fixture("webquery.json"), "webquery");
  ASSERT_EQ(web.size(), 2u);
  EXPECT_EQ(web[1].id, "webquery-test-2");
  EXPECT_EQ(web[1].label, 1);
}

TEST(RetrievalReaders, SqaFallsBackToTheLineNumberForTheId) {
  const auto ex = read_retrieval(fixture("sqa.jsonl"), "sqa");
  ASSERT_EQ(ex.size(), 2u);
  EXPECT_EQ(ex[0].id, "q1");
  EXPECT_EQ(ex[1].id, "2");
  EXPECT_EQ(ex[1].query, "How do I read a file?");
  EXPECT_EQ(ex[1].code, "open(p).read()");
}

TEST(RetrievalReaders, AlignedPairsByLineAndBySpec) {
  const auto ex = read_aligned_pairs(fixture("pairs.java"), fixture("pairs.cs"));
  ASSERT_EQ(ex.size(), 3u);
  EXPECT_EQ(ex[1].id, "2");
  EXPECT_EQ(ex[1].query, "public void Clear() {items.clear();}");
  EXPECT_EQ(ex[1].code, "public void Clear() {items.Clear();}");
  const auto spec = fixture("pairs.java").string() + ":" + fixture("pairs.cs").string();
  EXPECT_EQ(read_retrieval(spec).size(), 3u);  // auto → aligned
}

TEST(RetrievalReaders, AutoDetectsEveryRecordFormat) {
  EXPECT_EQ(read_retrieval(fixture("advtest.jsonl")).at(1).code, "def neg ( x ) : return - x");
  EXPECT_EQ(read_retrieval(fixture("cosqa.json")).at(1).label, 0);
  EXPECT_EQ(read_retrieval(fixture("webquery.json")).size(), 2u);
  EXPECT_EQ(read_retrieval(fixture("sqa.jsonl")).at(0).code, "xs[::-1]");
  EXPECT_THROW_WITH(read_retrieval(fixture("devign.jsonl")), UsageError, "advtest, cosqa, webquery, sqa, aligned");
  EXPECT_THROW_WITH(read_retrieval(fixture("cosqa.json"), "csv"), UsageError, "unknown retrieval format 'csv'");
}

TEST(RetrievalReaders, BomAndCrlfAreTolerated) {
  const auto p = temp_file("bom.jsonl", "\xEF\xBB\xBF{\"question\": \"q\", \"answer\": \"a\"}\r\n\r\n");
  const auto ex = read_retrieval(p);
  ASSERT_EQ(ex.size(), 1u);
  EXPECT_EQ(ex[0].code, "a");
  const auto array = temp_file("bom.json", "\xEF\xBB\xBF[{\"idx\": 3, \"doc\": \"d\", \"code\": \"c\"}]\r\n");
  EXPECT_EQ(read_retrieval(array).at(0).id, "3");  // auto → webquery; an integer idx becomes "3"
}

TEST(RetrievalReaders, MalformedLinesNameFileLineAndField) {
  const auto bad_json = temp_file("bad.jsonl", "{\"question\": \"q\", \"answer\": \"a\"}\n{\"question\": \n");
  EXPECT_THROW_WITH(read_retrieval(bad_json, "sqa"), DataError, bad_json.string() + ":2: not valid JSON");
  const auto missing =
      temp_file("missing.jsonl", "{\"question\": \"q\", \"answer\": \"a\"}\n\n{\"question\": \"q\"}\n");
  EXPECT_THROW_WITH(read_retrieval(missing, "sqa"), DataError, missing.string() + ":3: field 'answer': missing. Fix:");
  const auto wrong = temp_file("wrong.jsonl", "{\"docstring_tokens\": \"x\", \"code_tokens\": []}\n");
  EXPECT_THROW_WITH(read_retrieval(wrong, "advtest"), DataError,
                    ":1: field 'docstring_tokens': is a string, not a list");
  const auto not_object = temp_file("list.jsonl", "[1, 2]\n");
  EXPECT_THROW_WITH(read_retrieval(not_object, "sqa"), DataError, "not a JSON object");
}

TEST(RetrievalReaders, MalformedArrayElementsNameTheIndex) {
  const auto label = temp_file("label.json", R"([{"idx": "a", "doc": "d", "code": "c", "label": 1},
                                                 {"idx": "b", "doc": "d", "code": "c", "label": 2}])");
  EXPECT_THROW_WITH(read_retrieval(label, "cosqa"), DataError, label.string() + " element 1: field 'label': is 2");
  const auto code = temp_file("code.json", R"([{"idx": "a", "doc": "d", "code": 5}])");
  EXPECT_THROW_WITH(read_retrieval(code, "webquery"), DataError, " element 0: field 'code': is a number");
  const auto truncated = temp_file("cut.json", R"([{"idx": "a", "doc": "d")");
  EXPECT_THROW_WITH(read_retrieval(truncated, "webquery"), DataError, "not a valid JSON array");
}

TEST(RetrievalReaders, AlignedFilesMustMatchLineForLine) {
  const auto q = temp_file("q.java", "a\nb\nc\n");
  const auto c = temp_file("c.cs", "a\nb\n");
  EXPECT_THROW_WITH(read_aligned_pairs(q, c), DataError, "has 3 lines but");
  const auto gap = temp_file("gap.cs", "a\n\nc\n");
  EXPECT_THROW_WITH(read_aligned_pairs(q, gap), DataError, gap.string() + ":2: is an empty line");
  EXPECT_THROW_WITH(read_retrieval(q.string() + ":/nonexistent.cs", "aligned"), UsageError, "QUERY_FILE:CODE_FILE");
}

TEST(RetrievalPool, NegativesEnlargeThePoolAndDuplicatesShareAnEntry) {
  const auto pool = make_pool(read_retrieval(fixture("cosqa.json")));
  // Records 0 and 1 share their code; record 1 is a negative. Pool = {add, rev}; queries = records 0 and 2.
  ASSERT_EQ(pool.pool.size(), 2u);
  ASSERT_EQ(pool.queries.size(), 2u);
  EXPECT_EQ(pool.query_ids, (std::vector<std::string>{"cosqa-dev-0", "cosqa-dev-2"}));
  EXPECT_EQ(pool.gold, (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(pool.pool[pool.gold[1]], "def rev(xs):\n    xs.reverse()");
}

}  // namespace
}  // namespace codessm::benchmarks
