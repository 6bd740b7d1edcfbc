// Leaf vectors are the mean of their subword vectors (hand computation), and pair vectors are the
// difference (distance) or the concatenation (siblings, dfg) of two leaf vectors.
#include <gtest/gtest.h>

#include "codessm/layer_probe/representations.h"

namespace codessm::layer_probe {
namespace {

// code "foo = bar": code tokens foo [0,3) = [4,5) bar [6,9); model tokens "fo" "o" " =" " b" "ar"
// after a <s> at position 0 (offset 1). " b" straddles the space and "b": it belongs to bar only.
struct Fixture {
  ProbeFunction fn{"f", "foo = bar", {{0, 3, "identifier"}, {4, 5, "="}, {6, 9, "identifier"}}};
  std::vector<data::Token> toks{{10, 0, 2}, {11, 2, 3}, {12, 3, 5}, {13, 5, 7}, {14, 7, 9}};
  torch::Tensor hidden = torch::tensor({0.f, 0.f,   // <s>
                                        1.f, 2.f,   // fo
                                        3.f, 6.f,   // o
                                        5.f, -1.f,  // " ="
                                        2.f, 8.f,   // " b"
                                        4.f, 0.f})  // ar
                             .view({6, 2});         // (L=6, D=2)
};

TEST(ProbingPooling, LeafVectorIsTheMeanOfItsSubwords) {
  Fixture f;
  std::vector<bool> valid;
  const auto leaves = leaf_vectors(f.hidden, f.toks, f.fn, /*offset=*/1, &valid);  // (3, 2)
  ASSERT_EQ(leaves.sizes(), (torch::IntArrayRef{3, 2}));
  const auto a = leaves.accessor<float, 2>();
  EXPECT_FLOAT_EQ(a[0][0], 2.f);   // foo = mean(fo, o) = ((1+3)/2, (2+6)/2)
  EXPECT_FLOAT_EQ(a[0][1], 4.f);
  EXPECT_FLOAT_EQ(a[1][0], 5.f);   // "=" = " =" alone
  EXPECT_FLOAT_EQ(a[1][1], -1.f);
  EXPECT_FLOAT_EQ(a[2][0], 3.f);   // bar = mean(" b", ar) = ((2+4)/2, (8+0)/2)
  EXPECT_FLOAT_EQ(a[2][1], 4.f);
  EXPECT_EQ(valid, (std::vector<bool>{true, true, true}));
}

TEST(ProbingPooling, PairVectorsDifferenceAndConcatenation) {
  Fixture f;
  const auto leaves = leaf_vectors(f.hidden, f.toks, f.fn, 1);
  const std::vector<ProbePair> pairs = {{0, 0, 2, 0}, {0, 1, 0, 0}};
  const auto diff = pair_vectors(leaves, pairs, ProbeTask::kDistance);  // (2, 2)
  EXPECT_TRUE(torch::equal(diff, torch::tensor({2.f - 3.f, 4.f - 4.f, 5.f - 2.f, -1.f - 4.f}).view({2, 2})));
  for (ProbeTask t : {ProbeTask::kSiblings, ProbeTask::kDfg}) {
    const auto cat = pair_vectors(leaves, pairs, t);  // (2, 4)
    EXPECT_TRUE(torch::equal(cat, torch::tensor({2.f, 4.f, 3.f, 4.f, 5.f, -1.f, 2.f, 4.f}).view({2, 4})))
        << task_name(t);
  }
}

}  // namespace
}  // namespace codessm::layer_probe
