// OpenMP parallel loops for DirectProbe (thread_pool.h).
#include "thread_pool.h"

#include <omp.h>

#include <atomic>
#include <exception>
#include <mutex>

namespace codessm::probe::detail {

ThreadPool::ThreadPool(int threads) : threads_(threads > 0 ? threads : omp_get_num_procs()) {
  if (threads_ < 1) threads_ = 1;
}

void ThreadPool::parallel_for(int64_t n, const std::function<void(int64_t, int)>& fn, int64_t min_parallel) {
  if (n <= 0) return;
  if (threads_ == 1 || n < min_parallel) {
    for (int64_t i = 0; i < n; ++i) fn(i, 0);
    return;
  }
  std::exception_ptr error;
  std::mutex mu;
  std::atomic<bool> failed{false};
  // An exception must not leave an OpenMP region: the first is kept, the remaining iterations are skipped.
#pragma omp parallel for num_threads(threads_) schedule(dynamic, 1)
  for (int64_t i = 0; i < n; ++i) {
    if (failed.load(std::memory_order_relaxed)) continue;
    try {
      fn(i, omp_get_thread_num());
    } catch (...) {
      std::lock_guard<std::mutex> lock(mu);
      if (!error) error = std::current_exception();
      failed.store(true);
    }
  }
  if (error) std::rethrow_exception(error);
}

}  // namespace codessm::probe::detail
