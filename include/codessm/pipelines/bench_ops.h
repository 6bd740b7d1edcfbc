// Wiring for `codessm bench forward` and `codessm bench train`: tokens/s and peak memory of a model's forward
// pass and of a whole training step (forward, backward, clipping, AdamW) over shapes, on the CPU or a GPU.
// Speed is measured here, never asserted in tests; bench/results/ keeps figures with command, machine, date.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace codessm::pipelines {

namespace fs = std::filesystem;

/// Implementation choices both benchmarks can switch, for before/after rows in one run.
struct BenchImplOptions {
  std::string conv = "toeplitz";      ///< SSM convolution: toeplitz (tensor cores) or fft (the reference twin)
  int64_t chunk = 0;                  ///< Toeplitz block size (0: automatic, kernels::auto_chunk)
  int64_t tiles = 0;                  ///< the dense block's diagonal tiles, zero half skipped (0: kernels::auto_tiles)
  bool unfused = false;               ///< LibTorch ops instead of the fused CUDA kernels (gate, column sums)
  bool plain_bias_grad = false;       ///< LibTorch's sum(0) for the linear layers' bias gradients only
  bool plain_toeplitz_grad = false;   ///< dT of the local Toeplitz block by bmm and a batch sum (not cuBLAS accumulation)
  bool plain_layer_norm = false;      ///< LayerNorm's forward by LibTorch's kernel (not kernels/cuda/layer_norm.cu)
  bool bf16_state = false;            ///< the convolution's state path in the activations' dtype (the default)
  bool fp32_state = false;            ///< the convolution's state path in fp32 (TF32) instead
  bool mask_host_check = false;       ///< BiGS: the host checks for padding before the layers (a sync per forward)
  std::string attention = "fused";    ///< Transformers: fused SDPA kernels, or math (quadratic memory, the papers')
  bool profile = false;               ///< after timing, 3 more iterations with synchronising section timers
};

struct BenchForwardOptions {
  std::string model = "codessm-base"; ///< preset or checkpoint
  std::vector<std::string> overrides;
  std::vector<int64_t> lengths{512, 1024, 2048, 4096};
  int64_t batch = 16;
  std::string device = "auto";
  /// fp32; tf32 (CUDA matmuls); bf16: weights and activations in bf16 (SSM parameters stay fp32), as a model
  /// loaded with torch_dtype=bfloat16; bf16-autocast: fp32 weights under autocast (training's precision).
  /// With --backward, bf16 means bf16-autocast.
  std::string dtype = "fp32";
  int warmup = 2, iters = 5;
  bool backward = false;              ///< time forward+backward (a training step without the optimizer)
  bool cuda_graph = false;            ///< forward only: capture one forward per length as a CUDA graph, time replays
  BenchImplOptions impl;
  fs::path out;                       ///< folder for bench_forward.json/.md ("" = print only)
};
nlohmann::json run_bench_forward(const BenchForwardOptions& o);

struct BenchTrainOptions {
  std::string model = "codessm-base"; ///< preset or checkpoint (an MLM model)
  std::vector<std::string> overrides;
  std::vector<std::string> shapes{"8x2048", "32x512"};  ///< BATCHxLENGTH per row
  std::string device = "auto";
  std::string dtype = "bf16-master";  ///< the trainer's: bf16-master (train::MasterWeights), bf16 (autocast), tf32, fp32
  int warmup = 3, iters = 10;
  double mlm_probability = 0.15;      ///< share of positions scored (random ids, BERT-style selection)
  bool full_head = false;             ///< score the vocabulary at every position, then select (the old way)
  bool plain_adamw = false;           ///< LibTorch's per-tensor AdamW instead of the fused one
  bool unfused_step = false;          ///< bf16-master: fp32 gradient copies, clipping, AdamW, rounding as passes of their own
  BenchImplOptions impl;
  fs::path out;                       ///< folder for bench_train.json/.md
};
nlohmann::json run_bench_train(const BenchTrainOptions& o);

}  // namespace codessm::pipelines
