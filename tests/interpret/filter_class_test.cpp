// Thresholds, the combination rule and the exact LHFR bin sets.
#include "codessm/interpret/filter_class.h"

#include <cmath>
#include <limits>

#include "codessm/core/error.h"
#include "codessm/interpret/spectral_metrics.h"
#include "test_utils.h"

namespace codessm::interpret {
namespace {

TEST(FilterClass, PaperThresholds) {
  ClassThresholds t;
  EXPECT_EQ(classify_sc(0.16, t), FilterClass::kLow);
  EXPECT_EQ(classify_sc(0.17, t), FilterClass::kBand);
  EXPECT_EQ(classify_sc(0.34, t), FilterClass::kHigh);
  EXPECT_EQ(classify_lhfr(10.5, t), FilterClass::kLow);
  EXPECT_EQ(classify_lhfr(10.0, t), FilterClass::kBand);
  EXPECT_EQ(classify_lhfr(0.99, t), FilterClass::kHigh);
  EXPECT_EQ(classify_lhfr(std::numeric_limits<double>::infinity(), t), FilterClass::kLow);
  EXPECT_EQ(classify_lhfr(std::nan(""), t), FilterClass::kUndefined);
}

TEST(FilterClass, CombinationRule) {
  using C = FilterClass;
  EXPECT_EQ(combine_classes(C::kLow, C::kLow), C::kLow);
  EXPECT_EQ(combine_classes(C::kHigh, C::kHigh), C::kHigh);
  EXPECT_EQ(combine_classes(C::kLow, C::kHigh), C::kBand);   // contradiction
  EXPECT_EQ(combine_classes(C::kHigh, C::kLow), C::kBand);
  EXPECT_EQ(combine_classes(C::kLow, C::kBand), C::kLow);    // one says band → SC
  EXPECT_EQ(combine_classes(C::kBand, C::kHigh), C::kBand);
  EXPECT_EQ(combine_classes(C::kBand, C::kLow), C::kBand);
  EXPECT_EQ(combine_classes(C::kUndefined, C::kLow), C::kUndefined);
}

TEST(FilterClass, OverlappingThresholdsAreRejected) {
  EXPECT_THROW_WITH(ClassThresholds::parse("lhfr_high=10,lhfr_low=10"), UsageError, "LHFR thresholds overlap");
  EXPECT_THROW_WITH(ClassThresholds::parse("lhfr_high=20"), UsageError, "lhfr_high = 20 must be below lhfr_low = 10");
  EXPECT_THROW_WITH(ClassThresholds::parse("sc_low=0.3,sc_high=0.2"), UsageError, "SC thresholds overlap");
  EXPECT_THROW_WITH(ClassThresholds::parse("sc_high=0.6"), UsageError, "inside (0, 0.5)");
  EXPECT_THROW_WITH(ClassThresholds::parse("lhfr_high=0"), UsageError, "must be > 0");
  EXPECT_THROW_WITH(ClassThresholds::parse("foo=1"), UsageError, "unknown key 'foo'");
  EXPECT_THROW_WITH(ClassThresholds::parse("sc_low=abc"), UsageError, "not a number");
  auto t = ClassThresholds::parse("lhfr_low=20,lhfr_high=0.5");
  EXPECT_EQ(t.lhfr_low, 20);
  EXPECT_EQ(t.lhfr_high, 0.5);
  EXPECT_NEAR(t.sc_low, 1.0 / 6, 1e-15);
}

TEST(FilterClass, ExactBinSets) {
  auto s = lhfr_bins(rfft_bins(2048), BandOptions{});  // M = 1025
  EXPECT_EQ(s.bins, 1025);
  EXPECT_EQ(s.low_count, 103);    // ⌈102.5⌉
  EXPECT_EQ(s.high_count(), 410); // ⌈410⌉ exactly, no rounding up of 410.00000000000006
  EXPECT_EQ(s.high_begin, 615);
  auto t = lhfr_bins(rfft_bins(10), BandOptions{});  // M = 6
  EXPECT_EQ(t.low_count, 1);
  EXPECT_EQ(t.high_count(), 3);
  EXPECT_THROW_WITH(lhfr_bins(1, BandOptions{}), UsageError, "too few");
  EXPECT_THROW_WITH(lhfr_bins(100, (BandOptions{0.7, 0.4})), UsageError, "sum to at most 1");
}

}  // namespace
}  // namespace codessm::interpret
