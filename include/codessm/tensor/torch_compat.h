// The one place where LibTorch version differences live (Debian's 1.13 CPU build vs PyTorch 2.x's
// LibTorch on the GPU machine; ../shared/docs/ecosystem.md §5). Everything else calls these wrappers.
#pragma once

#include <ATen/autocast_mode.h>
#include <c10/core/DispatchKeySet.h>
#include <c10/core/impl/LocalDispatchKeySet.h>
#include <torch/torch.h>
#include <torch/version.h>

#include <cmath>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#define CODESSM_TORCH_AT_LEAST(M, m) \
  (TORCH_VERSION_MAJOR > (M) || (TORCH_VERSION_MAJOR == (M) && TORCH_VERSION_MINOR >= (m)))

namespace codessm::tensor {

/// softmax(q kᵀ·scale + mask) v. q, k, v: r(B NH L HD); mask: additive r(B 1 1 L) or empty; scale ≤ 0 means
/// 1/√HD. 2.x uses the fused public SDPA (flash / memory-efficient / cuDNN); 1.13 has only the private math
/// path, without a scale argument (q is pre-scaled there when a scale is given).
inline torch::Tensor sdpa(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                          const c10::optional<torch::Tensor>& mask, double dropout_p, bool causal,
                          double scale = 0.0) {
#if CODESSM_TORCH_AT_LEAST(2, 1)
  c10::optional<double> s;
  if (scale > 0) s = scale;
  return at::scaled_dot_product_attention(q, k, v, mask, dropout_p, causal, s);
#elif CODESSM_TORCH_AT_LEAST(2, 0)
  auto qs = scale > 0 ? q * (scale * std::sqrt(static_cast<double>(q.size(-1)))) : q;
  return at::scaled_dot_product_attention(qs, k, v, mask, dropout_p, causal);
#else
  auto qs = scale > 0 ? q * (scale * std::sqrt(static_cast<double>(q.size(-1)))) : q;
  return std::get<0>(at::_scaled_dot_product_attention(qs, k, v, mask, dropout_p, /*need_attn_weights=*/false, causal));
#endif
}

/// Restricts SDPA to its math path (true: the quadratic-memory attention of the papers' RoCoder, for the
/// memory-vs-length comparison) or re-enables the fused kernels (false). CUDA, 2.x only; a no-op otherwise.
inline void set_sdpa_math_only(bool on) {
#if CODESSM_TORCH_AT_LEAST(2, 0)
  at::globalContext().setSDPUseFlash(!on);
  at::globalContext().setSDPUseMemEfficient(!on);
#if CODESSM_TORCH_AT_LEAST(2, 3)
  at::globalContext().setSDPUseCuDNN(!on);
#endif
#else
  (void)on;
#endif
}

/// The head dimension to run attention at: the fused CUDA kernels (flash, memory-efficient) need a multiple
/// of 8, so on CUDA with 2.1+ (which takes an explicit scale) HD is rounded up and q, k, v are zero-padded
/// (zeros change no dot product and no output column that is kept); elsewhere HD itself.
inline int64_t sdpa_head_dim(int64_t HD, const torch::Device& dev) {
#if CODESSM_TORCH_AT_LEAST(2, 1)
  if (dev.is_cuda()) return (HD + 7) / 8 * 8;
#endif
  (void)dev;
  return HD;
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

/// Suspends autocast (every device) for the lifetime of the scope by excluding its dispatch keys — the way
/// autocast's own kernels call through — so that ops inside run in the dtypes they are given (the fp32 state
/// path of the SSM convolution) and autocast's weight cache is left alone. Same API in 1.13 and 2.x.
struct AutocastSuspend {
  c10::impl::ExcludeDispatchKeyGuard guard{c10::autocast_dispatch_keyset};
};

/// Sets the learning rate of every parameter group (1.13 has no warmup/cosine schedulers).
inline void set_lr(torch::optim::Optimizer& opt, double lr) {
  for (auto& g : opt.param_groups()) g.options().set_lr(lr);
}

/// TF32 for fp32 matrix products on CUDA ("high" precision) or full fp32 ("highest", LibTorch's default).
inline void set_matmul_tf32(bool on) { at::globalContext().setFloat32MatmulPrecision(on ? "high" : "highest"); }

/// The key of a parameter in torch::optim::Optimizer's protected `state_` map: its TensorImpl address printed
/// as a string in 1.13 (c10::guts::to_string), the address itself in 2.x.
template <typename Map>
auto optimizer_state_key(const Map& /*state*/, const torch::Tensor& p) {
  if constexpr (std::is_same_v<typename Map::key_type, std::string>) {
    std::ostringstream s;
    s << p.unsafeGetTensorImpl();
    return s.str();
  } else {
    return static_cast<typename Map::key_type>(p.unsafeGetTensorImpl());
  }
}

/// dst[i].copy_(src[i]) for every i, the dtypes of dst and src may differ (bf16 weights from fp32 masters, fp32
/// gradients from bf16 ones): one multi-tensor kernel per chunk of tensors where LibTorch has _foreach_copy_
/// (2.2+; its CUDA kernel converts dtypes), one copy_ per tensor elsewhere. Sizes and strides must match pairwise.
inline void foreach_copy(const std::vector<torch::Tensor>& dst, const std::vector<torch::Tensor>& src) {
  TORCH_CHECK(dst.size() == src.size(), "foreach_copy: ", dst.size(), " destinations for ", src.size(), " sources");
  if (dst.empty()) return;
#if CODESSM_TORCH_AT_LEAST(2, 2)
  at::_foreach_copy_(dst, src);
#else
  for (size_t i = 0; i < dst.size(); ++i) dst[i].copy_(src[i]);
#endif
}

/// Whether at::_fused_adamw_ (one multi-tensor kernel for the whole AdamW update) exists for these tensors:
/// PyTorch ≥ 2.1 on CUDA.
inline bool has_fused_adamw(const torch::Tensor& p) {
#if CODESSM_TORCH_AT_LEAST(2, 1)
  return p.is_cuda();
#else
  (void)p;
  return false;
#endif
}

/// AdamW over lists of tensors with at::_fused_adamw_. `steps`: float32 device scalars already incremented
/// to this update's step count (as torch.optim.AdamW does before its fused call). Only when has_fused_adamw.
inline void fused_adamw(const std::vector<torch::Tensor>& params, const std::vector<torch::Tensor>& grads,
                        const std::vector<torch::Tensor>& exp_avgs, const std::vector<torch::Tensor>& exp_avg_sqs,
                        const std::vector<torch::Tensor>& steps, double lr, double beta1, double beta2,
                        double weight_decay, double eps) {
#if CODESSM_TORCH_AT_LEAST(2, 1)
  at::_fused_adamw_(params, grads, exp_avgs, exp_avg_sqs, /*max_exp_avg_sqs=*/{}, steps, lr, beta1, beta2,
                    weight_decay, eps, /*amsgrad=*/false, /*maximize=*/false);
#else
  (void)params, (void)grads, (void)exp_avgs, (void)exp_avg_sqs, (void)steps, (void)lr, (void)beta1, (void)beta2,
      (void)weight_decay, (void)eps;
  TORCH_CHECK(false, "fused AdamW needs LibTorch >= 2.1 on CUDA");
#endif
}

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
