// The readers on the real CodeXGLUE samples in ../shared/data/codexglue (skipped when it is absent).
#include <gtest/gtest.h>

#include <algorithm>

#include "codessm/benchmarks/datasets.h"
#include "test_utils.h"

namespace codessm::benchmarks {
namespace {

std::filesystem::path codexglue(const std::string& name) {
  return ::codessm::test::shared_data_dir() / "codexglue" / name;
}

TEST(SharedSamples, CosqaDev) {
  CODESSM_REQUIRE_SHARED_DATA();
  const auto ex = read_retrieval(codexglue("cosqa-dev.json"));
  ASSERT_EQ(ex.size(), 604u);
  EXPECT_EQ(std::count_if(ex.begin(), ex.end(), [](const auto& e) { return e.label == 1; }), 313);
  EXPECT_EQ(ex[0].id, "cosqa-dev-0");
  EXPECT_EQ(ex[0].query, "python check relation is symmetric");
  const auto pool = make_pool(ex);
  EXPECT_EQ(pool.queries.size(), 313u);
  EXPECT_EQ(pool.pool.size(), 552u);  // distinct code strings, counted with Python's set()
}

TEST(SharedSamples, WebqueryTest) {
  CODESSM_REQUIRE_SHARED_DATA();
  const auto ex = read_retrieval(codexglue("webquery-test.json"));
  ASSERT_EQ(ex.size(), 1046u);
  EXPECT_EQ(ex[0].id, "webquery-test-1");
  EXPECT_EQ(ex[0].query, "how to open a text file on python");
}

TEST(SharedSamples, JavaCsTestPairs) {
  CODESSM_REQUIRE_SHARED_DATA();
  const auto ex = read_aligned_pairs(codexglue("java-cs/test.java"), codexglue("java-cs/test.cs"));
  ASSERT_EQ(ex.size(), 1000u);
  EXPECT_EQ(ex[0].query, "public void serialize(LittleEndianOutput out) {out.writeShort(field_1_vcenter);}");
  EXPECT_EQ(ex[999].id, "1000");
}

TEST(SharedSamples, ClozeMaxmin) {
  CODESSM_REQUIRE_SHARED_DATA();
  for (const auto& [lang, n] :
       std::vector<std::pair<std::string, size_t>>{{"go", 152}, {"javascript", 272}, {"php", 407}}) {
    const auto ex = read_cloze(codexglue("cloze-maxmin/" + lang + ".json"));
    EXPECT_EQ(ex.size(), n) << lang;
    EXPECT_EQ(ex.at(0).id, "maxmin-1") << lang;
  }
}

}  // namespace
}  // namespace codessm::benchmarks
