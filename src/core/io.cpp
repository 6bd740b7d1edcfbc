#include "codessm/core/io.h"

#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
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

AtomicFileWriter::AtomicFileWriter(const fs::path& path) : path_(path) {
  if (path.has_parent_path()) ensure_dir(path.parent_path());
  tmp_ = path;
  tmp_ += fmt::format(".tmp.{}", ::getpid());
  fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    throw DataError(fmt::format("cannot create '{}': {} (is the folder writable?)", tmp_.string(), std::strerror(errno)));
  }
}

AtomicFileWriter::~AtomicFileWriter() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) {
    std::error_code ec;
    fs::remove(tmp_, ec);
  }
}

void AtomicFileWriter::write(const void* data, size_t n) {
  const char* p = static_cast<const char*>(data);
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
  fs::rename(tmp_, path_, ec);
  if (ec) throw DataError(fmt::format("cannot rename '{}' to '{}': {}", tmp_.string(), path_.string(), ec.message()));
  committed_ = true;
}

void write_file_atomic(const fs::path& path, std::string_view data) {
  AtomicFileWriter w(path);
  w.write(data);
  w.commit();
}

}  // namespace codessm::core
