// `codessm report`'s collection and page assembly: which files count as results, how bad inputs are named,
// metrics.jsonl with a torn last line, and JSON that cannot close the data <script>. The page in a browser:
// tests/browser/report_page_test.mjs.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "codessm/webreport/html_report.h"
#include "test_utils.h"

using namespace codessm;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

void put(const fs::path& p, const std::string& text) {
  core::ensure_dir(p.parent_path());
  core::write_file_atomic(p, text);
}

const webreport::Problem* problem_for(const webreport::Collection& c, const std::string& needle) {
  for (auto& p : c.problems)
    if (p.path.find(needle) != std::string::npos) return &p;
  return nullptr;
}

}  // namespace

TEST(WebReportCollect, FindsResultsSkipsOtherJsonAndNamesBadFiles) {
  const auto d = test::temp_dir("webreport_collect");
  put(d / "run/interpret/interpret.json", R"({"schema": "interpret.kernels", "schema_version": 1, "results": {"filters": []}})");
  put(d / "run/ckpt-10/config.json", R"({"model_type": "BiGS", "hidden_size": 64})");        // not a result
  put(d / "run/probe/datasets/distance.json", R"({"schema": "codessm.probing.dataset"})");  // an input
  put(d / "run/study/study.json", R"({"schema": "study.report", "results": {"rows": [1, 2]}})");
  put(d / "run/broken/compare.json", R"({"schema": "interpret.compare", "res)");
  put(d / "run/.ckpt.tmp-1/x.json", R"({"schema": "hidden"})");                              // temp folder
  put(d / "run/bench/results/h100.json", R"({"fwd_L512": {"tokens_per_s": 1000}})");         // no envelope
  const auto c = webreport::collect_results({d / "run", d / "nowhere"});
  std::vector<std::string> kinds;
  for (auto& doc : c.documents) kinds.push_back(doc.kind);
  std::sort(kinds.begin(), kinds.end());
  EXPECT_EQ(kinds, (std::vector<std::string>{"bench.json", "interpret.kernels", "study.report"}));
  auto* bad = problem_for(c, "broken/compare.json");
  ASSERT_NE(bad, nullptr);
  EXPECT_NE(bad->message.find("not valid JSON"), std::string::npos) << bad->message;
  auto* missing = problem_for(c, "nowhere");
  ASSERT_NE(missing, nullptr);
  EXPECT_NE(missing->message.find("does not exist"), std::string::npos);
  EXPECT_EQ(c.problems.size(), 2u);
}

TEST(WebReportCollect, NamedNonResultFileAndEmptyFolderAreProblems) {
  const auto d = test::temp_dir("webreport_named");
  put(d / "config.json", R"({"model_type": "bert"})");
  core::ensure_dir(d / "empty");
  const auto c = webreport::collect_results({d / "config.json", d / "empty"});
  EXPECT_TRUE(c.documents.empty());
  ASSERT_EQ(c.problems.size(), 2u);
  EXPECT_NE(c.problems[0].message.find("no string field \"schema\""), std::string::npos) << c.problems[0].message;
  EXPECT_NE(c.problems[1].message.find("holds no result files"), std::string::npos) << c.problems[1].message;
}

TEST(WebReportCollect, MetricsLogKeepsGoodLinesAndThinsLongLogs) {
  const auto d = test::temp_dir("webreport_metrics");
  std::string log;
  for (int s = 1; s <= 50; ++s) log += json{{"kind", "train"}, {"step", s}, {"loss", 10.0 / s}}.dump() + "\n";
  log += "{\"kind\": \"train\", \"step\": 51, \"lo";  // a run killed mid-line
  put(d / "run/metrics.jsonl", log);
  webreport::CollectOptions o;
  o.max_metric_records = 20;
  const auto c = webreport::collect_results({d / "run"}, o);
  ASSERT_EQ(c.documents.size(), 1u);
  const auto& m = c.documents[0].data;
  EXPECT_EQ(c.documents[0].kind, "train.metrics");
  EXPECT_EQ(m["lines"], 51);
  EXPECT_EQ(m["stride"], 3);  // ceil(50 / 20)
  const auto& recs = m["records"];
  ASSERT_EQ(recs.size(), 18u);  // steps 1, 4, ..., 49 and the last (50)
  EXPECT_EQ(recs.front()["step"], 1);
  EXPECT_EQ(recs.back()["step"], 50);
  EXPECT_DOUBLE_EQ(recs[1]["loss"].get<double>(), 10.0 / 4);  // values are copied, not averaged
  ASSERT_EQ(c.problems.size(), 1u);
  EXPECT_NE(c.problems[0].message.find("line 51"), std::string::npos) << c.problems[0].message;
}

TEST(WebReportPage, EmbedsDocumentsThatCannotCloseTheScriptAndInlinesEverything) {
  webreport::Collection c;
  c.documents.push_back({"a/x.json", "a", "study.report",
                         json{{"schema", "study.report"}, {"results", {{"note", "</script><script>alert(1)</script>"}}}}});
  c.problems.push_back({"b/<y>.json", "is not valid JSON"});
  webreport::PageOptions po;
  po.title = "A & B <report>";
  const std::string page = webreport::render_page(c, po);
  const auto data_at = page.find("id=\"codessm-data\">");
  ASSERT_NE(data_at, std::string::npos);
  const auto data_end = page.find("</script>", data_at);
  const std::string data = page.substr(data_at + 18, data_end - data_at - 18);
  EXPECT_EQ(data.find('<'), std::string::npos);  // the only way out of the block is "</script>"
  const auto j = json::parse(data);
  EXPECT_EQ(j["documents"][0]["data"]["results"]["note"], "</script><script>alert(1)</script>");
  EXPECT_EQ(j["problems"][0]["path"], "b/<y>.json");
  EXPECT_NE(page.find("<title>A &amp; B &lt;report&gt;</title>"), std::string::npos);
  EXPECT_NE(page.find("var uPlot="), std::string::npos);                  // the chart library is inline
  EXPECT_NE(page.find("default-src 'none'"), std::string::npos);          // and the page may not load anything
  EXPECT_EQ(page.find("<script src"), std::string::npos);
  EXPECT_EQ(page.find("<link"), std::string::npos);
}

TEST(WebReportPage, WriteReportNeedsInputsAndOut) {
  EXPECT_THROW_WITH(webreport::write_report({}, "x.html"), UsageError, "at least one");
  EXPECT_THROW_WITH(webreport::write_report({"."}, ""), UsageError, "--out");
}
