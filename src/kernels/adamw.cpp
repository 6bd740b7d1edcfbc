// Dispatch of adamw_step and global_norm: the multi-tensor CUDA kernels (src/kernels/cuda/adamw.cu) with tables
// built here and copied asynchronously from page-locked memory; LibTorch ops per tensor elsewhere.
#include "codessm/kernels/adamw.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <map>
#include <tuple>

#include "codessm/core/error.h"

#ifdef CODESSM_HAVE_CUDA_KERNELS
#include <c10/cuda/CUDAStream.h>

#include "cuda/adamw_launch.h"
#include "cuda_dispatch.h"
#endif

namespace codessm::kernels {

namespace {

void check_tensors(const AdamWTensors& t) {
  const size_t n = t.params.size();
  CODESSM_REQUIRE(t.grads.size() == n && t.exp_avgs.size() == n && t.exp_avg_sqs.size() == n && t.steps.size() == n &&
                      (t.outputs.empty() || t.outputs.size() == n),
                  UsageError, "adamw_step: the lists must have one entry per parameter ({})", n);
  for (size_t i = 0; i < n; ++i) {
    const auto& p = t.params[i];
    CODESSM_REQUIRE(p.scalar_type() == torch::kFloat32 && t.exp_avgs[i].scalar_type() == torch::kFloat32 &&
                        t.exp_avg_sqs[i].scalar_type() == torch::kFloat32,
                    UsageError, "adamw_step: parameters and moments must be fp32 (tensor {})", i);
    CODESSM_REQUIRE(t.grads[i].numel() == p.numel() && t.exp_avgs[i].numel() == p.numel() &&
                        t.exp_avg_sqs[i].numel() == p.numel() &&
                        (t.outputs.empty() || !t.outputs[i].defined() || t.outputs[i].numel() == p.numel()),
                    UsageError, "adamw_step: tensor {} has mismatched sizes", i);
    CODESSM_REQUIRE(t.steps[i].step >= 1, UsageError, "adamw_step: step counts start at 1 (tensor {})", i);
  }
}

/// The LibTorch form, per tensor in fp32 (also the CPU path).
void adamw_step_ops(const AdamWTensors& t, double scale) {
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < t.params.size(); ++i) {
    const auto& s = t.steps[i];
    auto p = t.params[i], m = t.exp_avgs[i], v = t.exp_avg_sqs[i];
    auto g = t.grads[i].to(torch::kFloat32).reshape(p.sizes()) * scale;
    p.mul_(1 - s.lr * s.weight_decay);
    m.lerp_(g, 1 - s.beta1);
    v.mul_(s.beta2).addcmul_(g, g, 1 - s.beta2);
    const double bias1 = 1 - std::pow(s.beta1, static_cast<double>(s.step));
    const double bias2_sqrt = std::sqrt(1 - std::pow(s.beta2, static_cast<double>(s.step)));
    p.addcdiv_(m, v.sqrt().div_(bias2_sqrt).add_(s.eps), -s.lr / bias1);
    if (!t.outputs.empty() && t.outputs[i].defined()) t.outputs[i].copy_(p.reshape(t.outputs[i].sizes()));
  }
}

#ifdef CODESSM_HAVE_CUDA_KERNELS
bool aligned(const void* p, uintptr_t a) { return reinterpret_cast<uintptr_t>(p) % a == 0; }

/// A launch's segment and block tables on the device (upload).
struct Tables {
  torch::Tensor device;  // keeps the tables alive until the launch is queued
  const cuda::AdamWSegment* segs = nullptr;
  const cuda::AdamWBlock* blocks = nullptr;
  int64_t n_blocks = 0;
};

/// Builds the block table of `segs` (one block per kAdamWChunk elements), writes both tables into one
/// page-locked buffer and copies it to the device asynchronously.
Tables upload(const std::vector<cuda::AdamWSegment>& segs, const torch::Device& dev) {
  std::vector<cuda::AdamWBlock> blocks;
  for (size_t k = 0; k < segs.size(); ++k)
    for (int64_t s = 0; s < segs[k].n; s += cuda::kAdamWChunk) blocks.push_back({static_cast<int32_t>(k), 0, s});
  const size_t seg_bytes = segs.size() * sizeof(cuda::AdamWSegment);
  const size_t bytes = seg_bytes + blocks.size() * sizeof(cuda::AdamWBlock);
  auto host = torch::empty({static_cast<int64_t>(bytes)}, torch::TensorOptions(torch::kUInt8).pinned_memory(true));
  std::memcpy(host.data_ptr(), segs.data(), seg_bytes);
  std::memcpy(static_cast<char*>(host.data_ptr()) + seg_bytes, blocks.data(), bytes - seg_bytes);
  Tables t;
  t.device = host.to(dev, torch::kUInt8, /*non_blocking=*/true);
  t.segs = reinterpret_cast<const cuda::AdamWSegment*>(t.device.data_ptr());
  t.blocks = reinterpret_cast<const cuda::AdamWBlock*>(static_cast<const char*>(t.device.data_ptr()) + seg_bytes);
  t.n_blocks = static_cast<int64_t>(blocks.size());
  return t;
}

void check_cuda(cudaError_t e, const char* what) {
  CODESSM_CHECK(e == cudaSuccess, "{}: CUDA error {}", what, cudaGetErrorString(e));
}

bool kernel_dtype(torch::ScalarType d) {
  return d == torch::kFloat32 || d == torch::kBFloat16 || d == torch::kHalf;
}
#endif

}  // namespace

