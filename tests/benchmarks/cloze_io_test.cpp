// ClozeTest-maxmin items and the evaluator's CODESPLIT files.
#include <gtest/gtest.h>

#include "codessm/core/error.h"
#include "codessm/benchmarks/datasets.h"
#include "benchmark_fixtures.h"

namespace codessm::benchmarks {
namespace {

using test::fixture;
using test::temp_file;

TEST(ClozeIO, ReadsItemsWithOneMask) {
  const auto ex = read_cloze(fixture("cloze.json"));
  ASSERT_EQ(ex.size(), 2u);
  EXPECT_EQ(ex[0].id, "maxmin-1");
  EXPECT_EQ(ex[0].nl_tokens.front(), "returns");
  EXPECT_EQ(ex[1].pl_tokens, (std::vector<std::string>{"return", "<mask>", "(", "xs", ")"}));
}

TEST(ClozeIO, MaskCountOtherThanOneNamesTheElement) {
  const auto p = temp_file("two.json", R"([{"idx": "maxmin-1", "nl_tokens": [], "pl_tokens": ["<mask>"]},
                                           {"idx": "maxmin-2", "nl_tokens": [], "pl_tokens": ["<mask>", "<mask>"]}])");
  EXPECT_THROW_WITH(read_cloze(p), DataError, p.string() + " element 1: field 'pl_tokens': holds 2 \"<mask>\"");
  const auto none = temp_file("none.json", R"([{"idx": "maxmin-1", "nl_tokens": [], "pl_tokens": ["max"]}])");
  EXPECT_THROW_WITH(read_cloze(none), DataError, " element 0: field 'pl_tokens': holds 0");
}

TEST(CodesplitIO, ReadsAnswersAndRoundTrips) {
  const auto answers = read_codesplit(fixture("answers.txt"));
  EXPECT_EQ(answers, (std::map<std::string, std::string>{{"maxmin-1", "max"}, {"maxmin-2", "min"}}));
  const auto out = ::codessm::test::temp_dir("tasks_codesplit") / "predictions.txt";
  write_codesplit(out, {{"maxmin-2", "max"}, {"maxmin-1", "min"}});
  EXPECT_EQ(read_codesplit(out), (std::map<std::string, std::string>{{"maxmin-1", "min"}, {"maxmin-2", "max"}}));
  EXPECT_THROW_WITH(write_codesplit(out, {{"a\nb", "max"}}), UsageError, "contains a newline or <CODESPLIT>");
}

TEST(CodesplitIO, MalformedLinesNameFileAndLine) {
  const auto no_split = temp_file("a.txt", "maxmin-1<CODESPLIT>max\n\nmaxmin-2 min\n");
  EXPECT_THROW_WITH(read_codesplit(no_split), DataError, no_split.string() + ":3: has no <CODESPLIT>");
  const auto dup = temp_file("b.txt", "maxmin-1<CODESPLIT>max\nmaxmin-1<CODESPLIT>min\n");
  EXPECT_THROW_WITH(read_codesplit(dup), DataError, ":2: field 'idx': 'maxmin-1' appears twice");
}

}  // namespace
}  // namespace codessm::benchmarks
