// A terminal progress bar with rate and ETA for long work (no C++ package for this exists in Debian).
// On a TTY it redraws one line with '\r'; otherwise (CI, logs) it prints a line every `log_every_s` seconds.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace codessm::core {

class ProgressBar {
 public:
  /// `total` units of work (0 = unknown), `unit` names them ("tok", "step", "file").
  ProgressBar(std::string label, uint64_t total, std::string unit = "it", double log_every_s = 10.0);
  ~ProgressBar();

  /// Advances by `n` units; `extra` is shown after the rate (e.g. "loss 2.31").
  void update(uint64_t n = 1, const std::string& extra = "");
  /// Sets the absolute position.
  void set(uint64_t done, const std::string& extra = "");
  /// Draws the final state and a newline.
  void finish(const std::string& extra = "");

  /// Seconds since construction.
  double elapsed_s() const;
  uint64_t done() const { return done_; }

 private:
  void draw(bool force);

  std::string label_, unit_, extra_;
  uint64_t total_, done_ = 0;
  double log_every_s_;
  bool tty_, finished_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

/// Formats seconds as 1h02m03s / 2m03s / 3.2s.
std::string format_duration(double seconds);

}  // namespace codessm::core