bool adamw_step_is_fused(const torch::Tensor& param) {
#ifdef CODESSM_HAVE_CUDA_KERNELS
  return param.is_cuda();
#else
  (void)param;
  return false;
#endif
}

void adamw_step(const AdamWTensors& t, double grad_scale, const NormClip* clip) {
  check_tensors(t);
  if (t.params.empty()) return;
  if (clip) {
    CODESSM_REQUIRE(clip->norm.defined() && clip->norm.numel() == 1 && clip->norm.scalar_type() == torch::kFloat32 &&
                        clip->norm.device() == t.params[0].device(),
                    UsageError, "adamw_step: the clipping norm must be one fp32 value on the parameters' device");
  }
#ifdef CODESSM_HAVE_CUDA_KERNELS
  bool fused = adamw_step_is_fused(t.params[0]);
  for (size_t i = 0; i < t.params.size() && fused; ++i) {
    fused = t.params[i].is_cuda() && t.params[i].is_contiguous() && t.exp_avgs[i].is_contiguous() &&
            t.exp_avg_sqs[i].is_contiguous() && t.grads[i].is_contiguous() && kernel_dtype(t.grads[i].scalar_type()) &&
            (t.outputs.empty() || !t.outputs[i].defined() ||
             (t.outputs[i].is_contiguous() && kernel_dtype(t.outputs[i].scalar_type()))) &&
            t.steps[i].beta1 == t.steps[0].beta1 && t.steps[i].beta2 == t.steps[0].beta2 &&
            t.steps[i].eps == t.steps[0].eps;
  }
  if (fused) {
    torch::NoGradGuard no_grad;
    // One launch per (gradient dtype, output dtype or none): the kernels are templated on both.
    std::map<std::tuple<int, bool, int>, std::vector<cuda::AdamWSegment>> groups;
    for (size_t i = 0; i < t.params.size(); ++i) {
      const auto& s = t.steps[i];
      const bool has_out = !t.outputs.empty() && t.outputs[i].defined();
      cuda::AdamWSegment seg{};
      seg.p = t.params[i].data_ptr<float>();
      seg.m = t.exp_avgs[i].data_ptr<float>();
      seg.v = t.exp_avg_sqs[i].data_ptr<float>();
      seg.g = t.grads[i].data_ptr();
      seg.out = has_out ? t.outputs[i].data_ptr() : nullptr;
      seg.n = t.params[i].numel();
      seg.lr = static_cast<float>(s.lr);
      seg.weight_decay = static_cast<float>(s.weight_decay);
      seg.bias1 = static_cast<float>(1 - std::pow(s.beta1, static_cast<double>(s.step)));
      seg.bias2_sqrt = static_cast<float>(std::sqrt(1 - std::pow(s.beta2, static_cast<double>(s.step))));
      const uintptr_t ga = 4 * t.grads[i].element_size(), oa = has_out ? 4 * t.outputs[i].element_size() : 1;
      seg.vec = aligned(seg.p, 16) && aligned(seg.m, 16) && aligned(seg.v, 16) && aligned(seg.g, ga) &&
                (!has_out || aligned(seg.out, oa));
      const auto key = std::make_tuple(static_cast<int>(t.grads[i].scalar_type()), has_out,
                                       has_out ? static_cast<int>(t.outputs[i].scalar_type()) : 0);
      groups[key].push_back(seg);
    }
    const auto stream = c10::cuda::getCurrentCUDAStream();
    const auto& s0 = t.steps[0];
    const cuda::AdamWScale factor{static_cast<float>(grad_scale), clip ? clip->norm.data_ptr<float>() : nullptr,
                                  clip ? static_cast<float>(clip->norm_scale) : 1.f,
                                  clip ? static_cast<float>(clip->max_norm) : 0.f};
    for (auto& [key, segs] : groups) {
      auto tab = upload(segs, t.params[0].device());
      const auto gt = static_cast<torch::ScalarType>(std::get<0>(key));
      const bool has_out = std::get<1>(key);
      const auto ot = has_out ? static_cast<torch::ScalarType>(std::get<2>(key)) : torch::kFloat32;
      check_cuda(cuda::adamw_step(cuda::elem_type(gt), has_out, cuda::elem_type(ot), tab.segs, tab.blocks, tab.n_blocks,
                                  static_cast<float>(s0.beta1), static_cast<float>(s0.beta2),
                                  static_cast<float>(s0.eps), factor, stream),
                 "adamw_step");
    }
    return;
  }
#endif
  double scale = grad_scale;
  if (clip) {
    const double n = clip->norm.item<double>() * clip->norm_scale;
    if (!std::isfinite(n)) return;  // skipped, as on the device
    scale *= clip_factor(n, clip->max_norm);
  }
  adamw_step_ops(t, scale);
}

