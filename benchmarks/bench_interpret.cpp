// codessm-requires: interpret model
// Speed of `codessm interpret` on a codessm-base checkpoint (12 layers, d 1024, ~790 MB): the target is the
// analysis in ≤ 1 s after loading on 2 CPU cores, with loading limited by the disk (only the SSM tensors are
// read through the mmap store). The checkpoint is $CODESSM_BENCH_BASE_CKPT, else /tmp/codessm-base-bench,
// created on first use (as `codessm model init codessm-base --out /tmp/codessm-base-bench` would).
// Results: bench/results/interpret.md.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>

#include "codessm/config/presets.h"
#include "codessm/interpret/checkpoint_kernels.h"
#include "codessm/interpret/kernel_analysis.h"
#include "codessm/interpret/kernel_spectrum.h"
#include "codessm/model/checkpoint.h"
#include "codessm/model/code_model.h"
#include "codessm/tensor/safetensors.h"

namespace {

namespace fs = std::filesystem;
using namespace codessm;

const fs::path& base_checkpoint() {
  static const fs::path dir = [] {
    const char* env = std::getenv("CODESSM_BENCH_BASE_CKPT");
    fs::path d = env ? fs::path(env) : fs::path("/tmp/codessm-base-bench");
    if (!fs::exists(d / "config.json")) {
      torch::manual_seed(0);
      model::CodeModel m(config::make_preset("codessm-base"));
      model::save_pretrained(m, d);
    }
    return d;
  }();
  return dir;
}

/// The SSM tensors of the checkpoint, loaded once (what analyze_checkpoint reads before analysing).
const std::map<std::string, torch::Tensor>& base_tensors() {
  static const auto tensors = [] {
    tensor::SafetensorsStore store(base_checkpoint());
    interpret::StoreTensorSource src(store);
    std::map<std::string, torch::Tensor> t;
    for (auto& n : interpret::kernel_tensor_names(src, interpret::find_kernel_layout(src.names()))) t[n] = src.load(n);
    return t;
  }();
  return tensors;
}

/// Open the store (parse every shard's header), find the layout, copy out the SSM tensors: the load phase.
void BM_LoadSsmTensors(benchmark::State& state) {
  const auto dir = base_checkpoint();
  for (auto _ : state) {
    tensor::SafetensorsStore store(dir);
    interpret::StoreTensorSource src(store);
    int64_t bytes = 0;
    for (auto& n : interpret::kernel_tensor_names(src, interpret::find_kernel_layout(src.names())))
      bytes += src.load(n).nbytes();
    benchmark::DoNotOptimize(bytes);
    state.counters["ssm_bytes"] = static_cast<double>(bytes);
  }
}
BENCHMARK(BM_LoadSsmTensors)->Unit(benchmark::kMillisecond);

/// The analysis after loading: 24 kernels materialised at L = 2048 in float64, rfft, metrics, classes, pairs.
/// Arg 1 keeps every curve (as the CLI does for its figures), 0 keeps none (as a trainer would).
void BM_AnalyzeBase(benchmark::State& state) {
  const auto cfg = model::load_config(base_checkpoint());
  interpret::AnalysisOptions o;
  o.keep_curves = state.range(0) ? -1 : 0;
  for (auto _ : state) {
    auto r = interpret::analyze_named_tensors(base_tensors(), cfg, o);
    benchmark::DoNotOptimize(r.filters.data());
    state.counters["filters"] = static_cast<double>(r.filters.size());
    state.counters["L"] = static_cast<double>(r.length);
  }
}
BENCHMARK(BM_AnalyzeBase)->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond);

/// End to end as `codessm interpret` runs it (without writing the report).
void BM_AnalyzeCheckpointBase(benchmark::State& state) {
  interpret::AnalysisOptions o;
  for (auto _ : state) {
    auto r = interpret::analyze_checkpoint(base_checkpoint(), o);
    state.counters["load_s"] = r.load_seconds;
    state.counters["analyze_s"] = r.analyze_seconds;
  }
}
BENCHMARK(BM_AnalyzeCheckpointBase)->Unit(benchmark::kMillisecond);

/// The spectrum step alone (torch::fft rfft, float64): rows × L. 24 × 2048 is codessm-base; 2048 × 2048 is a
/// 1024-kernel model's 12 layers × 2 directions ÷ 12.
void BM_RfftSpectra(benchmark::State& state) {
  auto k = torch::randn({state.range(0), state.range(1)}, torch::kFloat64);
  for (auto _ : state) benchmark::DoNotOptimize(interpret::kernel_spectra(k).magnitude.data_ptr<double>());
}
BENCHMARK(BM_RfftSpectra)->Args({24, 2048})->Args({2048, 2048})->Unit(benchmark::kMicrosecond);

}  // namespace

int main(int argc, char** argv) {
  torch::set_num_threads(2);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
