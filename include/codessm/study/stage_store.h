// Stage records of a study: every stage's outputs live in OUT/stages/<key>/ and a stage is complete when its
// record `stage.json` exists with the input hash the study computes now. The input hash covers the stage's key,
// its own config and the output hashes of the stages it reads, so a changed config or an upstream rerun makes
// every downstream stage stale, and an unchanged rerun skips it. Records are written atomically, last, so a
// killed stage is simply not complete. Torch-free.
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace codessm::study {

namespace fs = std::filesystem;

inline constexpr const char* kStageRecordFile = "stage.json";

/// SHA-256 (hex) of a JSON value's canonical text (sorted keys, no whitespace).
std::string hash_json(const nlohmann::json& j);

/// SHA-256 (hex) over the files under `paths` (files or folders, recursively): each file's path relative to
/// `base`, its size and its content hash, in sorted path order. Hidden entries (".*") are skipped.
std::string hash_tree(const std::vector<fs::path>& paths, const fs::path& base);

/// A complete stage.
struct StageRecord {
  std::string key;
  std::string input_hash;
  std::string output_hash;
  nlohmann::json inputs;   ///< what the input hash covers: {"config": ..., "deps": {key: output_hash}}
  nlohmann::json info;     ///< what the stage reports (counts, metrics, paths relative to its folder)
  double seconds = 0;
  std::string completed_utc;
  nlohmann::json to_json() const;
  static StageRecord from_json(const nlohmann::json& j);
};

class StageStore {
 public:
  explicit StageStore(fs::path root);
  /// The stage's folder: OUT/stages/<key>, '/' in keys kept as sub-folders ("pretrain/codessm").
  fs::path dir(const std::string& key) const;
  /// The record when the stage is complete for `input_hash`; nothing when absent or stale.
  std::optional<StageRecord> complete(const std::string& key, const std::string& input_hash) const;
  /// Any record of the stage (possibly stale).
  std::optional<StageRecord> record(const std::string& key) const;
  /// Hashes the stage's outputs (`outputs` relative to its folder; empty = the whole folder but the record) and
  /// writes the record atomically.
  StageRecord finish(const std::string& key, const std::string& input_hash, const nlohmann::json& inputs,
                     const nlohmann::json& info, double seconds, const std::vector<fs::path>& outputs = {});
  /// Removes the stage's folder (a stale or half-written stage starts afresh).
  void reset(const std::string& key) const;
  const fs::path& root() const { return root_; }

 private:
  fs::path root_;
};

}  // namespace codessm::study
