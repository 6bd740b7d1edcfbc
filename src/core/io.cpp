#include "codessm/core/io.h"

#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "codessm/core/error.h"

namespace codessm::core {

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw DataError(fmt::format("cannot open '{}' for reading: {} (check the path and permissions)", path.string(),
                                std::strerror(errno)));
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw DataError(fmt::format("error while reading '{}'", path.string()));
  return ss.str();
}

void ensure_dir(const fs::path& dir) {
  if (dir.empty()) return;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw DataError(fmt::format("cannot create folder '{}': {}", dir.string(), ec.message()));
}

static int remove_entry(const char* path, const struct stat*, int, struct FTW*) { return ::remove(path); }

bool remove_tree(const fs::path& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return errno == ENOENT;
  // FTW_DEPTH: children before their folder; FTW_PHYS: do not follow symbolic links.
  return ::nftw(path.c_str(), remove_entry, 16, FTW_DEPTH | FTW_PHYS) == 0;
}

void require_exists(const fs::path& path, std::string_view what, std::string_view hint) {
  if (!fs::exists(path)) throw DataError(fmt::format("{} '{}' does not exist: {}", what, path.string(), hint));
}

namespace {

// Fault injection for the kill/resume harness (tests/cli/kill_resume_test.cpp, docs/reliability.md):
// CODESSM_FAULT_KILL_WRITE=N:STAGE makes the process SIGKILL itself during its N-th atomic file write (1-based),
// at STAGE "open" (empty temp file), "half" (half of the first block written), "commit" (all written and
// synced, before the rename) or "renamed" (just after it). Unset, it costs one getenv per process.
enum class FaultStage { kNone, kOpen, kHalf, kCommit, kRenamed };

struct FaultPlan {
  long target = 0;
  FaultStage stage = FaultStage::kNone;
  long count = 0;
};

FaultPlan& fault_plan() {
  static FaultPlan plan = [] {
    FaultPlan p;
    const char* env = std::getenv("CODESSM_FAULT_KILL_WRITE");
    if (!env) return p;
    const std::string s = env;
    const auto colon = s.find(':');
    p.target = std::atol(s.substr(0, colon).c_str());
    const std::string st = colon == std::string::npos ? "half" : s.substr(colon + 1);
    p.stage = st == "open" ? FaultStage::kOpen : st == "commit" ? FaultStage::kCommit
            : st == "renamed" ? FaultStage::kRenamed : FaultStage::kHalf;
    return p;
  }();
  return plan;
}

/// The writer that is to be killed (set when the N-th one opens): only it is compared on every write.
const void*& fault_writer() {
  static const void* w = nullptr;
  return w;
}

void maybe_kill(const void* writer, FaultStage stage) {
  if (writer != nullptr && writer == fault_writer() && fault_plan().stage == stage) ::raise(SIGKILL);
}

}  // namespace

AtomicFileWriter::AtomicFileWriter(const fs::path& path) : path_(path) {
  if (fault_plan().stage != FaultStage::kNone && ++fault_plan().count == fault_plan().target) fault_writer() = this;
  if (path.has_parent_path()) ensure_dir(path.parent_path());
  tmp_ = path;
  tmp_ += fmt::format(".tmp.{}", ::getpid());
  fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    throw DataError(fmt::format("cannot create '{}': {} (is the folder writable?)", tmp_.string(), std::strerror(errno)));
  }
  maybe_kill(this, FaultStage::kOpen);
}

AtomicFileWriter::~AtomicFileWriter() {
  if (this == fault_writer()) fault_writer() = nullptr;
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) {
    std::error_code ec;
    fs::remove(tmp_, ec);
  }
}

void AtomicFileWriter::write(const void* data, size_t n) {
  const char* p = static_cast<const char*>(data);
  if (this == fault_writer() && size_ == 0 && n > 1) {
    const size_t half = n / 2;
    if (::write(fd_, p, half) == static_cast<ssize_t>(half)) maybe_kill(this, FaultStage::kHalf);
    ::lseek(fd_, 0, SEEK_SET);  // not killed: write the block whole below
  }
  while (n > 0) {
    ssize_t w = ::write(fd_, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      throw DataError(fmt::format("write to '{}' failed: {} (disk full?)", tmp_.string(), std::strerror(errno)));
    }
    p += w;
    n -= static_cast<size_t>(w);
    size_ += static_cast<uint64_t>(w);
  }
}

void AtomicFileWriter::commit() {
  if (::fsync(fd_) != 0) throw DataError(fmt::format("fsync of '{}' failed: {}", tmp_.string(), std::strerror(errno)));
  ::close(fd_);
  fd_ = -1;
  std::error_code ec;
  maybe_kill(this, FaultStage::kCommit);
  fs::rename(tmp_, path_, ec);
  if (ec) throw DataError(fmt::format("cannot rename '{}' to '{}': {}", tmp_.string(), path_.string(), ec.message()));
  committed_ = true;
  maybe_kill(this, FaultStage::kRenamed);
}

void write_file_atomic(const fs::path& path, std::string_view data) {
  AtomicFileWriter w(path);
  w.write(data);
  w.commit();
}

}  // namespace codessm::core
