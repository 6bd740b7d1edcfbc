// codessm-requires: kernels
// Kernel benchmarks on the CPU: S4D kernel materialisation and the FFT causal convolution, each beside its
// reference twin. Validates before timing (llm.c style): the fast path must match the float64 reference.
//   build/benchmarks/bench_kernels --benchmark_min_time=0.2
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "codessm/kernels/fft_conv.h"
#include "codessm/kernels/s4d_kernel.h"

using namespace codessm;

namespace {

struct S4DParams {
  torch::Tensor log_step, A_re, A_im, C;
};

S4DParams params(int64_t k, int64_t N) {
  torch::manual_seed(0);
  return {torch::empty({k}).uniform_(std::log(0.01), 0.0), -0.5 * torch::ones({k, N}), M_PI * torch::arange(N).repeat({k, 1}).to(torch::kFloat),
          torch::randn({k, N, 2}) * std::sqrt(0.5)};
}

void validate() {
  auto p = params(8, 64);
  auto fast = kernels::s4d_kernel(p.log_step, p.A_re, p.A_im, p.C, 512);
  auto ref = kernels::s4d_kernel_reference(p.log_step, p.A_re, p.A_im, p.C, 512);
  double e1 = (fast.to(torch::kFloat64) - ref).abs().max().item<double>() / ref.abs().max().item<double>();
  auto u = torch::randn({2, 16, 1000});
  auto k = torch::randn({4, 1000}) * torch::exp(-0.01 * torch::arange(1000));
  auto y = kernels::fft_causal_conv(u, k);
  auto yr = kernels::direct_causal_conv_reference(u, k);
  double e2 = (y.to(torch::kFloat64) - yr).abs().max().item<double>() / yr.abs().max().item<double>();
  if (e1 > 1e-5 || e2 > 1e-5) {
    std::fprintf(stderr, "validation failed: s4d %.3g, fft conv %.3g\n", e1, e2);
    std::exit(1);
  }
  std::fprintf(stderr, "All results match (s4d kernel rel err %.2g, fft conv rel err %.2g). Starting benchmarks.\n", e1, e2);
}

void BM_S4DKernel(benchmark::State& st) {
  auto p = params(st.range(0), 64);
  torch::NoGradGuard g;
  for (auto _ : st) benchmark::DoNotOptimize(kernels::s4d_kernel(p.log_step, p.A_re, p.A_im, p.C, st.range(1)));
  st.SetItemsProcessed(st.iterations() * st.range(0) * st.range(1));
}
BENCHMARK(BM_S4DKernel)->Args({1, 2048})->Args({8, 2048})->Args({1024, 256})->Unit(benchmark::kMicrosecond);

void BM_S4DKernelReference(benchmark::State& st) {
  auto p = params(st.range(0), 64);
  for (auto _ : st) benchmark::DoNotOptimize(kernels::s4d_kernel_reference(p.log_step, p.A_re, p.A_im, p.C, st.range(1)));
}
BENCHMARK(BM_S4DKernelReference)->Args({1, 2048})->Unit(benchmark::kMicrosecond);

void BM_FftConv(benchmark::State& st) {
  const int64_t L = st.range(0);
  auto u = torch::randn({1, 256, L});
  auto k = torch::randn({1, L});
  torch::NoGradGuard g;
  for (auto _ : st) benchmark::DoNotOptimize(kernels::fft_causal_conv(u, k));
  st.SetItemsProcessed(st.iterations() * 256 * L);
}
BENCHMARK(BM_FftConv)->Arg(256)->Arg(1024)->Arg(4096)->Unit(benchmark::kMicrosecond);

void BM_DirectConvReference(benchmark::State& st) {
  const int64_t L = st.range(0);
  auto u = torch::randn({1, 256, L});
  auto k = torch::randn({1, L});
  for (auto _ : st) benchmark::DoNotOptimize(kernels::direct_causal_conv_reference(u, k));
  st.SetItemsProcessed(st.iterations() * 256 * L);
}
BENCHMARK(BM_DirectConvReference)->Arg(256)->Arg(1024)->Unit(benchmark::kMicrosecond);

}  // namespace

int main(int argc, char** argv) {
  validate();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
