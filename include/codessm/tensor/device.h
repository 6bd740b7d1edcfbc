// Device and dtype parsing, seeding, and the dimension legend used in shape comments everywhere:
//   B batch, L sequence length, D model width (hidden_size), I intermediate width, N SSM state size,
//   K number of SSM kernels per block, NH attention heads, HD head dim, V vocabulary.
#pragma once

#include <torch/torch.h>

#include <string>

namespace codessm::tensor {

/// "cpu", "cuda", "cuda:1" or "auto" (CUDA when available). Throws UsageError otherwise.
torch::Device parse_device(const std::string& s);

/// "fp32"/"float32", "bf16"/"bfloat16", "fp16", "fp64". Throws UsageError otherwise.
torch::Dtype parse_dtype(const std::string& s);
std::string dtype_name(torch::Dtype dt);

/// Seeds LibTorch's global generators (CPU and CUDA). Called once at pipeline entry.
void set_seed(uint64_t seed);

/// Peak memory allocated on a CUDA device since the last reset, bytes (0 on CPU builds).
int64_t cuda_peak_memory_bytes(const torch::Device& dev);
void cuda_reset_peak_memory(const torch::Device& dev);
void synchronize(const torch::Device& dev);

}  // namespace codessm::tensor
