// Private to train: an exclusive lock on a run folder for the lifetime of a run (flock on RUN_DIR/.lock), so
// that a second `--resume` of a running run — or two fresh runs with one --out — refuses at once instead of
// interleaving checkpoints. The kernel drops the lock when the process dies, so a killed run never leaves the
// folder locked. The file holds the owner's pid, for the message.
#pragma once

#include <filesystem>

namespace codessm::train {

class RunLock {
 public:
  /// Takes the lock or throws UsageError naming the folder and the pid that holds it.
  explicit RunLock(const std::filesystem::path& run_dir);
  ~RunLock();
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

  static constexpr const char* kFile = ".lock";

 private:
  int fd_ = -1;
};

}  // namespace codessm::train
