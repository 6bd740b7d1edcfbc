// The graceful-stop flag: a SIGTERM or SIGINT only records itself (the process goes on), and the exit code a
// stop maps to is 128 + the signal.
#include <gtest/gtest.h>

#include <csignal>

#include "codessm/core/stop_signal.h"

namespace codessm::core {
namespace {

TEST(StopSignal, ASignalSetsTheFlagInsteadOfEndingTheProcess) {
  install_stop_handlers();
  clear_stop_signal();
  EXPECT_EQ(stop_signal(), 0);
  std::raise(SIGTERM);  // with the default disposition this would end the test binary
  EXPECT_EQ(stop_signal(), SIGTERM);
  EXPECT_EQ(signal_name(stop_signal()), "SIGTERM");
  clear_stop_signal();
  std::raise(SIGINT);
  EXPECT_EQ(stop_signal(), SIGINT);
  clear_stop_signal();
  const Interrupted e(SIGTERM, "stopped");
  EXPECT_EQ(e.exit_code(), 143);
  EXPECT_EQ(Interrupted(SIGINT, "x").exit_code(), 130);
}

}  // namespace
}  // namespace codessm::core
