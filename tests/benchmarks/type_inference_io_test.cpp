// ManyTypes4TypeScript reading/writing and the type vocabulary.
#include <gtest/gtest.h>

#include "codessm/core/error.h"
#include "codessm/benchmarks/datasets.h"
#include "benchmark_fixtures.h"

namespace codessm::benchmarks {
namespace {

using test::fixture;
using test::temp_file;

TEST(TypeInferenceIO, NullLabelsBecomeEmptyStrings) {
  const auto ex = read_type_inference(fixture("manytypes.jsonl"));
  ASSERT_EQ(ex.size(), 3u);
  EXPECT_EQ(ex[1].id, "1");
  EXPECT_EQ(ex[1].tokens.size(), 7u);
  EXPECT_EQ(ex[1].labels, (std::vector<std::string>{"", "void", "", "string", "", "", ""}));
}

TEST(TypeInferenceIO, WriteThenReadRoundTrips) {
  const auto ex = read_type_inference(fixture("manytypes.jsonl"));
  const auto out = ::codessm::test::temp_dir("tasks_types_rt") / "out.jsonl";
  write_type_inference(out, ex);
  const auto back = read_type_inference(out);
  ASSERT_EQ(back.size(), ex.size());
  for (size_t i = 0; i < ex.size(); ++i) {
    EXPECT_EQ(back[i].id, ex[i].id);
    EXPECT_EQ(back[i].tokens, ex[i].tokens);
    EXPECT_EQ(back[i].labels, ex[i].labels);
  }
  TokenExample bad{"x", {"a", "b"}, {""}};
  EXPECT_THROW_WITH(write_type_inference(out, {bad}), UsageError, "has 2 tokens but 1 labels");
}

TEST(TypeInferenceIO, MalformedLinesNameFileLineAndField) {
  const auto len = temp_file("len.jsonl",
                             "{\"tokens\": [\"a\"], \"labels\": [null]}\n"
                             "{\"tokens\": [\"a\", \"b\"], \"labels\": [null]}\n");
  EXPECT_THROW_WITH(read_type_inference(len), DataError,
                    len.string() + ":2: field 'labels': has 1 entries but \"tokens\" has 2");
  const auto type = temp_file("type.jsonl", "{\"tokens\": [\"a\"], \"labels\": [3]}\n");
  EXPECT_THROW_WITH(read_type_inference(type), DataError, ":1: field 'labels': item 0 is a number");
  const auto tokens = temp_file("tok.jsonl", "{\"tokens\": [\"a\", null], \"labels\": [null, null]}\n");
  EXPECT_THROW_WITH(read_type_inference(tokens), DataError, ":1: field 'tokens': item 1 is a null");
  const auto none = temp_file("none.jsonl", "{\"tokens\": []}\n");
  EXPECT_THROW_WITH(read_type_inference(none), DataError, ":1: field 'labels': missing");
}

TEST(TypeVocab, MostFrequentFirstTiesByNameAndUnkAtZero) {
  // Counts over the fixture: number 2, string 1, void 1 → [UNK, number, string, void].
  const auto ex = read_type_inference(fixture("manytypes.jsonl"));
  const auto all = TypeVocab::from_examples(ex, /*max_types=*/0);
  EXPECT_EQ(all.types(), (std::vector<std::string>{"UNK", "number", "string", "void"}));
  const auto two = TypeVocab::from_examples(ex, /*max_types=*/2);
  EXPECT_EQ(two.size(), 3);
  EXPECT_EQ(two.id("number"), 1);
  EXPECT_EQ(two.id("void"), 0);  // cut off → UNK
  EXPECT_EQ(two.type(0), "UNK");
  EXPECT_EQ(all.top(2), (std::vector<std::string>{"number", "string"}));
  EXPECT_EQ(all.top(10).size(), 3u);
  EXPECT_THROW_WITH(TypeVocab::from_examples(ex, -1), UsageError, "max_types must be >= 0");
}

}  // namespace
}  // namespace codessm::benchmarks
