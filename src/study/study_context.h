// Private to the study module: the run's context and the stage table. A Stage is a key, the keys it reads,
// its own settings (hashed) and the function that produces its folder.
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "codessm/study/stage_store.h"
#include "codessm/study/study.h"
#include "codessm/study/study_config.h"

namespace codessm::study {

struct StudyContext {
  StudyConfig cfg;
  StudyOptions opts;
  fs::path out;
  StageStore store;
  std::map<std::string, StageRecord> done;  ///< complete stages (this run's view)

  StudyContext(StudyConfig c, StudyOptions o);
  fs::path dir(const std::string& key) const { return store.dir(key); }
  bool has(const std::string& key) const { return done.count(key) != 0; }
  /// The record of a complete stage (UsageError naming it otherwise).
  const StageRecord& rec(const std::string& key) const;
  /// The corpus folder the corpus stage settled on.
  fs::path corpus_dir() const;
  int threads() const;
};

struct Stage {
  std::string key;
  bool gpu = false;
  std::vector<std::string> deps;       ///< must be complete before the stage runs
  std::vector<std::string> optional;   ///< read when complete (the report)
  nlohmann::json config;               ///< the stage's own settings (part of its input hash)
  std::function<nlohmann::json(StudyContext&, const fs::path& dir)> run;  ///< returns the record's info
  bool may_fail = false;  ///< an analysis: its failure is reported and the study goes on (data/training: fatal)
};

// ---- stage keys ----
inline std::string pretrain_key(const std::string& m) { return "pretrain/" + m; }
inline std::string finetune_key(const std::string& task, const std::string& m) { return task + "/" + m; }
inline std::string extrapolate_key(const std::string& m) { return "extrapolate/" + m; }

/// The data stages (corpus, text, tokenizer, shards, types-data, retrieval-data, probe-data, cloze-data).
std::vector<Stage> data_stages(const StudyConfig& cfg);
/// The training stages (pretrain, types, retrieval, extrapolate), gpu = true.
std::vector<Stage> train_stages(const StudyConfig& cfg);
/// The analysis stages after training (interpret, compare, probe, cloze) and the report.
std::vector<Stage> analysis_stages(const StudyConfig& cfg);

/// The input hash of a stage given the records of its deps (GPU deps of a GPU stage count by input hash, since
/// the whole GPU plan is fixed before any of it runs; every other dep by output hash).
nlohmann::json stage_inputs(const Stage& s, const std::vector<Stage>& all, const StudyContext& ctx,
                            const std::map<std::string, std::string>& planned_input_hashes);

// ---- training jobs (train_jobs.cpp) ----

/// Where the training data lives for a job: this study's folders (local) or the bundle's (device).
struct DataPaths {
  std::string tokenizer, train_shards, valid_shards, heldout_shards;
  std::string types_dir, retrieval_dir;
};
DataPaths local_paths(const StudyContext& ctx);
DataPaths bundle_paths(const StudyConfig& cfg);

/// A training job of a GPU stage, the same in both modes.
struct TrainJob {
  std::string key;                 ///< the stage key
  std::string kind;                ///< pretrain | finetune | extrapolate
  std::string model;               ///< model name of the study
  std::string model_from;          ///< the stage whose checkpoint it starts from ("" = a preset)
  nlohmann::json train;            ///< resolved TrainConfig JSON (model = preset or placeholder)
  std::string returns = "none";    ///< checkpoint that comes back: full | kernels | none
  double max_seconds = 0;
  std::vector<int64_t> lengths;    ///< extrapolate
  int64_t mlm_tokens = 0;          ///< extrapolate
  /// The held-out check that ships with the checkpoint: {"task": mlm|types, "data": path, "set": {eval --set}}
  /// (pretraining: masked tokens of the small held-out shard; a fully returned type fine-tune: a few test files).
  nlohmann::json heldout;
};
TrainJob make_job(const StudyConfig& cfg, const std::string& key, const DataPaths& paths);
/// The job's settings without any path (what its input hash covers).
nlohmann::json job_identity(const TrainJob& job);
/// Runs a job in this process into `dir` (run/, final/, heldout/ or the extrapolation folders).
nlohmann::json run_job_locally(StudyContext& ctx, const TrainJob& job, const fs::path& dir);
/// What the record of a finished training stage says (metrics, steps, tokens), from its folder.
nlohmann::json summarize_job_folder(const TrainJob& job, const fs::path& dir);

// ---- the GPU machine (device_bundle.cpp) ----

/// Writes the bundle (data + plan + job configs) for the pending GPU stages; returns the plan's hash.
std::string export_bundle(StudyContext& ctx, const std::vector<Stage>& pending,
                          const std::map<std::string, std::string>& input_hashes);
/// Unpacks returned files and completes every pending stage whose job came back ok; returns the keys.
std::vector<std::string> import_results(StudyContext& ctx, const std::vector<Stage>& pending,
                                        const std::map<std::string, std::string>& input_hashes,
                                        const std::map<std::string, nlohmann::json>& inputs);
/// The plan hash of a set of pending GPU stages.
std::string plan_hash(const std::map<std::string, std::string>& input_hashes, const std::vector<Stage>& pending);

// ---- the report (study_report.cpp, findings.cpp) and the shipped models (ship.cpp) ----
nlohmann::json write_study_report(StudyContext& ctx, const fs::path& dir);
nlohmann::json ship_models(StudyContext& ctx, const fs::path& out);
/// The bench files of `memory_files` that exist (sorted).
std::vector<fs::path> memory_files(const StudyContext& ctx);

/// Runs a shell command; throws DataError with its output tail when it fails.
void run_shell(const std::string& cmd, const std::string& what);
/// Single-quotes a string for /bin/sh.
std::string shell_quote(const std::string& s);

}  // namespace codessm::study
