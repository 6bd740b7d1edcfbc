// ModelConfig: the single source of truth for a model's architecture, saved as config.json beside the
// weights with the Hugging Face/BiGS keys (BiGSConfig, RoFormerConfig, BertConfig) plus codessm's own
// variant keys. Architecture keys in a checkpoint's config.json win on reload.
// References: ../shared/docs/model-spec.md §1-§5 (BiGS [pt], CodeSSM [CS], SSM-Interpret [SI]).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace codessm::config {

/// Version of codessm's config.json keys; a newer file fails with a message that says so.
inline constexpr int kModelConfigFormatVersion = 1;

/// Which backbone: the BiGS/CodeSSM SSM encoder, RoFormer (RoCoder) or BERT (BertCoder).
enum class Arch { kBiGS, kRoFormer, kBert };

/// What sits on top of the backbone (the model's head; config.json key `codessm_task`).
enum class HeadKind {
  kMaskedLM,                ///< cls.predictions (tied decoder)
  kSequenceClassification,  ///< pooled -> dropout -> classifier
  kTokenClassification,     ///< dropout -> classifier on every token
  kRetrieval,               ///< bi-encoder: the pooled vector is the embedding (no extra parameters)
  kPairClassification,      ///< clone detection: each code pooled separately, [p1; p2] -> dense -> tanh -> linear (CodeXGLUE BigCloneBench)
};

/// How right padding interacts with the SSMs.
enum class PaddingMode {
  kReference,  ///< as modeling_bigs.py: no mask inside the encoder, pads leak into the backward SSM
  kMasked,     ///< SSM/conv inputs are zeroed at pads: outputs at real tokens ignore the amount of padding
};

/// What fills the SSM slot of a BiGS layer.
enum class SequenceMixer {
  kS4D,      ///< the S4D kernel of BiGS (ZOH, N complex modes), §2
  kFourier,  ///< CodeF: parameter-free DFT (FNet: Re(FFT_seq(FFT_hidden(u)))), inferred, §4.3
};

/// S4D initialisation of A (model-spec §2.1).
enum class SsmInit { kLin, kInv, kHippo };

struct ModelConfig {
  // ---- shared (HF names) ----
  Arch arch = Arch::kBiGS;
  HeadKind head = HeadKind::kMaskedLM;  ///< config.json key codessm_task (kept: old checkpoints load)
  int64_t vocab_size = 32100;            ///< CodeT5p tokenizer [CS App. D]
  int64_t hidden_size = 1024;            ///< D
  int64_t num_hidden_layers = 12;
  int64_t intermediate_size = 3072;      ///< I (3D for CodeSSM, ~4D for the Transformers)
  std::string hidden_act = "gelu";       ///< erf GELU (the PyTorch reference; not the tanh approximation)
  double hidden_dropout_prob = 0.1;      ///< after the embedding LayerNorm and in classifier heads
  int64_t max_position_embeddings = 2048;///< position table size (absolute/rotary); also the default analysis length
  int64_t type_vocab_size = 2;
  double initializer_range = 0.02;
  double layer_norm_eps = 1e-12;
  int64_t pad_token_id = 0;
  std::string position_embedding_type = "none";  ///< "absolute" adds learned positions (CodeSSM-pos, BERT)
  bool tie_word_embeddings = true;
  double classifier_dropout = -1;        ///< < 0: use hidden_dropout_prob (HF None)
  int64_t num_labels = 2;                ///< sequence/token classification
  std::string problem_type = "single_label_classification";  ///< or "regression", "multi_label_classification"
  /// Label names of a classification head (HF `id2label`/`label2id`); empty = HF's LABEL_i. Fine-tuning stores
  /// the dataset's labels here so `codessm eval` maps ids back to the file's labels.
  std::vector<std::string> id2label;

  // ---- BiGS / CodeSSM ----
  int64_t num_ssm = 64;                  ///< N: complex modes per kernel
  std::string pooler_type = "non_padding_mean";  ///< or "mean"
  SsmInit ssm_init = SsmInit::kLin;      ///< the PyTorch port's S4D-Lin; "hippo" is the JAX default ("scaling")
  double dt_min = 0.01, dt_max = 1.0;    ///< log_step ~ U[log dt_min, log dt_max]
  int64_t ssm_kernels = 1;               ///< k kernels per SSM block (CodeSSM-k-kernel); 1 = BiGS shapes exactly
  bool bidirectional = true;             ///< false = CodeSSM-Uni (both flips removed)
  double layer_dropout = 0.0;            ///< > 0 = CodeSSM-do: two dropout masks after the multiplications
  SequenceMixer mixer = SequenceMixer::kS4D;
  bool hf_conv = false;                  ///< CodeSSM-HF: grouped Conv1d(k=3) parallel to each SSM [SI §5.1]
  int64_t hf_conv_groups = 8;            ///< PyTorch `groups` (number of groups) [SI A.6]
  PaddingMode padding_mode = PaddingMode::kMasked;

  // ---- RoFormer / BERT ----
  int64_t num_attention_heads = 12;
  double attention_probs_dropout_prob = 0.1;
  double rotary_base = 10000.0;          ///< θ_i = base^(-2i/HD)

  // ---- bookkeeping ----
  std::string preset;                    ///< preset the config came from, if any
  int64_t pretraining_context = 0;       ///< context length used in pretraining (0 = unknown); default analysis length
  /// Fingerprint of the tokenizer the model was trained with (data::fingerprint_hex: vocabulary + specials),
  /// config.json key codessm_tokenizer_fingerprint; "" = unknown (a checkpoint written before it existed).
  /// Every command that pairs a tokenizer with a checkpoint checks it (data/tokenizer_check.h).
  std::string tokenizer_fingerprint;

  /// Throws UsageError naming `source` (a file or "preset X") and the field, with the fix, on any invalid value.
  void validate(const std::string& source = "config") const;

  /// HF-compatible JSON (model_type, architectures, BiGSConfig/RoFormerConfig/BertConfig keys) plus
  /// codessm_* keys for the variants.
  nlohmann::json to_json() const;
  /// Reads a config.json written by codessm or by the BiGS/HF code. Unknown keys are ignored;
  /// `source` names the file in errors.
  static ModelConfig from_json(const nlohmann::json& j, const std::string& source = "config.json");

  /// HF model_type: "BiGS", "roformer" or "bert".
  std::string model_type() const;
  /// HF architectures entry, e.g. "BiGSForMaskedLM".
  std::string hf_architecture() const;
  /// State-dict prefix of the backbone: "bigs", "roformer" or "bert".
  std::string base_prefix() const;
  int64_t head_dim() const { return hidden_size / num_attention_heads; }
  /// Length of the default analysis/benchmark context.
  int64_t default_context() const { return pretraining_context > 0 ? pretraining_context : max_position_embeddings; }
};

std::string to_string(Arch a);
std::string to_string(HeadKind h);
std::string to_string(PaddingMode p);
std::string to_string(SsmInit s);
HeadKind parse_head_kind(const std::string& s);
PaddingMode parse_padding_mode(const std::string& s);
SsmInit parse_ssm_init(const std::string& s);

}  // namespace codessm::config
