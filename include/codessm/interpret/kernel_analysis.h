// Spectral analysis of every filter of a BiGS/CodeSSM model (SSM-Interpret §4, A.2): per layer × direction
// × kernel, the S4D kernel K[0..L-1] (optionally + D·δ₀), its rfft magnitude and phase (sample rate 1), the
// dominant frequency, spectral centroid and LHFR, and four classes (by SC, by LHFR, combined, by dominant
// frequency); for CodeSSM-HF also each conv group's 3-tap filters. Per layer, forward/backward pairs in
// different classes (complementary pairs). The same functions serve `codessm interpret` and a trainer that
// logs SC/LHFR per layer during fine-tuning (analyze_named_tensors on the model's parameters).
#pragma once

#include <torch/torch.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "codessm/config/model_config.h"
#include "codessm/interpret/checkpoint_kernels.h"
#include "codessm/interpret/filter_class.h"
#include "codessm/interpret/spectral_metrics.h"

namespace codessm::interpret {

namespace fs = std::filesystem;

/// Per-call knobs of the analysis (never persisted, hence *Options).
struct AnalysisOptions {
  int64_t length = 0;           ///< kernel length L; 0 = the model's default_context() (pretraining context)
  bool include_skip = false;    ///< analyse K + D·δ₀ instead of K
  ClassThresholds thresholds;
  BandOptions bands;
  /// Grid of the HF path's 3-tap filters: their frequency response is evaluated on the rfft bins of this
  /// length (the taps zero-padded), independent of `length` (a 3-tap response is a smooth degree-1 cosine
  /// polynomial, so 129 bins resolve it fully and keep the metrics comparable across L).
  int64_t fir_length = 256;
  /// Keep time-domain and spectrum curves (for figures) of the first `keep_curves` filters; -1 = all.
  int64_t keep_curves = -1;
  bool progress = false;        ///< show a core::ProgressBar over the blocks

  /// Throws UsageError for bad thresholds, bands or lengths.
  void validate() const;
};

/// One analysed filter: an S4D kernel (kind ssm, index = kernel h of the block) or a conv group's 3-tap
/// filters (kind conv, index = group g).
struct FilterReport {
  int64_t layer = 0;
  Direction direction = Direction::kForward;
  FilterKind kind = FilterKind::kSsm;
  int64_t index = 0;
  int64_t block_size = 1;             ///< kernels (ssm) or groups (conv) in the block
  std::string tensor_prefix;          ///< e.g. "bigs.encoder.layer.0.fs4"
  /// "ok", "non_finite_parameters", "non_finite_kernel" (parameters finite but K overflowed) or "zero_kernel".
  std::string status = "ok";
  std::vector<std::string> problems;  ///< e.g. "bigs.encoder.layer.0.fs4.kernel.A_re[0]: 2 NaN, 0 Inf"
  double skip_D = 0;                  ///< D of the kernel (ssm); NaN for conv
  double bias_mean = 0;               ///< conv: mean bias of the group's output channels
  SpectralMetrics metrics;
  FilterClass by_sc = FilterClass::kUndefined, by_lhfr = FilterClass::kUndefined;
  FilterClass combined = FilterClass::kUndefined, by_dominant = FilterClass::kUndefined;
  /// Curves, when kept: time axis (ssm: l = 0..L-1; conv: offsets −1, 0, +1 of h[m] with y[t] = Σ h[m]·x[t−m]),
  /// the kernel / mean taps, and per bin the frequency, magnitude and phase.
  std::vector<double> time_x, time_y, frequency, magnitude, phase;

  bool ok() const { return status == "ok"; }
  /// SC and LHFR classes differ (reported as a disagreement).
  bool disagree() const { return ok() && by_sc != by_lhfr; }
  /// A short label: "L3 fwd", "L3 fwd k2", "L3 fwd conv g1".
  std::string label() const;
};

/// A forward filter and the backward filter it multiplies with (same layer, kind and index: for k kernels,
/// channel block h of uc_f meets channel block h of uc_b in the product of eq. 5).
struct FilterPair {
  int64_t layer = 0;
  FilterKind kind = FilterKind::kSsm;
  int64_t index = 0;
  FilterClass forward = FilterClass::kUndefined, backward = FilterClass::kUndefined;  ///< combined classes
  bool complementary() const;  ///< both defined and different
  bool low_high() const;       ///< one low-pass, the other high-pass
};

/// The model the filters came from.
struct ModelSummary {
  std::string arch = "bigs", preset, backbone_prefix;
  int64_t layers = 0, ssm_kernels = 1, num_ssm = 0, hf_conv_groups = 0;
  bool hf_conv = false, bidirectional = true;
  bool from_config = false;  ///< false: inferred from tensor names (no config.json)
};

/// Everything the analysis found; to_json (result_json.h) is the source of truth for reports.
struct InterpretResult {
  std::string source;                 ///< checkpoint path or "named tensors"
  ModelSummary model;
  int64_t length = 0;
  std::string length_source;          ///< "--length", "pretraining_context", "max_position_embeddings" or "default"
  bool include_skip = false;
  ClassThresholds thresholds;
  BandOptions bands;
  BinSets bins, fir_bins;
  int64_t fir_length = 0;
  std::vector<FilterReport> filters;  ///< sorted by (layer, kind, direction, index)
  std::vector<FilterPair> pairs;
  double load_seconds = 0, analyze_seconds = 0;

  /// Filters whose SC and LHFR classes differ.
  std::vector<const FilterReport*> disagreements() const;
  /// Filters that are not "ok".
  std::vector<const FilterReport*> problems() const;
};

/// Analyses the filters found in `src`. `cfg` (may be null) supplies the default length and the model summary;
/// without it both are inferred (length 2048, BiGS's max_position_embeddings). Throws UsageError when there is
/// nothing to analyse (a Transformer or CodeF model), DataError for unknown tensor layouts (naming the tensor).
/// Non-finite parameters never throw: the filter is reported with its status and problems.
InterpretResult analyze_tensors(const TensorSource& src, const config::ModelConfig* cfg, const AnalysisOptions& opts);

/// Convenience for a trainer: `named` from `model->named_parameters()` (names as in the checkpoint).
InterpretResult analyze_named_tensors(const std::map<std::string, torch::Tensor>& named,
                                      const config::ModelConfig& cfg, const AnalysisOptions& opts);

/// Opens a checkpoint (folder with config.json + safetensors, or a .safetensors / .index.json file) through
/// the mmap store, reads only the filter tensors, and analyses them. load_seconds/analyze_seconds are filled.
InterpretResult analyze_checkpoint(const fs::path& checkpoint, const AnalysisOptions& opts);

}  // namespace codessm::interpret
