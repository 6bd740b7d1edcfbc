// Probing datasets for the three structural tasks of SSM-Interpret §3 / Anand et al. 2024
// (directprobe-spec §3.4–3.7): token pairs of functions labelled by AST distance (2..6), the
// "siblings" (motif) relation (0/1) or the data-flow edge (-1 computedFrom / 0 none / 1 comesFrom),
// sampled as the original scripts do, balanced per label, seeded, split 80/20, and saved as one
// versioned JSON file with the function text and token spans, so that every checkpoint is probed on
// exactly the same pairs (spec §3.8: keyed by function, every RNG seeded). Torch-free.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "codessm/parse/language.h"

namespace codessm::layer_probe {

namespace fs = std::filesystem;

/// Schema name and version of the dataset file; a newer version fails to load with a message.
inline constexpr const char* kDatasetSchema = "codessm.probing.dataset";
inline constexpr int kDatasetFormatVersion = 1;

/// The three probing tasks.
enum class ProbeTask { kDistance, kSiblings, kDfg };
/// "distance" / "siblings" / "dfg".
std::string task_name(ProbeTask t);
/// Inverse of task_name(); throws UsageError listing the choices.
ProbeTask task_from_name(const std::string& name);
/// True when pair vectors are differences h_row − h_col (distance); else concatenations [h_row ; h_col].
inline bool uses_difference(ProbeTask t) { return t == ProbeTask::kDistance; }

/// One code token of a function: its byte span in ProbeFunction::code and its node type.
struct ProbeToken {
  uint32_t begin = 0, end = 0;
  std::string type;
};

/// One function of the dataset.
struct ProbeFunction {
  std::string id;                  ///< stable key (the corpus sha, or "<path>:<line>")
  std::string code;                ///< the function text that was parsed and that models read
  std::vector<ProbeToken> tokens;  ///< code tokens (comments and the docstring dropped, strings whole)
};

/// One labelled token pair.
struct ProbePair {
  int32_t function = 0;  ///< index into ProbeDataset::functions
  int32_t row = 0;       ///< token index of the first token
  int32_t col = 0;       ///< token index of the second token
  int32_t label = 0;     ///< index into ProbeDataset::labels
  bool operator==(const ProbePair& o) const {
    return function == o.function && row == o.row && col == o.col && label == o.label;
  }
};

/// A probing dataset: functions, label names (DirectProbe's byte-wise sorted order) and the split.
struct ProbeDataset {
  ProbeTask task = ProbeTask::kDistance;
  parse::Language language = parse::Language::kPython;
  uint64_t seed = 0;
  std::vector<std::string> labels;        ///< "2.0".."6.0" / "0","1" / "-1","0","1"
  std::vector<ProbeFunction> functions;
  std::vector<ProbePair> train, test;     ///< train in permutation order, test likewise (spec §3.7)
  nlohmann::json provenance;              ///< inputs and options, for the record
};

/// A function as read from the input, before sampling.
struct SourceFunction {
  std::string id;
  std::string code;
};

/// Options of build_probe_dataset(). Defaults follow create_dp_dataset.py (spec §3.7).
struct DatasetOptions {
  ProbeTask task = ProbeTask::kDistance;
  parse::Language language = parse::Language::kPython;
  uint64_t seed = 0;
  /// Functions drawn from the input (0 = the task's default: 160 distance, 100 siblings, 130 dfg).
  int64_t max_functions = 0;
  /// Pairs per label (0 = the task's default: 1300 / 1500 / 1500). When some label has fewer
  /// candidates, every label gets that smaller count, so the dataset stays balanced.
  int64_t per_label = 0;
  double test_fraction = 0.2;      ///< test = the first ceil(fraction·n) of a seeded permutation
  uint32_t max_function_bytes = 4000;  ///< skip longer functions (model context); 0 = no limit
  bool skip_parse_errors = true;   ///< skip functions whose parse has ERROR/MISSING nodes
};

/// Samples the dataset. Functions that fail to parse, are too long or yield no candidate pair are
/// skipped (counted in provenance). Throws DataError when no label has any candidate.
ProbeDataset build_probe_dataset(const std::vector<SourceFunction>& functions, const DatasetOptions& opt);

/// Reads functions: a CodeSearchNet-style JSONL file (field `original_string`, else `code`; id =
/// `sha`, else "<file>:<line>"), or a source file / folder of source files of `lang` (every function
/// definition found by parse::find_functions, files in sorted order). Throws DataError naming the
/// file and line.
std::vector<SourceFunction> read_source_functions(const fs::path& path, parse::Language lang);

/// Token pairs for every candidate of one function, with their label index (before balancing).
/// Exposed for tests; `rng_seed` drives the per-row negative sampling of siblings and dfg.
std::vector<ProbePair> candidate_pairs(const ProbeFunction& fn, ProbeTask task, parse::Language lang,
                                       uint64_t rng_seed);

/// Parses `code` and extracts its code tokens (the docstring of a Python function is left out).
ProbeFunction tokenize_function(const std::string& id, const std::string& code, parse::Language lang);

/// JSON round trip (schema/format_version checked; a newer version fails with a message).
nlohmann::json dataset_to_json(const ProbeDataset& d);
ProbeDataset dataset_from_json(const nlohmann::json& j, const std::string& origin);
/// Atomic save / load of the dataset file.
void save_dataset(const ProbeDataset& d, const fs::path& path);
ProbeDataset load_dataset(const fs::path& path);

/// Label counts of a pair list (index = label).
std::vector<int64_t> label_counts(const std::vector<ProbePair>& pairs, int num_labels);

}  // namespace codessm::layer_probe
