#include "run_lock.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "codessm/core/error.h"

namespace codessm::train {

RunLock::RunLock(const std::filesystem::path& run_dir) {
  const auto file = run_dir / kFile;
  fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  CODESSM_REQUIRE(fd_ >= 0, DataError, "cannot open the run lock '{}': {} (is the run folder writable?)",
                  file.string(), std::strerror(errno));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    char buf[32] = {0};
    const ssize_t n = ::pread(fd_, buf, sizeof(buf) - 1, 0);
    const std::string pid = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "unknown";
    ::close(fd_);
    fd_ = -1;
    throw UsageError(fmt::format("run folder '{}' is in use by another codessm process (pid {}, lock {}): wait for it "
                                 "to finish or stop it (SIGTERM saves a checkpoint), then --resume",
                                 run_dir.string(), pid, file.string()));
  }
  const std::string pid = std::to_string(::getpid());
  if (::ftruncate(fd_, 0) == 0) (void)!::pwrite(fd_, pid.data(), pid.size(), 0);
}

RunLock::~RunLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

}  // namespace codessm::train
