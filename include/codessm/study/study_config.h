// The study's configuration (`codessm study --config FILE`): which corpus, tokenizer, models, training budgets,
// fine-tuning tasks, extrapolation lengths, probing datasets and verdict rules. JSON with one object per section;
// unknown keys are an error naming the file and the field (a typo must never silently fall back to a default).
// Docs: docs/study.md. Torch-free.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace codessm::study {

namespace fs = std::filesystem;

inline constexpr int kStudyConfigFormatVersion = 1;

/// One model of the study: a preset plus config.json overrides (the vocabulary is sized to the tokenizer).
struct ModelSpec {
  std::string name;                    ///< used in stage keys, reports and figures: [a-z0-9-]+
  std::string preset;                  ///< e.g. codessm-small, rocoder-small
  std::vector<std::string> overrides;  ///< config.json key=value, e.g. num_hidden_layers=6
  /// The checkpoint that comes back from the GPU machine: "full" (bf16, SSM kernel parameters fp32), "kernels"
  /// (only the SSM/HF-conv tensors + config.json: enough for interpret) or "none".
  std::string returns = "full";
};

struct CorpusSection {
  std::string path;                  ///< an existing `codessm corpus build` folder (scripts/build_corpus.sh); or
  std::vector<std::string> sources;  ///< source trees to build one from (into OUT/stages/corpus)
  std::vector<std::string> languages;  ///< build: only these (empty = all)
  uint32_t valid_permille = 50, test_permille = 50;
};

/// Which corpus files become pretraining text: per language, files in content-hash order (a fixed shuffle that
/// interleaves languages) up to a byte cap; the valid split likewise for the held-out shards.
struct TextSection {
  std::vector<std::string> languages;      ///< empty = every language of the corpus
  uint64_t train_bytes_per_language = 0;   ///< 0 = all
  uint64_t valid_bytes_per_language = 0;   ///< 0 = all
  uint64_t max_document_bytes = 200000;    ///< longer files are left out (generated or minified code)
  uint64_t heldout_tokens = 65536;         ///< the small held-out shard shipped with the checkpoints
};

struct TokenizerSection {
  int vocab_size = 8192;              ///< SentencePiece pieces (specials + 256 byte pieces included)
  int64_t max_sentences = 1000000;    ///< SentencePiece training chunks (<= 4 KB each) sampled from the text
};

struct PretrainSection {
  nlohmann::json train;               ///< TrainConfig fields shared by every model (paths are filled in)
  double max_seconds = 0;             ///< time budget per model (0 = none); max_steps still sets the schedule
};

struct TypesSection {
  nlohmann::json train;               ///< TrainConfig fields of the type-inference fine-tune
  std::vector<std::string> models;    ///< models fine-tuned
  std::vector<std::string> languages{"typescript", "python"};
  uint64_t max_files = 0;             ///< 0 = all annotated files of the corpus
};

struct RetrievalSection {
  nlohmann::json train;               ///< TrainConfig fields of the docstring → code fine-tune
  std::vector<std::string> models;
  std::vector<std::string> languages; ///< empty = all
  int64_t min_docstring_tokens = 3;
  int64_t max_train_pairs = 0, max_eval_pairs = 1000;  ///< 0 = all
};

struct ExtrapolationSection {
  std::vector<std::string> models;
  std::vector<int64_t> lengths{256, 1024, 2048};
  int64_t mlm_tokens = 65536;
  nlohmann::json train;               ///< TrainConfig fields on top of the types fine-tune (e.g. fewer steps)
};

struct ProbingSection {
  std::vector<std::string> models;    ///< probed pretrained, and after the type-inference fine-tune when it ran
  std::string language = "python";
  std::vector<std::string> tasks{"distance", "siblings", "dfg"};
  int64_t max_functions = 0, per_label = 0;  ///< 0 = the original builders' defaults
  uint32_t max_function_bytes = 2000;
  int threads = 0;
};

struct ClozeSection {
  std::vector<std::string> languages; ///< empty = every language with max/min functions in the test split
  int64_t max_items_per_language = 300;
};

struct DeviceSection {
  /// "local": training stages run in this process (tests, small CPU runs); "device": they are exported as a
  /// bundle + plan for tools/gpu_study.sh on the GPU machine and imported from its returned files.
  std::string mode = "local";
  std::string bundle = ".device/study";  ///< where the bundle is written, relative to the repository root
  std::string device = "cpu", dtype = "fp32";  ///< of the training jobs
};

/// The stated rules the verdicts are computed with (docs/study.md §Verdicts).
struct VerdictSection {
  double z = 2.0;                     ///< a difference counts when |Δ| > z · its standard error
  double alpha = 0.05;                ///< significance of the exact permutation tests (F3)
  double sc_epsilon = 1e-3;           ///< a layer's mean SC moved when |ΔSC| > this (cycles/sample)
  double early_fraction = 0.34;       ///< "early layers": the first ceil(fraction · layers)
  double linear_slope_max = 1.3;      ///< memory ∝ L^s: linear when s ≤ this
  double quadratic_slope_min = 1.7;   ///< quadratic when s ≥ this
};

struct StudyConfig {
  std::string name = "study";
  uint64_t seed = 0;
  CorpusSection corpus;
  TextSection text;
  TokenizerSection tokenizer;
  std::vector<ModelSpec> models;
  PretrainSection pretrain;
  TypesSection types;
  RetrievalSection retrieval;
  ExtrapolationSection extrapolation;
  ProbingSection probing;
  ClozeSection cloze;
  std::vector<std::string> memory_files;  ///< bench JSON (peak memory vs length), repo-relative globs allowed
  DeviceSection device;
  VerdictSection verdicts;

  /// The model named `name`; UsageError listing the names otherwise.
  const ModelSpec& model(const std::string& name) const;
  bool has_model(const std::string& name) const;

  nlohmann::json to_json() const;
  /// Unknown keys and bad values are UsageErrors naming `source` and the field.
  static StudyConfig from_json(const nlohmann::json& j, const std::string& source);
  static StudyConfig load(const fs::path& file);
  void validate(const std::string& source) const;
};

}  // namespace codessm::study
