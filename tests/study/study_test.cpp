// The study end to end on tiny models (local mode): every stage completes with its record, the report holds the
// six findings with computed verdicts and its figures, a rerun skips everything, a changed fine-tuning config
// reruns exactly the stages that read it, a half-written stage is redone, and config errors name the field.
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "codessm/study/stage_store.h"
#include "codessm/study/study.h"
#include "codessm/study/study_config.h"
#include "shipped_check.h"
#include "study_fixtures.h"

namespace codessm::study {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

/// One tiny study in a temporary folder, run through run_study with overrides, a stage filter or --ship.
struct TinyStudy {
  fs::path root, config;
  explicit TinyStudy(const fs::path& r) : root(r), config(r / "study.json") {
    core::write_file_atomic(config, test::tiny_study_config(test::tiny_study_sources(root / "src")).dump(2));
  }
  json run(std::vector<std::string> overrides, std::vector<std::string> only = {}, fs::path ship = {}) const {
    StudyOptions o;
    o.ship = ship;
    o.config_file = config;
    o.out = root / "out";
    o.repo_root = root;
    o.overrides = std::move(overrides);
    o.only = std::move(only);
    o.threads = 2;
    o.progress = false;
    return run_study(o);
  }
};

std::map<std::string, std::string> states(const json& r) {
  std::map<std::string, std::string> m;
  for (const auto& s : r.at("stages")) m[s.at("key")] = s.at("state");
  return m;
}

void every_stage_completes_and_the_report_has_six_computed_findings(const fs::path& root, const json& first) {
  ASSERT_EQ(first.at("state"), "complete") << first.dump(2);
  for (const auto& [k, v] : states(first)) EXPECT_EQ(v, "ran") << k;
  for (const char* k : {"corpus", "text", "tokenizer", "shards", "types-data", "retrieval-data", "probe-data", "cloze-data",
                        "pretrain/codessm", "pretrain/rocoder", "pretrain/codessm-hf", "types/codessm", "types/rocoder",
                        "retrieval/codessm-hf", "extrapolate/codessm", "interpret/codessm/pretrained",
                        "interpret/codessm/types", "compare/codessm", "interpret/codessm-hf/types",
                        "probe/codessm/pretrained", "probe/rocoder/types", "cloze/codessm", "report"}) {
    const fs::path rec = root / "out" / "stages" / k / kStageRecordFile;
    ASSERT_TRUE(fs::exists(rec)) << k;
    const json j = json::parse(core::read_file(rec));
    EXPECT_EQ(j.at("input_hash").get<std::string>().size(), 64u) << k;
    EXPECT_EQ(j.at("output_hash").get<std::string>().size(), 64u) << k;
  }
  // What came out of training: the held-out check beside every pretrained checkpoint, pruned run folders.
  const fs::path pt = root / "out" / "stages" / "pretrain" / "codessm";
  EXPECT_TRUE(fs::exists(pt / "final" / "config.json"));
  EXPECT_TRUE(fs::exists(pt / "heldout" / "eval.json"));
  EXPECT_TRUE(fs::exists(pt / "run" / "metrics.jsonl"));
  EXPECT_FALSE(fs::exists(pt / "run" / "ckpt-000006"));
  EXPECT_TRUE(fs::exists(root / "out" / "stages" / "extrapolate" / "codessm" / "extrapolation.json"));

  const json rep = json::parse(core::read_file(root / "out" / "stages" / "report" / "report.json"));
  EXPECT_EQ(rep.at("schema"), "study.report");
  const auto& findings = rep.at("results").at("findings");
  ASSERT_EQ(findings.size(), 6u);
  const std::set<std::string> verdicts{"reproduces", "fails", "inconclusive"};
  for (size_t i = 0; i < 6; ++i) {
    const auto& f = findings[i];
    EXPECT_EQ(f.at("id"), "F" + std::to_string(i + 1));
    EXPECT_TRUE(verdicts.count(f.at("verdict"))) << f.dump();
    EXPECT_FALSE(f.at("rule").get<std::string>().empty());
    EXPECT_FALSE(f.at("ours").get<std::string>().empty());
    EXPECT_FALSE(f.at("evidence").empty());
  }
  // Measured, so F1/F2/F3/F6 have numbers (not "not measured"); F5 has no memory file here.
  EXPECT_TRUE(findings[0].at("details").contains("distance"));
  EXPECT_TRUE(findings[1].at("details").contains("spectral"));
  EXPECT_TRUE(findings[2].at("details").contains("layers"));
  EXPECT_EQ(findings[4].at("verdict"), "inconclusive");
  EXPECT_TRUE(findings[5].at("details").contains("128"));
  const fs::path rd = root / "out" / "stages" / "report";
  for (const char* f : {"report.md", "evidence/probe_summary.json", "evidence/pretraining.json",
                        "figures/pretraining_curves.gp", "figures/accuracy_by_layer_distance.gp",
                        "figures/accuracy_by_distance.gp", "figures/extrapolation.gp", "figures/complementarity.gp"})
    EXPECT_TRUE(fs::exists(rd / f)) << f;
  const std::string md = core::read_file(rd / "report.md");
  EXPECT_NE(md.find("| **F1**"), std::string::npos);
}

void a_rerun_skips_everything_and_a_changed_fine_tune_reruns_only_what_reads_it(const TinyStudy& t, const json& first) {
  ASSERT_EQ(first.at("state"), "complete");
  for (const auto& [k, v] : states(t.run({}))) EXPECT_EQ(v, "up to date") << k;
  const auto after = states(t.run({"types.train.lr=0.002"}));
  for (const auto& [k, v] : after) {
    const bool reads_types = k.rfind("types/", 0) == 0 || k.rfind("extrapolate/", 0) == 0 || k == "report" ||
                             k.rfind("compare/", 0) == 0 || (k.size() > 6 && k.compare(k.size() - 6, 6, "/types") == 0);
    EXPECT_EQ(v, reads_types ? "ran" : "up to date") << k;
  }
  // Back to the original config: the types stages rerun again (their records hold the other input hash).
  EXPECT_EQ(states(t.run({})).at("types/codessm"), "ran");
  // --set goes through the project's override helper: an unknown field is an error naming the study config.
  try {
    t.run({"probing.no_such_field=1"});
    ADD_FAILURE() << "an unknown --set field was accepted";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("study config"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("no_such_field"), std::string::npos) << e.what();
  }
}

void a_half_written_stage_is_redone_from_scratch(const TinyStudy& t, const json& first) {
  const fs::path& root = t.root;
  ASSERT_EQ(first.at("state"), "complete");
  const fs::path text = root / "out" / "stages" / "text";
  const std::string before = core::read_file(text / "train.jsonl");
  fs::remove(text / kStageRecordFile);  // as if killed before the record was written
  core::write_file_atomic(text / "leftover.tmp", "partial");
  const auto s = states(t.run({}, {"corpus", "text"}));
  EXPECT_EQ(s.at("corpus"), "up to date");
  EXPECT_EQ(s.at("text"), "ran");
  EXPECT_EQ(s.count("tokenizer"), 0u);  // --only: nothing else is touched
  EXPECT_FALSE(fs::exists(text / "leftover.tmp"));
  EXPECT_EQ(core::read_file(text / "train.jsonl"), before);  // deterministic: same output hash, downstream stays
  EXPECT_EQ(states(t.run({})).at("tokenizer"), "up to date");
}

void ships_checkpoints_whose_held_out_checks_reproduce(const TinyStudy& t, const json& first) {
  const fs::path& root = t.root;
  ASSERT_EQ(first.at("state"), "complete");
  const fs::path models = root / "models";
  const json r = t.run({}, {}, models);
  ASSERT_TRUE(r.contains("shipped"));
  for (const char* f : {"tokenizer/codessm_tokenizer.json", "codessm/config.json", "codessm/model.safetensors",
                        "codessm/heldout.json", "rocoder/heldout.json", "codessm-types/heldout.json",
                        "data/heldout/manifest.json", "data/types-heldout.jsonl", "data/probe/distance.json", "README.md"})
    EXPECT_TRUE(fs::exists(models / f)) << f;
  EXPECT_FALSE(fs::exists(models / "codessm-hf"));  // only its kernels came back
  EXPECT_FALSE(fs::exists(models / "rocoder-types"));  // one fine-tuned model fits the budget
  EXPECT_EQ(test::check_shipped_models(models, 1e-9), 3);  // same machine: the recorded figures exactly
}

// One test (ctest runs every test in its own process, and each would otherwise run the whole pipeline again).
TEST(StudyEndToEnd, LocalRunReportRerunsResumeAndShip) {
  if (!fs::exists("/usr/lib/python3.11/bisect.py")) GTEST_SKIP() << "needs the Python 3.11 standard library";
  const TinyStudy t(test::temp_dir("study_local"));
  const json first = t.run({});
  {
    SCOPED_TRACE("every stage completes; the report has six computed findings");
    every_stage_completes_and_the_report_has_six_computed_findings(t.root, first);
  }
  {
    SCOPED_TRACE("a rerun skips everything; a changed fine-tune reruns only what reads it");
    a_rerun_skips_everything_and_a_changed_fine_tune_reruns_only_what_reads_it(t, first);
  }
  {
    SCOPED_TRACE("a half-written stage is redone from scratch");
    a_half_written_stage_is_redone_from_scratch(t, first);
  }
  {
    SCOPED_TRACE("--ship: checkpoints whose held-out checks reproduce");
    ships_checkpoints_whose_held_out_checks_reproduce(t, first);
  }
}

TEST(StudyConfig, ErrorsNameTheFileAndTheField) {
  json j = test::tiny_study_config("/tmp/x");
  j["types"]["modles"] = json::array();
  EXPECT_THROW_WITH(StudyConfig::from_json(j, "c.json"), UsageError, "c.json: unknown field 'types.modles'");
  j = test::tiny_study_config("/tmp/x");
  j["probing"]["models"] = {"nope"};
  EXPECT_THROW_WITH(StudyConfig::from_json(j, "c.json"), UsageError, "'probing.models' names model 'nope'");
  j = test::tiny_study_config("/tmp/x");
  j["models"][0]["name"] = "Code SSM";
  EXPECT_THROW_WITH(StudyConfig::from_json(j, "c.json"), UsageError, "models[0].name");
  j = test::tiny_study_config("/tmp/x");
  j["corpus"]["path"] = "data/corpus";
  EXPECT_THROW_WITH(StudyConfig::from_json(j, "c.json"), UsageError, "exactly one of 'path'");
  j = test::tiny_study_config("/tmp/x");
  j["pretrain"]["train"]["lr"] = "fast";
  StudyConfig c = StudyConfig::from_json(j, "c.json");  // TrainConfig fields are checked when the jobs are built
  EXPECT_EQ(c.to_json().at("pretrain").at("train").at("lr"), "fast");
  // A round trip keeps every field.
  const auto c2 = StudyConfig::from_json(test::tiny_study_config("/tmp/x"), "c.json");
  EXPECT_EQ(StudyConfig::from_json(c2.to_json(), "again").to_json(), c2.to_json());
}

TEST(StageStore, ACompleteStageIsOneWhoseRecordHasTheSameInputHash) {
  const auto d = test::temp_dir("stage_store");
  StageStore s(d);
  core::write_file_atomic(s.dir("a/b") / "out.txt", "x");
  EXPECT_FALSE(s.complete("a/b", "h1").has_value());
  const auto r = s.finish("a/b", "h1", json::object(), {{"n", 1}}, 0.5);
  EXPECT_TRUE(s.complete("a/b", "h1").has_value());
  EXPECT_FALSE(s.complete("a/b", "h2").has_value());
  EXPECT_EQ(s.complete("a/b", "h1")->info.at("n"), 1);
  // The output hash covers names and contents.
  core::write_file_atomic(s.dir("a/b") / "out.txt", "y");
  EXPECT_NE(hash_tree({s.dir("a/b") / "out.txt"}, s.dir("a/b")), r.output_hash);
  EXPECT_NE(hash_json({{"a", 1}}), hash_json({{"a", 2}}));
  EXPECT_EQ(hash_json({{"a", 1}, {"b", 2}}), hash_json({{"b", 2}, {"a", 1}}));
}

}  // namespace
}  // namespace codessm::study
