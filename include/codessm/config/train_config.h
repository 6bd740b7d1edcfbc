// TrainConfig: everything a training run needs (MLM pretraining or one fine-tuning objective), in typed
// sub-configs: what to train (objective, model, tokenizer), how to optimise (OptimConfig), how the run behaves
// (RunConfig: cadence, checkpoints, device/dtype/seeds), and the objective's data (MlmDataConfig, or one
// *TaskConfig in the "task" sub-object). Enums are parsed once, here, at the boundary. Read from JSON,
// patched by `--set key=value` (config/overrides.h), validated once with messages that name the field, and
// saved resolved as run_dir/run_config.json (provenance).
//
// Format 2 (this one) nests the sub-configs; format 1 (flat, every field at the top level, `task` for the
// objective, `model_overrides` as "key=value" strings) still loads through migrate_train_config_v1 — a fixture
// per old format is in tests/fixtures/run_config/.
// Recipe defaults follow model-spec §6.1 (CodeSSM App. D): AdamW, lr 5e-5, cosine with 300 warm-up steps,
// weight decay 0.01 (0 for SSM parameters, biases and norms), MLM 15% with 80/10/10. Torch-free.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <typeinfo>
#include <variant>
#include <vector>

#include "codessm/core/error.h"

namespace codessm::config {

/// Version of run_config.json; a newer file fails with a message that says so.
inline constexpr int kTrainConfigFormatVersion = 2;

/// What a run trains: MLM pretraining on token shards, or a fine-tuning objective on a benchmark file
/// (docs/finetune.md). The model head each needs: mlm → kMaskedLM, retrieval → kRetrieval, classification →
/// kSequenceClassification, clone → kPairClassification, types → kTokenClassification.
enum class ObjectiveKind { kMlm, kRetrieval, kClassification, kClone, kTypes };
/// Learning-rate shape after the linear warm-up (HF get_*_schedule_with_warmup).
enum class Schedule { kCosine, kLinear, kConstant };
/// What a NaN/Inf loss or gradient norm does.
enum class NonFinitePolicy { kStop, kSkip };
/// Training precision: fp32; tf32 (fp32 with TF32 CUDA matmuls); bf16 (autocast over fp32 weights; the FFTs stay
/// fp32); bf16-master (bf16 weights and activations, fp32 master weights in the optimizer: train::MasterWeights).
enum class TrainDtype { kFp32, kTf32, kBf16, kBf16Master };
/// Retrieval score and embedding.
enum class Similarity { kDot, kCos };
enum class Pooling { kMean, kPooler };

std::string to_string(ObjectiveKind o);
std::string to_string(Schedule s);
std::string to_string(NonFinitePolicy p);
std::string to_string(TrainDtype d);
std::string to_string(Similarity s);
std::string to_string(Pooling p);
/// Parsers: UsageError naming the accepted values.
ObjectiveKind parse_objective(const std::string& s);
Schedule parse_schedule(const std::string& s);
NonFinitePolicy parse_nonfinite_policy(const std::string& s);
TrainDtype parse_train_dtype(const std::string& s);
Similarity parse_similarity(const std::string& s);
Pooling parse_pooling(const std::string& s);

/// The model a run starts from: a preset (sized to the tokenizer) or a checkpoint folder, plus overrides of
/// config.json keys (e.g. {"num_hidden_layers": 4}). Resolved in one place, pipelines::resolve_model.
/// JSON: {"preset": NAME} or {"checkpoint": DIR}, with an optional "overrides" object; a bare string is a
/// preset when it names one, else a checkpoint folder.
struct ModelSpec {
  enum class Source { kPreset, kCheckpoint };
  Source source = Source::kPreset;
  std::string name = "codessm-tiny";                            ///< preset name or checkpoint folder
  nlohmann::json overrides = nlohmann::json::object();          ///< config.json key → value
  bool is_preset() const { return source == Source::kPreset; }
};

/// The optimisation: steps, batch, AdamW, schedule, clipping and the NaN policy (train::StepRunner).
struct OptimConfig {
  int64_t max_steps = 1000;          ///< optimizer steps
  int64_t batch_size = 32;           ///< micro-batch B (rank-local under data parallelism) [CS App. D: 32]
  int64_t grad_accum = 1;            ///< micro-batches per optimizer step; the step's loss is token-weighted over all
  double lr = 5e-5;                  ///< peak learning rate [CS App. D]
  Schedule schedule = Schedule::kCosine;  ///< cosine (pretraining) or linear (fine-tuning) [CS App. D], or constant
  int64_t warmup_steps = 300;        ///< linear warm-up from 0 [CS App. D: 300, fixed]
  double weight_decay = 0.01;        ///< for weights; 0 for parameters hinted decay-free (model/param_hints.h)
  double beta1 = 0.9, beta2 = 0.999, adam_eps = 1e-8;  ///< HF Trainer defaults (optimiser not named in [CS])
  double max_grad_norm = 1.0;        ///< global L2 clipping; 0 disables
  /// stop: NumericalError, checkpoints untouched; skip: no update, counted; the run stops after max_skipped_steps.
  NonFinitePolicy on_nonfinite = NonFinitePolicy::kStop;
  int64_t max_skipped_steps = 10;
};

/// How the run behaves: cadences, checkpoints, model selection, device and seeds (train::Cadence,
/// train::Checkpointer).
struct RunConfig {
  int64_t eval_every = 200;          ///< steps between evaluations; 0 = only at the end
  int64_t log_every = 10;            ///< steps between metrics.jsonl training records
  int64_t save_every = 500;          ///< steps between checkpoints; 0 = only at the end
  int64_t keep_last = 3;             ///< checkpoints kept (older ones deleted); 0 = keep all
  bool save_best = true;             ///< keep run_dir/best/ (fine-tuning objectives: the best evaluation so far)
  std::string metric;                ///< model selection metric; "" = the objective's own (docs/finetune.md)
  bool spectral_monitor = true;      ///< log SSM spectral centroid / LHFR per layer at each evaluation
  std::string device = "cpu";        ///< cpu, cuda, cuda:N, auto
  TrainDtype dtype = TrainDtype::kFp32;
  uint64_t seed = 0;                 ///< torch seed: init and dropout
  uint64_t data_seed = 0;            ///< the data's own RNG (masking, example order), independent of `seed`
};

/// One stage of staged MLM pretraining (model-spec §6.2: text → issues → code).
struct MlmStage {
  std::string shards;                ///< shard folder
  int64_t steps = 0;                 ///< optimizer steps trained on it
  bool operator==(const MlmStage& o) const { return shards == o.shards && steps == o.steps; }
};

/// MLM pretraining data (objective mlm).
struct MlmDataConfig {
  std::string train_shards;          ///< shard folder or file (written by `codessm tokenizer shard`); or give stages
  /// Held-out shards; "" = the first `eval_batches` batches of every epoch of the training shards are held out
  /// (never trained on; a document cut by that boundary may leak a few tokens).
  std::string eval_shards;
  /// Trained in order, their steps summing to max_steps; empty = train_shards throughout. JSON: objects
  /// {"shards", "steps"}, or the shorthand "SHARD_DIR:STEPS".
  std::vector<MlmStage> stages;
  int64_t eval_batches = 20;         ///< batches per evaluation
  int64_t context_length = 256;      ///< L; ≤ the model's max_position_embeddings
  bool pack = true;                  ///< pack documents into full sequences (false: truncate)
  double mlm_probability = 0.15;     ///< Devlin et al. (model-spec §6.1)
  bool whole_word = false;           ///< whole-word masking
};

/// What every fine-tuning objective reads: its benchmark files and the sequence length.
struct TaskFilesConfig {
  std::string train_data, eval_data, test_data;  ///< benchmark files (aligned pairs: "QUERY_FILE:CODE_FILE")
  int64_t max_length = 512;          ///< tokens per code / sequence [model-spec §6.3 per task]
  int64_t eval_max_examples = 0;     ///< evaluate on the first N eval examples (0 = all)
};
/// Bi-encoder retrieval, in-batch contrastive loss; MRR (AdvTest, CoSQA, WebQuery, SQA, code-to-code).
struct RetrievalTaskConfig : TaskFilesConfig {
  std::string dataset = "auto";      ///< reader format (benchmarks::read_retrieval): advtest, cosqa, sqa, aligned, ...
  int64_t query_length = 128;        ///< tokens per query
  Similarity similarity = Similarity::kDot;  ///< dot (CodeXGLUE) or cos
  Pooling pooling = Pooling::kMean;  ///< masked mean, or the model's pooler (CodeXGLUE)
  double temperature = 1.0;          ///< logits = score / temperature
};
/// Sequence classification (Devign, DiverseVul, CodeComplex, generic JSONL).
struct ClassificationTaskConfig : TaskFilesConfig {
  std::string dataset = "auto";      ///< reader format (benchmarks::read_classification)
  std::string text_field = "func", label_field = "target";  ///< generic JSONL fields
};
/// Clone detection as pair classification (BigCloneBench: train/eval/test_data are its pair lists).
struct CloneTaskConfig : TaskFilesConfig {
  std::string clone_data;            ///< BigCloneBench's data.jsonl (the functions the pairs name)
};
/// Type inference as token classification (ManyTypes4TypeScript).
struct TypesTaskConfig : TaskFilesConfig {
  int64_t max_types = 50000;         ///< vocabulary: the most frequent training types (0 = all) + UNK [§6.3]
};
/// The fine-tuning objective's own config (the "task" sub-object); monostate for MLM.
using TaskConfig =
    std::variant<std::monostate, RetrievalTaskConfig, ClassificationTaskConfig, CloneTaskConfig, TypesTaskConfig>;

/// The default task config of a fine-tuning objective (monostate for mlm).
TaskConfig default_task_config(ObjectiveKind o);
/// The files of a fine-tuning task config; UsageError for monostate.
const TaskFilesConfig& task_files(const TaskConfig& t);
TaskFilesConfig& task_files(TaskConfig& t);
/// `t` (a fine-tuning task config) as JSON / from JSON for `objective`; unknown fields are an error naming `source`.
nlohmann::json task_config_to_json(const TaskConfig& t);
TaskConfig task_config_from_json(ObjectiveKind objective, const nlohmann::json& j, const std::string& source);

struct TrainConfig {
  ObjectiveKind objective = ObjectiveKind::kMlm;  ///< JSON "objective" (format 1 said "task")
  ModelSpec model;
  std::string tokenizer;             ///< tokenizer folder (the one that wrote the shards for mlm); required
  OptimConfig optim;
  RunConfig run;
  MlmDataConfig mlm;                 ///< objective mlm only (JSON "mlm")
  TaskConfig task;                   ///< fine-tuning objectives only (JSON "task"): their *TaskConfig

