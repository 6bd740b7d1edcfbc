// The one place where LibTorch version differences live (Debian's 1.13 CPU build vs PyTorch 2.x's
// LibTorch on the GPU machine; ../shared/docs/ecosystem.md §5). Everything else calls these wrappers.
#pragma once

#include <ATen/autocast_mode.h>
#include <torch/torch.h>
#include <torch/version.h>

#define CODESSM_TORCH_AT_LEAST(M, m) \
  (TORCH_VERSION_MAJOR > (M) || (TORCH_VERSION_MAJOR == (M) && TORCH_VERSION_MINOR >= (m)))

namespace codessm::tensor {

/// softmax(q kᵀ / √d + mask) v. q, k, v: r(B NH L HD); mask: additive r(B 1 1 L) or empty.
/// 2.x uses the fused public SDPA (flash / memory-efficient / cuDNN); 1.13 has only the private math path.
inline torch::Tensor sdpa(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                          const c10::optional<torch::Tensor>& mask, double dropout_p, bool causal) {
#if CODESSM_TORCH_AT_LEAST(2, 0)
  return at::scaled_dot_product_attention(q, k, v, mask, dropout_p, causal);
#else
  return std::get<0>(at::_scaled_dot_product_attention(q, k, v, mask, dropout_p, /*need_attn_weights=*/false, causal));
#endif
}

/// Turns autocast on/off for a device type with the given low-precision dtype.
inline void set_autocast(c10::DeviceType dev, bool on, at::ScalarType dt = at::kBFloat16) {
#if CODESSM_TORCH_AT_LEAST(2, 4)
  at::autocast::set_autocast_enabled(dev, on);
  at::autocast::set_autocast_dtype(dev, dt);
#else
  if (dev == c10::DeviceType::CUDA) {
    at::autocast::set_enabled(on);
    at::autocast::set_autocast_gpu_dtype(dt);
  } else {
    at::autocast::set_cpu_enabled(on);
    at::autocast::set_autocast_cpu_dtype(dt);
  }
#endif
  if (!on) at::autocast::clear_cache();
}

/// Sets the learning rate of every parameter group (1.13 has no warmup/cosine schedulers).
inline void set_lr(torch::optim::Optimizer& opt, double lr) {
  for (auto& g : opt.param_groups()) g.options().set_lr(lr);
}

/// TF32 for fp32 matrix products on CUDA ("high" precision) or full fp32 ("highest", LibTorch's default).
inline void set_matmul_tf32(bool on) { at::globalContext().setFloat32MatmulPrecision(on ? "high" : "highest"); }

/// LibTorch 1.13's oneDNN (mkldnn) backward of a grouped Conv1d (CodeSSM-HF's high-frequency path) returns
/// garbage on the CPU — Inf gradients in some runs, depending on threads and memory layout (found by the study's
/// tests; tests/model/hf_conv_cpu_test.cpp). Routing CPU convolutions to ATen's native kernels fixes it; the
/// project has no other convolution, so nothing else changes. PyTorch 2.x keeps oneDNN.
inline void avoid_broken_cpu_conv() {
#if !CODESSM_TORCH_AT_LEAST(2, 0)
  at::globalContext().setUserEnabledMkldnn(false);
#endif
}

/// A string naming the LibTorch build, for reports.
inline std::string torch_version_string() {
  return std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) + "." +
         std::to_string(TORCH_VERSION_PATCH);
}

}  // namespace codessm::tensor
