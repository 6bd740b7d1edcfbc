// `codessm study --config FILE --out DIR`: the SSM-Interpret study on models this project trains, as one resumable
// pipeline of stages over the existing commands (docs/study.md):
//   corpus → text → tokenizer → shards → type-inference / retrieval / probing / cloze data          (CPU)
//   → pretrain/<model> → types/<model>, retrieval/<model> → extrapolate/<model>                        (GPU)
//   → interpret, compare, probe (representations + DirectProbe per layer), cloze → report              (CPU)
// Every stage records the hashes of its inputs and config (stage_store.h); a rerun skips complete stages and a
// killed study resumes. GPU stages run in this process (device.mode "local") or are exported as a bundle + plan
// that tools/gpu_study.sh runs on the GPU machine, whose returned files `--import` brings back ("device").
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace codessm::study {

namespace fs = std::filesystem;

struct StudyOptions {
  fs::path config_file;
  std::vector<std::string> overrides;  ///< `section.field=value` on the study config (JSON values)
  fs::path out;
  fs::path repo_root = ".";            ///< where the device bundle and memory files are resolved
  std::vector<fs::path> imports;       ///< folders (or files) returned by tools/gpu_study.sh
  std::vector<std::string> only;       ///< run only stages whose key starts with one of these (and nothing after)
  fs::path publish;                    ///< copy the report (JSON, Markdown, evidence, figures) and the config here
  fs::path ship;                       ///< write the embedded default (checkpoints, tokenizer, checks) here
  int threads = 0;                     ///< CPU threads for tokenizing, probing (0 = all)
  bool progress = true;
};

/// Runs every stage that is not complete; returns the status ({"stages": [...], "state": "complete" |
/// "awaiting_device" | "partial", "report": path}) and writes OUT/status.json.
nlohmann::json run_study(const StudyOptions& o);

}  // namespace codessm::study
