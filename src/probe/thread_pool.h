// DirectProbe's parallel sections on OpenMP (GCC's libgomp, the runtime LibTorch uses too): libgomp keeps its
// thread team alive between parallel regions, so the many short sections of DirectProbe (one per merge check)
// do not pay thread start-up each time — what a home-made persistent pool used to do here. Private to the probe
// module, which stays torch-free (hence OpenMP itself rather than at::parallel_for).
#pragma once

#include <cstdint>
#include <functional>

namespace codessm::probe::detail {

class ThreadPool {
 public:
  /// `threads` ≤ 0: every core (omp_get_num_procs()).
  explicit ThreadPool(int threads);

  int size() const { return threads_; }

  /// Calls fn(i, worker) for i in [0, n), worker in [0, size()), dynamically scheduled; the calling
  /// thread takes part. Runs inline when n < min_parallel. The first exception is rethrown in the caller
  /// (the remaining iterations are skipped).
  void parallel_for(int64_t n, const std::function<void(int64_t, int)>& fn, int64_t min_parallel = 2);

 private:
  int threads_ = 1;
};

}  // namespace codessm::probe::detail
