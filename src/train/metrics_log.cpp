#include "metrics_log.h"

#include <sstream>

#include "codessm/core/error.h"
#include "codessm/core/io.h"

namespace codessm::train {

MetricsLog::MetricsLog(const std::filesystem::path& file, int64_t keep_up_to_step) {
  if (keep_up_to_step >= 0 && std::filesystem::exists(file)) {
    std::istringstream in(core::read_file(file));
    std::string line, kept;
    while (std::getline(in, line)) {
      // A line cut by a kill is dropped along with the records after the checkpoint.
      auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
      if (j.is_object() && j.value("step", int64_t{0}) <= keep_up_to_step) kept += line + "\n";
    }
    core::write_file_atomic(file, kept);
  }
  // A fresh run (no checkpoint to resume: keep_up_to_step < 0) starts the file anew: lines of a run killed before
  // its first checkpoint would otherwise be logged twice (docs/reliability.md, bad case 9).
  out_.open(file, keep_up_to_step >= 0 ? std::ios::app : std::ios::trunc);
  CODESSM_REQUIRE(out_.good(), DataError, "cannot open '{}' for appending: is the run folder writable?",
                  file.string());
}

void MetricsLog::write(const nlohmann::json& record) {
  out_ << record.dump() << '\n';
  out_.flush();
}

}  // namespace codessm::train
