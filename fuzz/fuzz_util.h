// Helpers shared by the libFuzzer targets: the readers under test take paths, so inputs are written to a
// private scratch folder first; multi-file inputs are split on a separator line.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "codessm/core/error.h"

namespace codessm::fuzz {

namespace fs = std::filesystem;

/// A per-process scratch folder (under $TMPDIR, default /tmp), emptied for each input.
inline const fs::path& scratch_dir() {
  static const fs::path dir = [] {
    const char* t = std::getenv("TMPDIR");
    fs::path d = fs::path(t && *t ? t : "/tmp") / ("codessm-fuzz-" + std::to_string(::getpid()));
    fs::create_directories(d);
    return d;
  }();
  return dir;
}

/// The scratch folder, for files each input overwrites (targets remove what an input may leave behind
/// themselves: a folder listing per execution would cost more than most readers).
inline const fs::path& fresh_scratch() { return scratch_dir(); }

inline void write_bytes(const fs::path& p, std::string_view bytes) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

/// Splits `data` into at most `n` parts on the separator line "\n----\n" (the last part takes the rest),
/// so one input can hold several files (a vocab.json and its merges.txt, an index and a shard).
inline std::vector<std::string_view> split_parts(const uint8_t* data, size_t size, size_t n) {
  static constexpr std::string_view kSep = "\n----\n";
  std::string_view s(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> out;
  while (out.size() + 1 < n) {
    auto p = s.find(kSep);
    if (p == std::string_view::npos) break;
    out.push_back(s.substr(0, p));
    s.remove_prefix(p + kSep.size());
  }
  out.push_back(s);
  while (out.size() < n) out.emplace_back();
  return out;
}

/// Runs `f`; a codessm::Error (a clear, typed rejection of bad input) is the expected outcome for most
/// inputs. Any other exception escaping a reader is a bug: an internal message with no file name, so it
/// aborts and libFuzzer records the input.
template <typename F>
void expect_clean(F&& f) {
  try {
    f();
  } catch (const codessm::Error&) {
  } catch (const std::exception& e) {
    std::fprintf(stderr, "reader let a non-codessm exception escape: %s\n", e.what());
    std::abort();
  }
}

}  // namespace codessm::fuzz
