// The handler is async-signal-safe: it stores to a lock-free atomic, and on a second signal calls _exit.
#include "codessm/core/stop_signal.h"

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <csignal>

namespace codessm::core {

namespace {

std::atomic<int> g_signal{0};
static_assert(std::atomic<int>::is_always_lock_free, "the stop flag must be lock-free to be set from a handler");

extern "C" void on_stop_signal(int signo) {
  if (g_signal.exchange(signo) != 0) _exit(128 + signo);  // a second signal: stop now
}

}  // namespace

void install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;  // interrupted reads/writes resume; the loop sees the flag at its next check
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
}

int stop_signal() { return g_signal.load(); }

void clear_stop_signal() { g_signal.store(0); }

std::string signal_name(int signo) {
  if (signo == SIGTERM) return "SIGTERM";
  if (signo == SIGINT) return "SIGINT";
  return fmt::format("signal {}", signo);
}

}  // namespace codessm::core
