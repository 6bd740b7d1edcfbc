// metrics.jsonl of a run: one JSON object per line, appended and flushed per record so that a killed run
// keeps everything up to the kill. On resume, records after the resumed step are dropped first, so the file
// reads as one run without duplicated steps.
#pragma once

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

namespace codessm::train {

class MetricsLog {
 public:
  /// Opens run_dir/metrics.jsonl: with `keep_up_to_step` >= 0 (a resume) it first rewrites it keeping only
  /// records whose "step" is <= that step, then appends; with -1 (a fresh run) it starts the file anew.
  MetricsLog(const std::filesystem::path& file, int64_t keep_up_to_step);
  void write(const nlohmann::json& record);

 private:
  std::ofstream out_;
};

}  // namespace codessm::train
