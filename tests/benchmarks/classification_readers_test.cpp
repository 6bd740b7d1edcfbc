// Classification readers (Devign, DiverseVul, CodeComplex, generic JSONL, BigCloneBench) and LabelMap.
#include <gtest/gtest.h>

#include "codessm/core/error.h"
#include "codessm/benchmarks/datasets.h"
#include "benchmark_fixtures.h"

namespace codessm::benchmarks {
namespace {

using test::fixture;
using test::temp_file;

TEST(ClassificationReaders, DevignUsesIdxAndTargetAsText) {
  const auto ex = read_classification(fixture("devign.jsonl"), "devign");
  ASSERT_EQ(ex.size(), 3u);
  EXPECT_EQ(ex[1].id, "1");
  EXPECT_EQ(ex[1].text, "void g(char *p) { strcpy(buf, p); }");
  EXPECT_EQ(ex[1].label, "1");
  EXPECT_EQ(ex[0].label, "0");
  EXPECT_TRUE(ex[0].text2.empty());
}

TEST(ClassificationReaders, DiverseVulIsJsonLinesDespiteItsExtension) {
  const auto ex = read_classification(fixture("diversevul.json"));  // auto: func + target without idx
  ASSERT_EQ(ex.size(), 2u);
  EXPECT_EQ(ex[0].id, "1");  // line number
  EXPECT_EQ(ex[0].label, "1");
  EXPECT_EQ(ex[1].text, "int g(int x) { return x; }");
}

TEST(ClassificationReaders, CodeComplexKeepsNamedLabels) {
  const auto ex = read_classification(fixture("codecomplex.jsonl"));
  ASSERT_EQ(ex.size(), 3u);
  EXPECT_EQ(ex[2].label, "quadratic");
  EXPECT_EQ(ex[1].text, "System.out.println(1);");
  EXPECT_EQ(ex[2].id, "3");
}

TEST(ClassificationReaders, GenericJsonlWithNamedFieldsAndBooleanLabels) {
  const auto p = temp_file("generic.jsonl",
                           "{\"id\": \"a\", \"body\": \"x\", \"vuln\": true}\n"
                           "{\"id\": 7, \"body\": \"y\", \"vuln\": false}\n");
  const auto ex = read_classification(p, "auto", "body", "vuln");
  ASSERT_EQ(ex.size(), 2u);
  EXPECT_EQ(ex[0].id, "a");
  EXPECT_EQ(ex[0].label, "1");
  EXPECT_EQ(ex[1].id, "7");
  EXPECT_EQ(ex[1].label, "0");
  EXPECT_THROW_WITH(read_classification(p), UsageError, "devign, diversevul, codecomplex, jsonl");
  EXPECT_THROW_WITH(read_classification(p, "tsv"), UsageError, "unknown classification format 'tsv'");
}

TEST(ClassificationReaders, MalformedRecordsNameFileLineAndField) {
  const auto p = temp_file("devign.jsonl",
                           "{\"func\": \"f\", \"target\": 0, \"idx\": 0}\n"
                           "{\"func\": \"g\", \"target\": 0.5, \"idx\": 1}\n");
  EXPECT_THROW_WITH(read_classification(p, "devign"), DataError, p.string() + ":2: field 'target': is a number");
  const auto no_idx = temp_file("noidx.jsonl", "{\"func\": \"f\", \"target\": 0}\n");
  EXPECT_THROW_WITH(read_classification(no_idx, "devign"), DataError, ":1: field 'idx': missing");
  const auto empty_label = temp_file("empty.jsonl", "{\"src\": \"f\", \"complexity\": \"\"}\n");
  EXPECT_THROW_WITH(read_classification(empty_label, "codecomplex"), DataError, "field 'complexity': is an empty");
}

TEST(BigCloneBench, PairsJoinFunctionsByIdx) {
  const auto ex = read_bigclonebench(fixture("bcb_data.jsonl"), fixture("bcb_pairs.txt"));
  ASSERT_EQ(ex.size(), 3u);
  EXPECT_EQ(ex[0].id, "10\t11");
  EXPECT_EQ(ex[0].text, "int a() { return 1; }");
  EXPECT_EQ(ex[0].text2, "int b() { return 1; }");
  EXPECT_EQ(ex[0].label, "1");
  EXPECT_EQ(ex[2].text2, "void c() { print(); }");
  EXPECT_EQ(read_bigclonebench(fixture("bcb_data.jsonl"), fixture("bcb_pairs.txt"), /*max_pairs=*/2).size(), 2u);
}

TEST(BigCloneBench, BadPairLinesNameThePairFile) {
  const auto data = fixture("bcb_data.jsonl");
  const auto unknown = temp_file("unknown.txt", "10\t11\t1\n10\t99\t0\n");
  EXPECT_THROW_WITH(read_bigclonebench(data, unknown), DataError,
                    unknown.string() + ":2: field 'idx2': '99' is not in");
  const auto cols = temp_file("cols.txt", "10 11 1\n");
  EXPECT_THROW_WITH(read_bigclonebench(data, cols), DataError, ":1: has 1 tab-separated columns, not 3");
  const auto label = temp_file("label.txt", "10\t11\tyes\n");
  EXPECT_THROW_WITH(read_bigclonebench(data, label), DataError, ":1: field 'label': is 'yes'");
  const auto dup = temp_file("dup.jsonl", "{\"func\": \"a\", \"idx\": \"1\"}\n{\"func\": \"b\", \"idx\": 1}\n");
  EXPECT_THROW_WITH(read_bigclonebench(dup, fixture("bcb_pairs.txt")), DataError, ":2: field 'idx': '1' appears twice");
}

TEST(LabelMap, SortedDistinctLabelsAndUnknownLabelIsAnError) {
  const auto map = LabelMap::from_examples(read_classification(fixture("codecomplex.jsonl")));
  EXPECT_EQ(map.labels(), (std::vector<std::string>{"constant", "linear", "quadratic"}));
  EXPECT_EQ(map.id("quadratic"), 2);
  EXPECT_EQ(map.label(1), "linear");
  EXPECT_TRUE(map.contains("constant"));
  EXPECT_FALSE(map.contains("cubic"));
  EXPECT_THROW_WITH(map.id("cubic"), DataError, "label 'cubic' is not among the training labels (constant, linear");
  EXPECT_EQ(LabelMap({"b", "a", "b"}).size(), 2);
}

}  // namespace
}  // namespace codessm::benchmarks
