#include "codessm/train/run_checkpoints.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <regex>

#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "codessm/core/logging.h"
#include "codessm/model/checkpoint.h"

namespace codessm::train {

namespace {

/// The step of a ckpt-NNNNNN folder name, or -1.
int64_t step_of(const fs::path& p) {
  static const std::regex re("ckpt-([0-9]+)");
  std::smatch m;
  const std::string name = p.filename().string();
  return std::regex_match(name, m, re) ? std::stoll(m[1].str()) : -1;
}

/// Deletes a folder tree (core::remove_tree); a failure is logged, not thrown, since a leftover old checkpoint
/// must not stop a run.
void remove_tree(const fs::path& p) {
  if (!core::remove_tree(p)) spdlog::warn("could not remove '{}' completely", p.string());
}

/// True for the temporary names our writers use in a run folder:
///   .staging-ckpt-N-PID, .old-ckpt-N-PID         save_checkpoint
///   ..staging-ckpt-N-PID.tmp-PID                 save_pretrained into a staging folder (its sibling temp)
///   .best.tmp-PID, .best.old-PID                 save_pretrained of best/
///   metrics.jsonl.tmp.PID, run_config.json.tmp.PID   core::AtomicFileWriter
bool is_temporary(const std::string& n) {
  static const std::regex re(R"(^(\.\.?staging-.*|\.old-.*|\..*\.(tmp|old)-[0-9]+|.*\.tmp\.[0-9]+)$)");
  return std::regex_match(n, re);
}

/// Removes what a killed or failed save left: in a locked run folder no other process owns a temporary.
void prune_temporaries(const fs::path& run_dir) {
  std::error_code ec;
  std::vector<fs::path> stale;  // collected first: deleting while iterating a folder is unspecified
  for (const auto& e : fs::directory_iterator(run_dir, ec))
    if (is_temporary(e.path().filename().string())) stale.push_back(e.path());
  for (const auto& p : stale) {
    spdlog::info("removing '{}', left by an interrupted save", p.string());
    remove_tree(p);
  }
}

}  // namespace

fs::path checkpoint_dir(const fs::path& run_dir, int64_t step) { return run_dir / fmt::format("ckpt-{:06d}", step); }

fs::path save_checkpoint(const fs::path& run_dir, model::CodeModel& model, const torch::optim::Optimizer& opt,
                         const TrainState& state, const data::Tokenizer* tok, const fs::path& previous) {
  const fs::path final_dir = checkpoint_dir(run_dir, state.step);
  // Hidden staging folder: list_checkpoints never sees it, and a crash leaves only this to clean up.
  const fs::path staging = run_dir / fmt::format(".staging-{}-{}", final_dir.filename().string(), ::getpid());
  remove_tree(staging);
  try {
    model::save_pretrained(model, staging);
    if (tok) tok->save(staging);
    save_optimizer_and_rng(opt, staging / kOptimizerFile);
    core::write_file_atomic(staging / kTrainStateFile, state.to_json().dump(2) + "\n");
  } catch (const std::exception& e) {
    // Disk full, a file-size limit, a vanished folder: nothing partial stays behind, the run stops cleanly.
    remove_tree(staging);
    prune_temporaries(run_dir);
    throw DataError(fmt::format("could not write checkpoint {} ({}); {} — free space, then continue with --resume",
                                final_dir.string(), e.what(),
                                previous.empty() ? "no checkpoint of this run exists yet"
                                                 : previous.string() + " stays the latest checkpoint"));
  }
  if (fs::exists(final_dir)) {
    // Same step saved again (a resumed run that stopped where it started): swap, then delete the old one.
    const fs::path old = run_dir / fmt::format(".old-{}-{}", final_dir.filename().string(), ::getpid());
    fs::rename(final_dir, old);
    fs::rename(staging, final_dir);
    remove_tree(old);
  } else {
    fs::rename(staging, final_dir);
  }
  return final_dir;
}

std::vector<fs::path> list_checkpoints(const fs::path& run_dir) {
  std::vector<std::pair<int64_t, fs::path>> found;
  std::error_code ec;
  if (!fs::is_directory(run_dir, ec)) return {};
  for (const auto& e : fs::directory_iterator(run_dir, ec)) {
    const int64_t s = step_of(e.path());
    if (s >= 0 && e.is_directory() && fs::exists(e.path() / kTrainStateFile)) found.emplace_back(s, e.path());
  }
  std::sort(found.begin(), found.end());
  std::vector<fs::path> out;
  for (auto& f : found) out.push_back(f.second);
  return out;
}

std::optional<fs::path> latest_checkpoint(const fs::path& run_dir) {
  auto all = list_checkpoints(run_dir);
  if (all.empty()) return std::nullopt;
  return all.back();
}

void prune_checkpoints(const fs::path& run_dir, int64_t keep) {
  prune_temporaries(run_dir);
  if (keep <= 0) return;
  auto all = list_checkpoints(run_dir);
  for (size_t i = 0; i + static_cast<size_t>(keep) < all.size(); ++i) {
    spdlog::debug("removing old checkpoint {}", all[i].string());
    remove_tree(all[i]);
  }
}

TrainState read_train_state(const fs::path& ckpt) {
  const fs::path f = ckpt / kTrainStateFile;
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(core::read_file(f));
  } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range for an overflowing number
    throw DataError(fmt::format("{}: not valid JSON ({}); the checkpoint is damaged", f.string(), e.what()));
  }
  return TrainState::from_json(j, f.string());
}

}  // namespace codessm::train