  /// A config for `o` with its default task sub-config.
  static TrainConfig for_objective(ObjectiveKind o);
  /// The task sub-config as `T`; UsageError naming the objective when it holds another one.
  template <typename T>
  const T& task_as() const;
  template <typename T>
  T& task_as();

  /// Throws UsageError naming `source` and the field, with the fix, for any invalid value.
  void validate(const std::string& source = "train config") const;
  /// Format 2 JSON (every field, resolved).
  nlohmann::json to_json() const;
  /// Reads format 2, or format 1 through the migration; unknown keys are an error (a typo must not silently
  /// fall back to a default); then validates. `source` names the file.
  static TrainConfig from_json(const nlohmann::json& j, const std::string& source = "train config");
  /// Reads and validates a JSON file; errors name the file (and the field).
  static TrainConfig load(const std::string& path);
  /// parse → patch → validate once: `base` (JSON of either format), then the `key=value` overrides
  /// (config/overrides.h; a key is a dotted path such as optim.lr or model.overrides.num_hidden_layers, or a
  /// bare field name found once, such as lr), then validation. `source` names the base in errors.
  static TrainConfig resolve(const nlohmann::json& base, const std::vector<std::string>& overrides,
                             const std::string& source);
  /// The same on this config (overrides, then validation).
  void apply_overrides(const std::vector<std::string>& overrides);

