// TrainConfig: everything a pretraining run needs, read from a JSON file, overridden by `--set key=value`,
// validated with messages that name the field, and saved resolved as run_dir/run_config.json (provenance).
// Recipe defaults follow model-spec §6.1 (CodeSSM App. D): AdamW, lr 5e-5, cosine with 300 warm-up steps,
// weight decay 0.01 (0 for SSM parameters, biases and norms), MLM 15% with 80/10/10. Torch-free.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace codessm::config {

/// Version of run_config.json; a newer file fails with a message that says so.
inline constexpr int kTrainConfigFormatVersion = 1;

struct TrainConfig {
  // ---- objective ----
  /// "mlm" (pretraining on token shards) or a fine-tuning task on a benchmark file: "retrieval" (bi-encoder,
  /// in-batch contrastive), "classification" (sequence classification), "clone" (pair classification,
  /// BigCloneBench), "types" (token classification, ManyTypes4TypeScript). One loop for all (train::Trainer).
  std::string task = "mlm";
  // ---- model ----
  std::string model = "codessm-tiny";         ///< preset name or checkpoint folder to start from
  std::vector<std::string> model_overrides;   ///< config.json `key=value` overrides (preset starts only)

  // ---- data ----
  std::string tokenizer;                      ///< tokenizer folder (the one that wrote the shards); required
  std::string train_shards;                   ///< shard folder or file; required
  /// Held-out shards; "" = the first `eval_batches` batches of every epoch of train_shards are held out
  /// (never trained on; a document cut by that boundary may leak a few tokens).
  std::string eval_shards;
  /// Staged MLM pretraining (model-spec §6.2: text -> issues -> code): "SHARD_DIR:STEPS" entries trained in
  /// order, each for STEPS optimizer steps (their sum must equal max_steps); empty = train_shards throughout.
  std::vector<std::string> stages;
  // ---- fine-tuning data (task != mlm) ----
  std::string dataset = "auto";               ///< reader format (tasks::read_*): advtest, cosqa, sqa, aligned, devign, ...
  std::string train_data, eval_data, test_data;  ///< benchmark files (aligned pairs: "QUERY_FILE:CODE_FILE")
  std::string clone_data;                     ///< BigCloneBench data.jsonl (train/eval/test_data are its pair lists)
  std::string text_field = "func", label_field = "target";  ///< generic JSONL classification fields
  int64_t max_length = 512;                   ///< tokens per code / sequence [model-spec §6.3 per task]
  int64_t query_length = 128;                 ///< tokens per retrieval query
  std::string similarity = "dot";             ///< retrieval score: "dot" (CodeXGLUE) or "cos"
  std::string pooling = "mean";               ///< retrieval embedding: "mean" (masked mean) or "pooler" (CodeXGLUE)
  double temperature = 1.0;                   ///< retrieval logits = score / temperature
  int64_t max_types = 50000;                  ///< type-inference vocabulary (most frequent types; 0 = all) + UNK [§6.3]
  std::string metric;                         ///< model selection metric; "" = the task's own (docs/finetune.md)
  bool save_best = true;                      ///< keep run_dir/best/ = the checkpoint with the best eval metric
  int64_t eval_max_examples = 0;              ///< evaluate on the first N eval examples (0 = all)
  int64_t context_length = 256;               ///< L; ≤ the model's max_position_embeddings
  bool pack = true;                           ///< pack documents into full sequences (false: truncate)
  int64_t batch_size = 32;                    ///< micro-batch B; effective batch = B × grad_accum [CS App. D: 32]
  int64_t grad_accum = 1;                     ///< micro-batches per optimizer step
  double mlm_probability = 0.15;              ///< Devlin et al. (model-spec §6.1)
  bool whole_word = false;                    ///< whole-word masking
  uint64_t data_seed = 0;                     ///< masking stream seed (data's own RNG, independent of `seed`)

  // ---- optimisation ----
  int64_t max_steps = 1000;                   ///< optimizer steps
  double lr = 5e-5;                           ///< peak learning rate [CS App. D]
  std::string schedule = "cosine";            ///< "cosine" (pretraining), "linear" (fine-tuning) or "constant"
  int64_t warmup_steps = 300;                 ///< linear warm-up from 0 [CS App. D: 300, fixed]
  double weight_decay = 0.01;                 ///< for weights; 0 for SSM parameters, biases, norms [CS App. D]
  double beta1 = 0.9, beta2 = 0.999, adam_eps = 1e-8;  ///< HF Trainer defaults (optimiser not named in [CS])
  double max_grad_norm = 1.0;                 ///< global L2 clipping; 0 disables
  /// What a NaN/Inf loss or gradient does: "stop" (NumericalError; checkpoints untouched) or "skip" (no update,
  /// counted in the metrics; the run stops once `max_skipped_steps` are skipped).
  std::string on_nonfinite = "stop";
  int64_t max_skipped_steps = 10;

  // ---- evaluation, logging, checkpoints ----
  int64_t eval_every = 200;                   ///< steps between evaluations; 0 = only at the end
  int64_t eval_batches = 20;                  ///< batches per evaluation
  int64_t log_every = 10;                     ///< steps between metrics.jsonl training records
  int64_t save_every = 500;                   ///< steps between checkpoints; 0 = only at the end
  int64_t keep_last = 3;                      ///< checkpoints kept (older ones deleted); 0 = keep all
  bool spectral_monitor = true;               ///< log SSM spectral centroid / LHFR per layer at each evaluation

  // ---- runtime ----
  std::string device = "cpu";                 ///< cpu, cuda, cuda:N, auto
  std::string dtype = "fp32";                 ///< fp32, tf32 (CUDA matmuls in TF32) or bf16 (autocast; FFTs stay fp32)
  uint64_t seed = 0;                          ///< torch seed: init and dropout

  /// Throws UsageError naming `source` and the field, with the fix, for any invalid value.
  void validate(const std::string& source = "train config") const;
  nlohmann::json to_json() const;
  /// Unknown keys are an error (a typo must not silently fall back to a default); `source` names the file.
  static TrainConfig from_json(const nlohmann::json& j, const std::string& source = "train config");
  /// Reads and validates a JSON file; errors name the file (and the field).
  static TrainConfig load(const std::string& path);
  /// Applies `key=value` overrides (values parse as JSON when they can, else as a string), then validates.
  void apply_overrides(const std::vector<std::string>& overrides);
  /// The same without validate() (evaluation uses a few fields of an otherwise incomplete config).
  void apply_overrides_unvalidated(const std::vector<std::string>& overrides);

 private:
  /// from_json without validate(): types and unknown fields are still checked.
  static TrainConfig parse_fields(const nlohmann::json& j, const std::string& source);
};

}  // namespace codessm::config
