// End-to-end probe run behind `codessm probe run`: read the inputs (native files, the original's
// config.ini, or its dataset layout), run DirectProbe (or load clusters.txt), predict, and write
// report.json (source of truth), report.md and the original's clusters.txt / prediction.txt /
// dis.txt / log.txt, so results compare directly with the Python implementation.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

#include "codessm/probe/directprobe.h"

namespace codessm::probe {

namespace fs = std::filesystem;

struct ProbeRunOptions {
  // Native inputs: embeddings as text (one vector per line) or .npy; labels one per line (or
  // the original's "entity<TAB>label" lines).
  fs::path embeddings, labels, test_embeddings, test_labels;
  fs::path label_set;  ///< optional tags file; default: sorted union of the labels seen
  // The original's inputs: its config.ini, or a dataset folder plus a layer name.
  fs::path dp_config;
  fs::path dp_data;
  std::string layer;
  fs::path clusters;   ///< reuse this clusters.txt instead of probing (the original's prediction mode)
  fs::path out;        ///< output folder; must be empty or absent unless `overwrite`
  bool overwrite = false;
  bool write_dis = true;   ///< dis.txt (hull-to-hull distances; diagnostic)
  bool verify = false;     ///< check the invariants (certified LPs over all cluster pairs)
  bool distance_labels = false;  ///< labels are distances (distance task): also report per distance value
  DirectProbeOptions probe;
};

/// Runs the probe and writes every output; returns the report JSON. Throws UsageError for
/// inconsistent options and DataError for bad files.
nlohmann::json run_probe(const ProbeRunOptions& opt);

}  // namespace codessm::probe
