// `codessm probe layers`: for every checkpoint × dataset (task) × layer, compute the pair vectors
// (representations.h), run the exact DirectProbe (probe/directprobe.h) and score the test pairs,
// then write one report per model × task × layer (the probe module's JSON + Markdown), a summary
// (JSON source of truth + Markdown table) and the figures of SSM-Interpret §3: accuracy against
// layer for all checkpoints on one plot per task (Figs 2–3) and accuracy by distance for chosen
// layers (Fig. 4).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "codessm/probe/directprobe.h"

namespace codessm::layer_probe {

namespace fs = std::filesystem;

inline constexpr const char* kSummarySchema = "codessm.probing.layers";
inline constexpr int kSummarySchemaVersion = 1;

struct LayerProbeOptions {
  std::vector<fs::path> checkpoints;   ///< model folders (config.json + weights)
  std::vector<std::string> names;      ///< display names (default: the folder names, made unique)
  fs::path tokenizer;                  ///< tokenizer folder shared by every checkpoint (vocab must fit)
  std::vector<fs::path> datasets;      ///< dataset files from `codessm probe dataset`, one per task
  fs::path out;                        ///< output folder
  std::vector<int> layers;             ///< layers to probe (empty = all)
  std::vector<int> distance_layers;    ///< layers of the accuracy-by-distance figure (empty = first, middle, last)
  int64_t max_tokens = 0;              ///< see RepresentationOptions::max_tokens
  bool keep_vectors = true;            ///< keep the float32 pair vectors (else deleted after probing)
  bool progress = true;
  probe::DirectProbeOptions probe;
};

/// Runs everything and returns the summary JSON (also written to `<out>/summary.json`).
nlohmann::json run_layer_probes(const LayerProbeOptions& opt);

/// Renders the summary as Markdown (one table per task: models × layers, mean accuracy over labels).
std::string render_summary_markdown(const nlohmann::json& summary);

/// Writes the figures of a summary into `dir` and renders them (gnuplot); returns the PNG paths.
std::vector<fs::path> write_summary_figures(const nlohmann::json& summary, const std::vector<int>& distance_layers,
                                            const fs::path& dir);

}  // namespace codessm::layer_probe