  /// Types and unknown fields only, no validate() (resolve() validates once at the end).
  static TrainConfig parse(const nlohmann::json& j, const std::string& source);
};

/// Format 1 (flat) → format 2 (nested) JSON. Fields that do not belong to the objective (format 1 wrote every
/// field) are dropped; an unknown key is a UsageError naming `source`.
nlohmann::json migrate_train_config_v1(const nlohmann::json& flat, const std::string& source);

/// `c` in format 1, as the format-1 writer wrote it: one flat object with every field of every objective (the
/// MLM data and each task config's, defaults where `c` has none), "task" for the objective and the model's
/// overrides as "key=value" strings. For files that must stay byte-compatible with format 1 (the study's job
/// configs, whose hashes identify them); migrate_train_config_v1 reads it back to `c`.
nlohmann::json train_config_v1_json(const TrainConfig& c);

// ---- template definitions ----
std::string task_mismatch_message(ObjectiveKind objective, const char* wanted);
template <typename T>
const T& TrainConfig::task_as() const {
  if (const T* t = std::get_if<T>(&task)) return *t;
  throw UsageError(task_mismatch_message(objective, typeid(T).name()));
}
template <typename T>
T& TrainConfig::task_as() {
  return const_cast<T&>(static_cast<const TrainConfig&>(*this).task_as<T>());
}

}  // namespace codessm::config
