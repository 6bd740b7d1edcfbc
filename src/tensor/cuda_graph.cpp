#include "codessm/tensor/cuda_graph.h"

#include "codessm/core/error.h"

#ifdef CODESSM_WITH_CUDA
#include <ATen/cuda/CUDAGraph.h>
#include <cuda_runtime_api.h>
#include <c10/cuda/CUDAFunctions.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#endif

namespace codessm::tensor {

#ifdef CODESSM_WITH_CUDA
struct CudaGraph::Impl {
  at::cuda::CUDAGraph graph;
  bool captured = false;
};
#else
struct CudaGraph::Impl {
  bool captured = false;
};
#endif

CudaGraph::CudaGraph() : impl_(std::make_unique<Impl>()) {}
CudaGraph::~CudaGraph() = default;

bool CudaGraph::captured() const { return impl_->captured; }

void CudaGraph::capture(const torch::Device& device, const std::function<void()>& call, int warmup) {
  CODESSM_REQUIRE(device.is_cuda(), UsageError, "CUDA graphs need a CUDA device (got {})", device.str());
  CODESSM_REQUIRE(!impl_->captured, UsageError, "this CUDA graph was captured already: make a new one");
#ifdef CODESSM_WITH_CUDA
  c10::cuda::CUDAGuard device_guard(device);
  // Capture needs a stream other than the legacy default one; the side stream starts after all queued work.
  c10::cuda::device_synchronize();
  auto side = c10::cuda::getStreamFromPool(/*isHighPriority=*/false, device.index());
  {
    c10::cuda::CUDAStreamGuard stream_guard(side);
    for (int i = 0; i < warmup; ++i) call();
    side.synchronize();
    impl_->graph.capture_begin();
    try {
      call();
    } catch (const std::exception& e) {
      // End the broken capture so that the stream, the allocator's pool routing and the RNG's capture state are
      // released (capture_end then fails on the invalidated capture; its error is the lesser one).
      try {
        impl_->graph.capture_end();
      } catch (const std::exception&) {
        cudaStreamCaptureStatus st = cudaStreamCaptureStatusNone;
        if (cudaStreamIsCapturing(side.stream(), &st) == cudaSuccess && st != cudaStreamCaptureStatusNone) {
          cudaGraph_t broken = nullptr;
          if (cudaStreamEndCapture(side.stream(), &broken) == cudaSuccess && broken) cudaGraphDestroy(broken);
        }
      }
      (void)cudaGetLastError();
      throw UsageError(fmt::format("CUDA graph capture failed (a synchronisation or host copy inside the call?): {}",
                                   e.what()));
    }
    impl_->graph.capture_end();
  }
  c10::cuda::device_synchronize();
  impl_->captured = true;
#else
  (void)call;
  (void)warmup;
  throw UsageError("CUDA graphs need a CUDA build of LibTorch (this build is CPU-only)");
#endif
}

void CudaGraph::replay() {
  CODESSM_REQUIRE(impl_->captured, UsageError, "replay of a CUDA graph that was not captured");
#ifdef CODESSM_WITH_CUDA
  impl_->graph.replay();
#endif
}

}  // namespace codessm::tensor
