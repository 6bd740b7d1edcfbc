// Checked file I/O: every failure names the path and the operation and gives a hint (llm.c fopenCheck).
// Writes are atomic (temp file in the same folder + fsync + rename), so a crash never leaves a half file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace codessm::core {

namespace fs = std::filesystem;

/// Reads a whole file; throws DataError naming the path when it is missing or unreadable.
std::string read_file(const fs::path& path);

/// Writes `data` to `path` atomically: `path.tmp.<pid>` is written, flushed, fsync'ed and renamed.
void write_file_atomic(const fs::path& path, std::string_view data);

/// Streaming atomic writer: write(), then commit() renames into place. Destroying it without commit()
/// removes the temporary file, so the previous content of `path` survives a failure.
class AtomicFileWriter {
 public:
  explicit AtomicFileWriter(const fs::path& path);
  ~AtomicFileWriter();
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  void write(const void* data, size_t n);
  void write(std::string_view s) { write(s.data(), s.size()); }
  /// Bytes written so far.
  uint64_t size() const { return size_; }
  void commit();

 private:
  fs::path path_;
  fs::path tmp_;
  int fd_ = -1;
  uint64_t size_ = 0;
  bool committed_ = false;
};

/// Creates a folder and its parents; throws DataError naming it on failure.
void ensure_dir(const fs::path& dir);

/// Removes a file or a folder tree; a missing path is not an error. Uses POSIX nftw instead of
/// std::filesystem::remove_all, which crashed on non-empty folders on the GPU machine's toolchain.
/// Returns false (and leaves what it could not remove) on failure.
bool remove_tree(const fs::path& path);

/// Throws DataError("<what> '<path>' does not exist: <hint>") unless the path exists.
void require_exists(const fs::path& path, std::string_view what, std::string_view hint);

}  // namespace codessm::core
