// Graceful stop on SIGTERM / SIGINT (a scheduler's pre-emption, Ctrl-C), as Marian does: the handler only sets
// a flag; a long-running loop (the trainer, once per step) checks it, finishes what it is doing, saves, and the
// CLI exits with 128 + the signal (143 for SIGTERM, 130 for SIGINT). A second signal while the first is being
// handled exits at once with the same code (the user insists). Only the commands that check the flag install
// the handler (`codessm pretrain` / `finetune`); every other command keeps the default disposition.
#pragma once

#include <stdexcept>
#include <string>

#include "codessm/core/error.h"

namespace codessm::core {

/// Installs the SIGTERM and SIGINT handlers (idempotent).
void install_stop_handlers();
/// The signal that asked to stop (SIGTERM, SIGINT), or 0.
int stop_signal();
/// Forgets a received signal (tests).
void clear_stop_signal();
/// "SIGTERM", "SIGINT", or "signal N".
std::string signal_name(int signo);

/// Thrown once a requested stop has been carried out (the run saved its checkpoint); cli/main.cpp exits with
/// exit_code() = 128 + signal.
class Interrupted : public Error {
 public:
  Interrupted(int signo, const std::string& msg) : Error(ErrorKind::kInternal, msg), signo_(signo) {}
  int signal() const { return signo_; }
  int exit_code() const { return 128 + signo_; }

 private:
  int signo_;
};

}  // namespace codessm::core
