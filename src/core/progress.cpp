#include "codessm/core/progress.h"

#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

namespace codessm::core {

std::string format_duration(double s) {
  if (s < 0 || s != s) return "?";
  if (s < 60) return fmt::format("{:.1f}s", s);
  auto t = static_cast<long>(s);
  if (t < 3600) return fmt::format("{}m{:02d}s", t / 60, static_cast<int>(t % 60));
  return fmt::format("{}h{:02d}m{:02d}s", t / 3600, static_cast<int>((t / 60) % 60), static_cast<int>(t % 60));
}

static std::string human_rate(double r) {
  if (r >= 1e6) return fmt::format("{:.2f}M", r / 1e6);
  if (r >= 1e3) return fmt::format("{:.1f}K", r / 1e3);
  return fmt::format("{:.2f}", r);
}

ProgressBar::ProgressBar(std::string label, uint64_t total, std::string unit, double log_every_s)
    : label_(std::move(label)), unit_(std::move(unit)), total_(total), log_every_s_(log_every_s) {
  tty_ = ::isatty(STDERR_FILENO) != 0;
  start_ = last_draw_ = std::chrono::steady_clock::now();
}

ProgressBar::~ProgressBar() {
  if (!finished_ && tty_ && done_ > 0) std::fputc('\n', stderr);
}

double ProgressBar::elapsed_s() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void ProgressBar::update(uint64_t n, const std::string& extra) { set(done_ + n, extra); }

void ProgressBar::set(uint64_t done, const std::string& extra) {
  done_ = done;
  if (!extra.empty()) extra_ = extra;
  draw(false);
}

void ProgressBar::finish(const std::string& extra) {
  if (!extra.empty()) extra_ = extra;
  draw(true);
  if (tty_) std::fputc('\n', stderr);
  finished_ = true;
}

void ProgressBar::draw(bool force) {
  auto now = std::chrono::steady_clock::now();
  double since = std::chrono::duration<double>(now - last_draw_).count();
  double min_gap = tty_ ? 0.1 : log_every_s_;
  if (!force && since < min_gap) return;
  last_draw_ = now;
  double el = elapsed_s();
  double rate = el > 0 ? done_ / el : 0.0;
  std::string line;
  if (total_ > 0) {
    double frac = std::min(1.0, static_cast<double>(done_) / total_);
    const int width = 24;
    int filled = static_cast<int>(frac * width);
    std::string bar(filled, '#');
    bar.append(width - filled, '-');
    double eta = rate > 0 ? (total_ - std::min(done_, total_)) / rate : -1;
    line = fmt::format("{} [{}] {:3.0f}% {}/{} {} {}/s eta {} {}", label_, bar, frac * 100, done_, total_, unit_,
                       human_rate(rate), format_duration(eta), extra_);
  } else {
    line = fmt::format("{} {} {} {}/s elapsed {} {}", label_, done_, unit_, human_rate(rate), format_duration(el),
                       extra_);
  }
  if (tty_) {
    std::fprintf(stderr, "\r%s\033[K", line.c_str());
  } else {
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  std::fflush(stderr);
}

}  // namespace codessm::core