double clip_factor(double norm, double max_norm) {
  if (max_norm <= 0 || !std::isfinite(norm)) return 1.0;
  return std::min(1.0, max_norm / (norm + 1e-6));
}

std::vector<torch::Tensor> adamw_step_reference(const torch::Tensor& param, const torch::Tensor& grad,
                                                const torch::Tensor& exp_avg, const torch::Tensor& exp_avg_sq,
                                                const AdamWStep& s, double grad_scale) {
  auto d = [](const torch::Tensor& x) { return x.detach().to(torch::kCPU, torch::kFloat64).clone(); };
  auto p = d(param), g = d(grad).reshape(p.sizes()) * grad_scale, m = d(exp_avg), v = d(exp_avg_sq);
  p = p * (1 - s.lr * s.weight_decay);
  m = s.beta1 * m + (1 - s.beta1) * g;
  v = s.beta2 * v + (1 - s.beta2) * g * g;
  const double bias1 = 1 - std::pow(s.beta1, static_cast<double>(s.step));
  const double bias2 = 1 - std::pow(s.beta2, static_cast<double>(s.step));
  p = p - (s.lr / bias1) * m / (torch::sqrt(v / bias2) + s.eps);
  return {p, m, v};
}

torch::Tensor global_norm(const std::vector<torch::Tensor>& tensors) {
  CODESSM_REQUIRE(!tensors.empty(), UsageError, "global_norm: no tensors");
  bool f64 = false;
  for (auto& x : tensors) f64 = f64 || x.scalar_type() == torch::kFloat64;
#ifdef CODESSM_HAVE_CUDA_KERNELS
  bool fused = !f64;
  for (auto& x : tensors) fused = fused && x.is_cuda() && x.is_contiguous() && kernel_dtype(x.scalar_type());
  if (fused) {
    torch::NoGradGuard no_grad;
    std::map<int, std::vector<cuda::AdamWSegment>> groups;  // by dtype
    for (auto& x : tensors) {
      cuda::AdamWSegment seg{};
      seg.g = x.data_ptr();
      seg.n = x.numel();
      groups[static_cast<int>(x.scalar_type())].push_back(seg);
    }
    const auto stream = c10::cuda::getCurrentCUDAStream();
    std::vector<torch::Tensor> sums;
    for (auto& [dt, segs] : groups) {
      auto tab = upload(segs, tensors[0].device());
      // every block writes its partial; no blocks (only empty tensors): one zero
      auto partial = tab.n_blocks > 0 ? torch::empty({tab.n_blocks}, tensors[0].options().dtype(torch::kFloat32))
                                      : torch::zeros({1}, tensors[0].options().dtype(torch::kFloat32));
      check_cuda(cuda::sum_squares(cuda::elem_type(static_cast<torch::ScalarType>(dt)), tab.segs, tab.blocks, tab.n_blocks, partial.data_ptr<float>(), stream),
                 "global_norm");
      sums.push_back(partial.sum());
    }
    return torch::stack(sums).sum().sqrt();
  }
#endif
  std::vector<torch::Tensor> norms;
  for (auto& x : tensors) norms.push_back(x.detach().to(f64 ? torch::kFloat64 : torch::kFloat32).norm(2));
  return torch::stack(norms).norm(2);
}

}  // namespace codessm::kernels
