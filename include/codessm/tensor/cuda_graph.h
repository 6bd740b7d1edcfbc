// A CUDA graph of one call with fixed shapes: captured once, then replayed with one launch, so the GPU no
// longer waits for the host to queue each of a forward's few hundred kernels. For inference on fixed shapes
// (and `bench forward --cuda-graph`, which measures the forward's GPU time without the host's share).
#pragma once

#include <torch/torch.h>

#include <functional>
#include <memory>

namespace codessm::tensor {

/// Capture rules (CUDA's): the call reads and writes the same device buffers on every replay (copy new inputs
/// into the tensors it captured), allocates only from the graph's pool, and never synchronises with the host
/// (no .item(), no copy to the CPU). CPU builds and CPU devices refuse with a UsageError.
class CudaGraph {
 public:
  CudaGraph();
  ~CudaGraph();
  CudaGraph(const CudaGraph&) = delete;
  CudaGraph& operator=(const CudaGraph&) = delete;

  /// Runs `call` `warmup` times on a side stream (allocator and library handles settle there), then captures one
  /// run. Throws UsageError naming the cause when the device is not CUDA or the call breaks a capture rule.
  void capture(const torch::Device& device, const std::function<void()>& call, int warmup = 2);
  /// Queues the captured work on the current stream (asynchronous, like the call itself).
  void replay();
  bool captured() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace codessm::tensor
