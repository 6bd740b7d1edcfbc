// Probe dataset sampling: labels agree with hand-checked AST distances / siblings / data flow on a
// small function, balanced labels, seeded determinism, the 80/20 split, and the file round trip.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <set>

#include "codessm/core/error.h"
#include "codessm/layer_probe/dataset.h"
#include "test_utils.h"

namespace codessm::layer_probe {
namespace {

// Tokens: 0 def, 1 f, 2 (, 3 a, 4 ), 5 :, 6 b, 7 =, 8 a, 9 +, 10 1, 11 return, 12 b
const char* kSnippet = "def f(a):\n    b = a + 1\n    return b\n";

std::map<std::pair<int, int>, int> by_pair(const std::vector<ProbePair>& v) {
  std::map<std::pair<int, int>, int> m;
  for (const auto& p : v) m[{p.row, p.col}] = p.label;
  return m;
}

TEST(ProbingDataset, TokensOfHandCheckedSnippet) {
  const ProbeFunction fn = tokenize_function("snip", kSnippet, parse::Language::kPython);
  ASSERT_EQ(fn.tokens.size(), 13u);
  EXPECT_EQ(fn.tokens[0].type, "def");
  EXPECT_EQ(fn.tokens[11].type, "return");
  EXPECT_EQ(std::string(kSnippet).substr(fn.tokens[12].begin, fn.tokens[12].end - fn.tokens[12].begin), "b");
}

TEST(ProbingDataset, DistanceLabelsMatchHandCountedTreePaths) {
  const ProbeFunction fn = tokenize_function("snip", kSnippet, parse::Language::kPython);
  const auto m = by_pair(candidate_pairs(fn, ProbeTask::kDistance, parse::Language::kPython, 1));
  // Edges on the tree path; label index = distance − 2. module > function_definition > {def, f,
  // parameters > {(, a, )}, :, block > {expression_statement > assignment > {b, =, binary_operator >
  // {a, +, 1}}, return_statement > {return, b}}}.
  const std::map<int, int> from_def = {{1, 2}, {2, 3}, {3, 3}, {4, 3}, {5, 2}, {6, 5},
                                       {7, 5}, {8, 6}, {9, 6}, {10, 6}, {11, 4}, {12, 4}};
  const std::map<int, int> from_return = {{0, 4}, {1, 4}, {2, 5}, {3, 5}, {4, 5}, {5, 4},
                                          {6, 5}, {7, 5}, {8, 6}, {9, 6}, {10, 6}, {12, 2}};
  for (const auto& [c, d] : from_def) EXPECT_EQ(m.at({0, c}), d - 2) << "def -> token " << c;
  for (const auto& [c, d] : from_return) EXPECT_EQ(m.at({11, c}), d - 2) << "return -> token " << c;
  // Only keyword rows (def, return) and no pair beyond distance 6.
  EXPECT_EQ(m.size(), from_def.size() + from_return.size());
}

TEST(ProbingDataset, SiblingLabelsFollowTheMotifRelation) {
  const ProbeFunction fn = tokenize_function("snip", kSnippet, parse::Language::kPython);
  const auto pairs = candidate_pairs(fn, ProbeTask::kSiblings, parse::Language::kPython, 7);
  // motif(def) = f, :, and the leaves of `parameters` ( a ) — `block` is skipped; motif(return) = b.
  std::set<int> def_pos, ret_pos;
  int def_neg = 0, ret_neg = 0;
  for (const auto& p : pairs) {
    ASSERT_TRUE(p.row == 0 || p.row == 11);
    if (p.label == 1) (p.row == 0 ? def_pos : ret_pos).insert(p.col);
    else ++(p.row == 0 ? def_neg : ret_neg);
  }
  EXPECT_EQ(def_pos, (std::set<int>{1, 2, 3, 4, 5}));
  EXPECT_EQ(ret_pos, (std::set<int>{12}));
  EXPECT_EQ(def_neg, 5);  // one negative per positive, per row
  EXPECT_EQ(ret_neg, 1);
  for (const auto& p : pairs) {
    if (p.label == 0) EXPECT_FALSE(p.row == 0 && def_pos.count(p.col)) << p.col;
  }
}

TEST(ProbingDataset, DfgLabelsFollowGraphCodeBertRules) {
  const ProbeFunction fn = tokenize_function("snip", kSnippet, parse::Language::kPython);
  const auto pairs = candidate_pairs(fn, ProbeTask::kDfg, parse::Language::kPython, 3);
  const auto m = by_pair(pairs);
  // labels: 0 = "-1" computedFrom, 1 = "0" none, 2 = "1" comesFrom.
  EXPECT_EQ(m.at({6, 8}), 0);   // b computedFrom a
  EXPECT_EQ(m.at({6, 10}), 0);  // b computedFrom 1 (literals are variables in GraphCodeBERT)
  EXPECT_EQ(m.at({8, 3}), 2);   // a comesFrom the parameter a
  EXPECT_EQ(m.at({12, 6}), 2);  // return b comesFrom b
  int none = 0;
  for (const auto& p : pairs) none += p.label == 1;
  // ceil(max(#comesFrom, #computedFrom) / 2) negatives per row with edges: row 6 → 1, 8 → 1, 12 → 1.
  EXPECT_EQ(none, 3);
}

std::vector<SourceFunction> generated_functions(int n) {
  std::vector<SourceFunction> v;
  for (int i = 0; i < n; ++i) {
    std::string code = "def g" + std::to_string(i) + "(x, y):\n    z = x + " + std::to_string(i) +
                       "\n    if z > y:\n        for k in range(y):\n            z += k\n    else:\n"
                       "        z = y - x\n    while z < 0:\n        z = z * 2\n    return z\n";
    v.push_back({"fn" + std::to_string(i), code});
  }
  return v;
}

class ProbingBalance : public ::testing::TestWithParam<ProbeTask> {};

TEST_P(ProbingBalance, BalancedSeededAndSplit8020) {
  DatasetOptions o;
  o.task = GetParam();
  o.seed = 11;
  o.max_functions = 12;
  o.per_label = 40;
  const auto fns = generated_functions(30);
  const ProbeDataset a = build_probe_dataset(fns, o);
  const ProbeDataset b = build_probe_dataset(fns, o);
  EXPECT_EQ(dataset_to_json(a), dataset_to_json(b)) << "same seed, different dataset";
  o.seed = 12;
  EXPECT_NE(dataset_to_json(build_probe_dataset(fns, o)), dataset_to_json(a));

  const int L = static_cast<int>(a.labels.size());
  const auto tr = label_counts(a.train, L), te = label_counts(a.test, L);
  const int64_t per = a.provenance["per_label"].get<int64_t>();
  EXPECT_GT(per, 0);
  for (int l = 0; l < L; ++l) EXPECT_EQ(tr[l] + te[l], per) << "label " << a.labels[l];
  const size_t n = a.train.size() + a.test.size();
  EXPECT_EQ(a.test.size(), static_cast<size_t>(std::ceil(0.2 * n)));
  EXPECT_EQ(a.functions.size(), 12u);
  // No pair is in both splits, and no pair twice.
  std::set<std::tuple<int, int, int>> seen;
  for (const auto* v : {&a.train, &a.test})
    for (const auto& p : *v) EXPECT_TRUE(seen.insert({p.function, p.row, p.col}).second);
}

INSTANTIATE_TEST_SUITE_P(Tasks, ProbingBalance,
                         ::testing::Values(ProbeTask::kDistance, ProbeTask::kSiblings, ProbeTask::kDfg),
                         [](const auto& info) { return task_name(info.param); });

TEST(ProbingDataset, FileRoundTripAndNewerVersionFails) {
  DatasetOptions o;
  o.task = ProbeTask::kSiblings;
  o.max_functions = 5;
  const ProbeDataset d = build_probe_dataset(generated_functions(8), o);
  const auto path = test::temp_dir("probing_ds") / "sib.json";
  save_dataset(d, path);
  const ProbeDataset e = load_dataset(path);
  EXPECT_EQ(dataset_to_json(e), dataset_to_json(d));
  auto j = dataset_to_json(d);
  j["format_version"] = kDatasetFormatVersion + 1;
  EXPECT_THROW_WITH(dataset_from_json(j, "x.json"), DataError, "newer");
}

TEST(ProbingDataset, ReadsJsonlAndNamesTheBadLine) {
  const auto dir = test::temp_dir("probing_jsonl");
  {
    std::ofstream(dir / "f.jsonl") << R"({"sha":"s1","language":"python","original_string":"def a():\n    return 1\n"})"
                                   << "\n{oops\n";
  }
  EXPECT_THROW_WITH(read_source_functions(dir / "f.jsonl", parse::Language::kPython), DataError, "f.jsonl:2");
}

}  // namespace
}  // namespace codessm::layer_probe
