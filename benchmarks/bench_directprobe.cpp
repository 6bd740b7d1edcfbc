// codessm-requires: probe
// DirectProbe benchmarks: the whole greedy run on Gaussian mixtures, one overlap test, one
// nearest-hull distance. Validates before timing (llm.c habit): the run with every shortcut must
// give the same clusters as the LP-only, cache-free run, or the benchmark aborts.
//   ./bench_directprobe --benchmark_filter=Run
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>

#include "../tests/probe/synthetic.h"
#include "codessm/probe/directprobe.h"
#include "codessm/probe/hull_distance.h"
#include "codessm/probe/lp_separation.h"

namespace {

using namespace codessm::probe;

LabeledPoints mixture(int n, int d, int labels, double noise) {
  test::MixtureSpec s;
  s.n = n;
  s.d = d;
  s.labels = labels;
  s.label_noise = noise;
  s.seed = 4;
  return test::make_mixture(s);
}

DirectProbeOptions quiet(int threads) {
  DirectProbeOptions o;
  o.progress = false;
  o.record_merges = false;
  o.threads = threads;
  return o;
}

void validate() {
  const LabeledPoints t = mixture(400, 16, 3, 0.3);
  DirectProbeOptions plain = quiet(1);
  plain.use_caches = false;
  plain.lp.precheck_iterations = 0;
  const DirectProbeResult a = run_directprobe(t, 3, quiet(0)), b = run_directprobe(t, 3, plain);
  bool same = a.clusters.size() == b.clusters.size();
  for (size_t k = 0; same && k < a.clusters.size(); ++k) same = a.clusters[k].members == b.clusters[k].members;
  if (!same) {
    std::fprintf(stderr, "bench_directprobe: shortcuts changed the clusters; not timing\n");
    std::exit(1);
  }
  std::fprintf(stderr, "bench_directprobe: results match (%zu clusters). Starting benchmarks.\n", a.clusters.size());
}

/// Args: n, d, labels, label noise ‰, threads.
void BM_Run(benchmark::State& state) {
  const LabeledPoints t = mixture(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)),
                                  static_cast<int>(state.range(2)), state.range(3) / 1000.0);
  DirectProbeResult r;
  for (auto _ : state) r = run_directprobe(t, static_cast<int>(state.range(2)), quiet(static_cast<int>(state.range(4))));
  state.counters["clusters"] = static_cast<double>(r.clusters.size());
  state.counters["overlap_tests"] = static_cast<double>(r.stats.overlap_tests);
  state.counters["lp_solves"] = static_cast<double>(r.stats.lp_solves);
}
BENCHMARK(BM_Run)
    ->Args({1000, 32, 4, 300, 0})
    ->Args({1000, 64, 5, 900, 0})
    ->Args({2000, 64, 5, 500, 0})
    ->Args({2000, 64, 5, 500, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

/// One overlap test of two 64-D clouds of `n` points; arg 1: centre shift ×10 (0: overlapping).
void BM_SeparateHulls(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0)), d = 64;
  std::mt19937 rng(1);
  std::normal_distribution<double> g;
  Embeddings x;
  x.n = 2 * n;
  x.d = d;
  x.values.resize(2 * n * d);
  std::vector<int> a, b;
  for (int i = 0; i < 2 * n; ++i) {
    for (int k = 0; k < d; ++k) x.values[i * d + k] = g(rng) + (i >= n && k == 0 ? state.range(1) / 10.0 : 0.0);
    (i < n ? a : b).push_back(i);
  }
  SeparationOptions opt;
  opt.precheck_iterations = static_cast<int>(state.range(2));
  for (auto _ : state) benchmark::DoNotOptimize(separate_hulls(x, a, b, opt).relation);
}
BENCHMARK(BM_SeparateHulls)
    ->Args({100, 0, 32})
    ->Args({100, 60, 32})
    ->Args({100, 60, 0})
    ->Args({1000, 60, 32})
    ->Unit(benchmark::kMicrosecond);

void BM_PointHullDistance(benchmark::State& state) {
  const LabeledPoints t = mixture(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)), 1, 0.0);
  std::vector<int> members(t.x.n);
  for (int i = 0; i < t.x.n; ++i) members[i] = i;
  std::vector<double> p(t.x.d, 3.0);
  for (auto _ : state) benchmark::DoNotOptimize(point_hull_distance(t.x, members, p.data()).distance);
}
BENCHMARK(BM_PointHullDistance)->Args({1000, 64})->Args({1000, 768})->Unit(benchmark::kMicrosecond);

}  // namespace

int main(int argc, char** argv) {
  validate();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
