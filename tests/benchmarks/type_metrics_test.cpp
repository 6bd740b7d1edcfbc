// Type-inference scores: UNK predictions, UNK gold, unlabelled tokens and the top-k restriction.
#include <gtest/gtest.h>

#include "codessm/core/error.h"
#include "codessm/benchmarks/metrics.h"
#include "test_utils.h"

namespace codessm::benchmarks {
namespace {

// Seven tokens, six labelled:
//   i  gold     pred     labelled  answered (pred not UNK/"")  correct
//   0  ""       number   no        -                           -
//   1  number   number   yes       yes                         yes
//   2  number   string   yes       yes                         no
//   3  string   UNK      yes       no                          no
//   4  UNK      UNK      yes       no                          no   (UNK gold is always wrong)
//   5  Foo      Foo      yes       yes                         yes
//   6  string   ""       yes       no                          no
const std::vector<std::string> kGold = {"", "number", "number", "string", "UNK", "Foo", "string"};
const std::vector<std::string> kPred = {"number", "number", "string", "UNK", "UNK", "Foo", ""};

TEST(TypeMetrics, UnkNeverCountsAsCorrect) {
  // labelled 6, predicted 3, correct 2 → P 2/3, R 2/6 = 1/3, F1 2·(2/3)(1/3)/(1) = 4/9, accuracy 1/3.
  const auto s = type_scores(kGold, kPred);
  EXPECT_EQ(s.labelled, 6);
  EXPECT_EQ(s.predicted, 3);
  EXPECT_EQ(s.correct, 2);
  EXPECT_NEAR(s.precision, 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(s.recall, 1.0 / 3.0, 1e-12);
  EXPECT_NEAR(s.f1, 4.0 / 9.0, 1e-12);
  EXPECT_NEAR(s.accuracy, 1.0 / 3.0, 1e-12);
  EXPECT_EQ(s.to_json()["correct"], 2);
}

TEST(TypeMetrics, TopKKeepsTokensWhoseGoldIsInTheSet) {
  // top = {number, string}: tokens 1, 2, 3, 6 → labelled 4, predicted 2 (1, 2), correct 1 (token 1).
  // P 1/2, R 1/4, F1 2·(1/2)(1/4)/(3/4) = 1/3.
  const auto s = type_scores(kGold, kPred, {"number", "string"});
  EXPECT_EQ(s.labelled, 4);
  EXPECT_EQ(s.predicted, 2);
  EXPECT_EQ(s.correct, 1);
  EXPECT_NEAR(s.precision, 0.5, 1e-12);
  EXPECT_NEAR(s.recall, 0.25, 1e-12);
  EXPECT_NEAR(s.f1, 1.0 / 3.0, 1e-12);
}

TEST(TypeMetrics, NoPredictionsGiveZeroNotNaN) {
  const auto s = type_scores({"number"}, {"UNK"});
  EXPECT_EQ(s.precision, 0.0);
  EXPECT_EQ(s.f1, 0.0);
  EXPECT_THROW_WITH(type_scores({"a", "b"}, {"a"}), UsageError, "2 gold labels but 1 predictions");
}

}  // namespace
}  // namespace codessm::benchmarks
