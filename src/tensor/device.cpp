#include "codessm/tensor/device.h"

#include "codessm/core/error.h"
#include "cuda_hooks.h"

namespace codessm::tensor {

torch::Device parse_device(const std::string& s) {
  if (s == "auto") return torch::cuda::is_available() ? torch::Device(torch::kCUDA, 0) : torch::Device(torch::kCPU);
  if (s == "cpu") return torch::Device(torch::kCPU);
  if (s.rfind("cuda", 0) == 0) {
    if (!torch::cuda::is_available()) {
      throw UsageError(fmt::format("device '{}' requested but this LibTorch build has no usable CUDA device; use --device cpu", s));
    }
    return torch::Device(s);
  }
  throw UsageError(fmt::format("unknown device '{}': use cpu, cuda, cuda:N or auto", s));
}

torch::Dtype parse_dtype(const std::string& s) {
  if (s == "fp32" || s == "float32" || s == "F32") return torch::kFloat32;
  if (s == "bf16" || s == "bfloat16" || s == "BF16") return torch::kBFloat16;
  if (s == "fp16" || s == "float16" || s == "F16") return torch::kFloat16;
  if (s == "fp64" || s == "float64" || s == "F64") return torch::kFloat64;
  throw UsageError(fmt::format("unknown dtype '{}': use fp32, bf16, fp16 or fp64", s));
}

std::string dtype_name(torch::Dtype dt) {
  switch (dt) {
    case torch::kFloat32: return "fp32";
    case torch::kBFloat16: return "bf16";
    case torch::kFloat16: return "fp16";
    case torch::kFloat64: return "fp64";
    default: return std::string(c10::toString(dt));
  }
}

void set_seed(uint64_t seed) { torch::manual_seed(seed); }

int64_t cuda_peak_memory_bytes(const torch::Device& dev) { return detail::cuda_peak_memory(dev); }
void cuda_reset_peak_memory(const torch::Device& dev) { detail::cuda_reset_peak(dev); }
void synchronize(const torch::Device& dev) {
  if (dev.is_cuda()) detail::cuda_sync(dev);
}

}  // namespace codessm::tensor
