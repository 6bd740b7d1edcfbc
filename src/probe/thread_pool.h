// A small persistent thread pool with a blocking parallel_for, private to the probe module.
// Threads live as long as the pool, so the many short parallel sections of DirectProbe (one per
// merge check) do not pay thread start-up each time.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace codessm::probe::detail {

class ThreadPool {
 public:
  /// `threads` ≤ 0: std::thread::hardware_concurrency().
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return static_cast<int>(workers_.size()) + 1; }

  /// Calls fn(i, worker) for i in [0, n), worker in [0, size()), dynamically scheduled; the calling
  /// thread takes part. Runs inline when n < min_parallel. Exceptions are rethrown in the caller.
  void parallel_for(int64_t n, const std::function<void(int64_t, int)>& fn, int64_t min_parallel = 2);

 private:
  void worker_loop(int id);
  void run_chunked(int worker);

  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable cv_, done_cv_;
  const std::function<void(int64_t, int)>* job_ = nullptr;
  int64_t job_n_ = 0;
  std::atomic<int64_t> next_{0};
  int generation_ = 0;
  int busy_ = 0;
  bool stop_ = false;
  std::exception_ptr error_;
};

}  // namespace codessm::probe::detail
