// `codessm extrapolate` (CodeSSM §5.2, finding F6 of the study): a checkpoint pretrained at one context length is
// fine-tuned and evaluated at each of several lengths (e.g. pretrained at 256; 256, 1024, 2048), and — given
// held-out token shards — its zero-shot masked-token accuracy is measured at each length too. One fine-tuning run
// folder per length (resumable: a finished length is read back, an interrupted one resumed), then
// extrapolation.json (envelope "train.extrapolation"), extrapolation.md and figures/extrapolation.{gp,dat,svg,png}.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace codessm::pipelines {

namespace fs = std::filesystem;

struct ExtrapolateOptions {
  fs::path config_file;                ///< fine-tuning TrainConfig (task, data, tokenizer, batch); "" = MLM only
  std::vector<std::string> overrides;  ///< `key=value` on its fields
  std::string model;                   ///< the pretrained checkpoint (overrides the config's `model`)
  fs::path tokenizer;                  ///< overrides the config's `tokenizer` (needed for MLM-only runs)
  std::vector<int64_t> lengths;        ///< context lengths, ascending
  /// Hold batch_size × length at the config's value (batch_size × max_length), so every length trains on the
  /// same number of tokens per step (batch ≥ 1); false = the config's batch at every length.
  bool constant_tokens = true;
  fs::path mlm_shards;                 ///< held-out shards for the zero-shot MLM curve ("" = none)
  int64_t mlm_tokens = 65536;          ///< tokens per MLM evaluation at every length (batches of ≤ 16384 tokens)
  std::string device = "cpu", dtype = "fp32";
  double max_seconds = 0;              ///< time budget of each fine-tuning run (0 = none)
  fs::path out;
  bool progress = true;
};

/// Runs every length and writes the reports; returns the results object.
nlohmann::json run_extrapolate(const ExtrapolateOptions& o);

/// Writes figures/extrapolation.{gp,dat} (+ svg/png with gnuplot) for one or more results objects of
/// run_extrapolate (one line per model): the fine-tuned test metric and the zero-shot MLM accuracy against the
/// length, the pretraining length marked. Returns the PNG path (empty when not rendered).
fs::path write_extrapolation_figure(const std::vector<std::pair<std::string, nlohmann::json>>& runs, const fs::path& dir,
                                    const std::string& stem = "extrapolation");

}  // namespace codessm::pipelines
