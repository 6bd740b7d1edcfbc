// Classification and binary scores against hand-computed values (sklearn's zero_division=0 convention).
#include <gtest/gtest.h>

#include "codessm/core/error.h"
#include "codessm/benchmarks/metrics.h"
#include "test_utils.h"

namespace codessm::benchmarks {
namespace {

TEST(ClassificationMetrics, MacroF1WithAClassNeverPredicted) {
  // n_classes = 4; class 3 appears in neither gold nor pred, so the macro mean runs over classes 0..2.
  //   gold: 0 0 1 1 2 2
  //   pred: 0 1 1 1 0 1      (class 2 is never predicted)
  // confusion[gold][pred]: row0 = [1 1 0 0], row1 = [0 2 0 0], row2 = [1 1 0 0]
  // class 0: tp 1, predicted 2, support 2 → P 1/2, R 1/2, F1 1/2
  // class 1: tp 2, predicted 4, support 2 → P 1/2, R 1,   F1 2·(1/2)(1)/(3/2) = 2/3
  // class 2: tp 0, predicted 0, support 2 → P 0 (zero_division), R 0, F1 0
  // macro F1 = (1/2 + 2/3 + 0) / 3 = 7/18; macro P = (1/2 + 1/2 + 0)/3 = 1/3; macro R = (1/2 + 1 + 0)/3 = 1/2
  // weighted F1 = (2·1/2 + 2·2/3 + 2·0) / 6 = (1 + 4/3) / 6 = 7/18; accuracy = 3/6.
  const auto s = classification_scores({0, 0, 1, 1, 2, 2}, {0, 1, 1, 1, 0, 1}, /*n_classes=*/4);
  EXPECT_DOUBLE_EQ(s.accuracy, 0.5);
  EXPECT_NEAR(s.macro_f1, 7.0 / 18.0, 1e-12);
  EXPECT_NEAR(s.macro_precision, 1.0 / 3.0, 1e-12);
  EXPECT_NEAR(s.macro_recall, 0.5, 1e-12);
  EXPECT_NEAR(s.weighted_f1, 7.0 / 18.0, 1e-12);
  EXPECT_NEAR(s.f1[1], 2.0 / 3.0, 1e-12);
  EXPECT_EQ(s.precision[2], 0.0);
  EXPECT_EQ(s.support, (std::vector<int64_t>{2, 2, 2, 0}));
  EXPECT_EQ(s.confusion[2], (std::vector<int64_t>{1, 1, 0, 0}));
  const auto j = s.to_json({"a", "b", "c", "d"});
  EXPECT_EQ(j["per_class"]["c"]["support"], 2);
  EXPECT_NEAR(j["macro_f1"].get<double>(), 7.0 / 18.0, 1e-12);
}

TEST(ClassificationMetrics, WeightedF1FollowsSupport) {
  // gold 0 0 0 1, pred 0 0 1 1:
  // class 0: P 2/2, R 2/3, F1 2·1·(2/3)/(5/3) = 4/5; class 1: P 1/2, R 1, F1 2/3.
  // weighted = (3·4/5 + 1·2/3) / 4 = (12/5 + 2/3) / 4 = (36/15 + 10/15) / 4 = 46/60 = 23/30; macro = (4/5 + 2/3)/2 =
  // 11/15.
  const auto s = classification_scores({0, 0, 0, 1}, {0, 0, 1, 1}, 2);
  EXPECT_NEAR(s.weighted_f1, 23.0 / 30.0, 1e-12);
  EXPECT_NEAR(s.macro_f1, 11.0 / 15.0, 1e-12);
  EXPECT_DOUBLE_EQ(s.accuracy, 0.75);
}

TEST(ClassificationMetrics, RejectsBadInput) {
  EXPECT_THROW_WITH(classification_scores({0, 1}, {0}, 2), UsageError, "2 gold labels but 1 predictions");
  EXPECT_THROW_WITH(classification_scores({}, {}, 2), UsageError, "empty evaluation set");
  EXPECT_THROW_WITH(classification_scores({0, 2}, {0, 1}, 2), UsageError, "label 2 at example 1 is outside [0, 2)");
  EXPECT_THROW_WITH(classification_scores({0}, {0}, 1).to_json({"a", "b"}), UsageError, "2 label names for 1 classes");
}

TEST(BinaryMetrics, PositiveClassScores) {
  // gold 1 1 1 0 0 0, pred 1 0 0 1 0 0 → tp 1, fn 2, fp 1, tn 2.
  // P = 1/2, R = 1/3, F1 = 2·(1/2)(1/3) / (5/6) = (1/3)/(5/6) = 2/5.
  const auto s = binary_scores({1, 1, 1, 0, 0, 0}, {1, 0, 0, 1, 0, 0});
  EXPECT_EQ(s.tp, 1);
  EXPECT_EQ(s.fn, 2);
  EXPECT_EQ(s.fp, 1);
  EXPECT_EQ(s.tn, 2);
  EXPECT_DOUBLE_EQ(s.precision, 0.5);
  EXPECT_NEAR(s.recall, 1.0 / 3.0, 1e-12);
  EXPECT_NEAR(s.f1, 0.4, 1e-12);
  // With positive = 0 the roles swap: tp 2, fp 2, fn 1 → P 1/2, R 2/3, F1 2·(1/2)(2/3)/(7/6) = 4/7.
  EXPECT_NEAR(binary_scores({1, 1, 1, 0, 0, 0}, {1, 0, 0, 1, 0, 0}, /*positive=*/0).f1, 4.0 / 7.0, 1e-12);
  // Nothing predicted positive: P = 0 by zero_division, F1 = 0.
  const auto none = binary_scores({1, 0}, {0, 0});
  EXPECT_EQ(none.precision, 0.0);
  EXPECT_EQ(none.f1, 0.0);
  EXPECT_EQ(none.to_json()["fn"], 1);
}

}  // namespace
}  // namespace codessm::benchmarks
