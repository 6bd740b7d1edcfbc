// `codessm bench forward|train`. Each row: warm-up iterations, then `iters` timed iterations, each ended by a
// device synchronisation (so the host clock measures finished GPU work); the median iteration gives
// tokens/s, the peak of the CUDA caching allocator since the warm-up gives memory. Out of memory is a row's
// result, not the end of the run.
#include "codessm/pipelines/bench_ops.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <memory>

#include "codessm/config/train_config.h"
#include "codessm/core/error.h"
#include "codessm/core/logging.h"
#include "codessm/kernels/adamw.h"
#include "codessm/kernels/batch_product.h"
#include "codessm/kernels/column_sum.h"
#include "codessm/kernels/gelu_mul.h"
#include "codessm/kernels/layer_norm.h"
#include "codessm/model/checkpoint.h"
#include "codessm/model/code_model.h"
#include "codessm/model/bigs_model.h"
#include "codessm/model/model_summary.h"
#include "codessm/model/s4d_layer.h"
#include "codessm/pipelines/model_ops.h"
#include "codessm/pipelines/resolve_model.h"
#include "codessm/report/report.h"
#include "codessm/tensor/cuda_graph.h"
#include "codessm/tensor/device.h"
#include "codessm/tensor/profile_scope.h"
#include "codessm/tensor/torch_compat.h"
#include "codessm/train/grad_clip.h"
#include "codessm/train/master_weights.h"
#include "codessm/train/optimizer_groups.h"

namespace codessm::pipelines {

using nlohmann::json;

namespace {

struct Timing {
  double median_s = 0, mean_s = 0, peak_gib = 0;
};

/// Runs `step` warmup + iters times; times the last `iters` one by one.
template <typename Step>
Timing time_steps(const torch::Device& dev, int warmup, int iters, Step&& step) {
  CODESSM_REQUIRE(warmup >= 0 && iters >= 1, UsageError, "bench: --warmup must be >= 0 and --iters >= 1 (got {}, {})",
                  warmup, iters);
  for (int i = 0; i < warmup; ++i) step();
  tensor::synchronize(dev);
  tensor::cuda_reset_peak_memory(dev);
  std::vector<double> t;
  for (int i = 0; i < iters; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    step();
    tensor::synchronize(dev);
    t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  Timing r;
  auto s = t;
  std::sort(s.begin(), s.end());
  r.median_s = s.size() % 2 ? s[s.size() / 2] : 0.5 * (s[s.size() / 2 - 1] + s[s.size() / 2]);
  for (double x : t) r.mean_s += x / static_cast<double>(t.size());
  r.peak_gib = static_cast<double>(tensor::cuda_peak_memory_bytes(dev)) / (1024.0 * 1024 * 1024);
  return r;
}

/// With --profile: three more iterations under tensor::ProfileScope timers; per-iteration milliseconds by section.
template <typename Step>
json profile_steps(const torch::Device& dev, bool on, Step&& step) {
  if (!on) return nullptr;
  tensor::profile_enable(true, dev);
  const int n = 3;
  for (int i = 0; i < n; ++i) {
    CODESSM_PROFILE("total");
    step();
  }
  json r = tensor::profile_report();
  tensor::profile_enable(false);
  for (auto& [name, v] : r.items()) v["ms_per_iter"] = v["ms"].template get<double>() / n;
  std::printf("profile (ms per iteration, synchronising timers; nested sections overlap):\n");
  for (auto& [name, v] : r.items())
    std::printf("  %-28s %10.3f  (%lld calls)\n", name.c_str(), v["ms_per_iter"].template get<double>(),
                static_cast<long long>(v["calls"].template get<int64_t>() / n));
  return r;
}

/// A model of `name` (preset or checkpoint) with the implementation choices applied.
model::CodeModel build_model(const std::string& name, const std::vector<std::string>& overrides, int64_t max_len,
                             const BenchImplOptions& impl) {
  auto cfg = resolve_model_config(name, overrides);
  if (cfg.position_embedding_type != "none" && cfg.max_position_embeddings < max_len)
    cfg.max_position_embeddings = max_len;
  tensor::set_seed(0);
  model::CodeModel m(cfg);
  if (fs::is_directory(name)) model::load_weights(m, name, true);
  CODESSM_REQUIRE(impl.conv == "toeplitz" || impl.conv == "fft", UsageError,
                  "bench: --conv '{}': use toeplitz or fft", impl.conv);
  model::set_ssm_conv(*m, {impl.conv == "fft" ? model::SsmConvImpl::kFFT : model::SsmConvImpl::kToeplitz, impl.chunk,
                           /*fp32_state=*/impl.fp32_state, impl.tiles});
  kernels::set_gelu_mul_unfused(impl.unfused);
  kernels::set_column_sum_unfused(impl.unfused || impl.plain_bias_grad);
  kernels::set_batch_product_plain(impl.unfused || impl.plain_toeplitz_grad);
  kernels::set_layer_norm_plain(impl.unfused || impl.plain_layer_norm);
  model::set_mask_host_check(impl.mask_host_check);
  CODESSM_REQUIRE(impl.attention == "fused" || impl.attention == "math", UsageError,
                  "bench: --attention '{}': use fused or math", impl.attention);
  tensor::set_sdpa_math_only(impl.attention == "math");
  return m;
}

json impl_json(const BenchImplOptions& i) {
  return {{"conv", i.conv}, {"chunk", i.chunk}, {"tiles", i.tiles}, {"fused_kernels", !i.unfused},
          {"bias_grad", i.unfused || i.plain_bias_grad ? "LibTorch sums" : "column_sum kernels (bias, LayerNorm)"}, {"attention", i.attention},
          {"toeplitz_grad", i.unfused || i.plain_toeplitz_grad ? "bmm + batch sum" : "summed in cuBLAS products"},
          {"layer_norm_forward", i.unfused || i.plain_layer_norm ? "LibTorch" : "layer_norm kernel (on CUDA)"},
          {"state_dtype", i.fp32_state ? "fp32 (TF32)" : "activations' dtype, fp32 chunk mixing"},
          {"mask", i.mask_host_check ? "host check for padding (sync)" : "no host check on the fused path"}};
}

json machine_json(const torch::Device& dev) {
  return {{"device", dev.str()}, {"torch", tensor::torch_version_string()},
          {"cuda_device_count", torch::cuda::is_available() ? torch::cuda::device_count() : 0}};
}

void write_outputs(const fs::path& out, const std::string& name, const std::string& kind, const json& res,
                   const report::Table& table) {
  std::printf("%s", table.to_markdown().c_str());
  if (out.empty()) return;
  report::write_json(out / (name + ".json"), report::make_envelope(kind, 1, res));
  report::write_text(out / (name + ".md"), table.to_markdown());
}

}  // namespace

json run_bench_forward(const BenchForwardOptions& o) {
  // A negative or zero count would publish negative times and throughputs (or divide by zero).
  CODESSM_REQUIRE(o.iters >= 1, UsageError, "--iters {}: the number of timed iterations must be at least 1", o.iters);
  CODESSM_REQUIRE(o.warmup >= 0, UsageError, "--warmup {}: the number of untimed iterations must be 0 or more", o.warmup);
  CODESSM_REQUIRE(o.batch >= 1, UsageError, "--batch {}: the batch size must be at least 1", o.batch);
  CODESSM_REQUIRE(!o.lengths.empty(), UsageError, "--lengths: give at least one sequence length");
  for (auto L : o.lengths) CODESSM_REQUIRE(L >= 1, UsageError, "--lengths: {} is not a sequence length (must be >= 1)", L);
  const int64_t maxL = *std::max_element(o.lengths.begin(), o.lengths.end());
  auto dev = tensor::parse_device(o.device);
  const std::string dt = o.dtype;
  CODESSM_REQUIRE(dt == "fp32" || dt == "tf32" || dt == "bf16" || dt == "bf16-autocast", UsageError,
                  "bench forward: --dtype '{}': use fp32, tf32, bf16 or bf16-autocast", dt);
  const bool autocast = dt == "bf16-autocast" || (dt == "bf16" && o.backward);
  const bool pure_bf16 = dt == "bf16" && !o.backward;
  // TF32 for fp32 matmuls in every low-precision mode: the convolution's fp32 state path relies on it.
  tensor::set_matmul_tf32(dt != "fp32");
  auto m = build_model(o.model, o.overrides, maxL, o.impl);
  const auto counts = model::count_parameters(m);
  m->to(dev);
  if (pure_bf16) m->cast_weights(torch::kBFloat16);
  if (o.backward) m->train(); else m->eval();
  const auto& cfg = m->config();
  json rows = json::array();
  report::Table table{{"L", "batch", "dtype", "mode", "ms/iter", "tokens/s", "peak GiB"}, {}};
  const std::string mode = o.backward ? "fwd+bwd" : o.cuda_graph ? "fwd (CUDA graph)" : "fwd";
  for (int64_t L : o.lengths) {
    auto ids = torch::randint(1, cfg.vocab_size, {o.batch, L}, torch::TensorOptions().dtype(torch::kInt64).device(dev));
    model::ModelInput mi{ids, torch::ones({o.batch, L}, ids.options()), {}};
    auto step = [&]() {
      if (autocast) tensor::set_autocast(dev.type(), true, at::kBFloat16);
      if (o.backward) {
        auto out = m->forward(mi);
        auto loss = out.logits.defined() ? out.logits.to(torch::kFloat32).mean() : out.last_hidden.to(torch::kFloat32).mean();
        if (autocast) tensor::set_autocast(dev.type(), false);
        loss.backward();
        m->zero_grad();
      } else {
        torch::NoGradGuard ng;
        m->forward(mi);
        if (autocast) tensor::set_autocast(dev.type(), false);
      }
    };
    json row = {{"L", L}, {"batch", o.batch}};
    try {
      // --cuda-graph: one forward captured (on the same input buffers), each timed iteration one replay.
      std::unique_ptr<tensor::CudaGraph> graph;
      std::function<void()> timed = step;
      if (o.cuda_graph) {
        graph = std::make_unique<tensor::CudaGraph>();
        graph->capture(dev, step);
        timed = [&graph] { graph->replay(); };
      }
      auto t = time_steps(dev, o.warmup, o.iters, timed);
      const double tps = static_cast<double>(o.batch * L) / t.median_s;
      row.update({{"ms_median", t.median_s * 1e3}, {"ms_mean", t.mean_s * 1e3}, {"tokens_per_s", tps},
                  {"peak_mem_gib", t.peak_gib}});
      if (o.impl.profile) row["profile"] = profile_steps(dev, true, step);
      table.rows.push_back({std::to_string(L), std::to_string(o.batch), dt, mode, report::fmt_num(t.median_s * 1e3, 4),
                            report::fmt_num(std::round(tps)), report::fmt_num(t.peak_gib, 3)});
      spdlog::info("L={} batch={} {}: {:.2f} ms/iter, {:.0f} tokens/s, peak {:.2f} GiB", L, o.batch, dt,
                   t.median_s * 1e3, tps, t.peak_gib);
    } catch (const c10::Error& e) {
      if (autocast) tensor::set_autocast(dev.type(), false);
      row["error"] = e.what_without_backtrace();
      table.rows.push_back({std::to_string(L), std::to_string(o.batch), dt, mode, "error", "-", "-"});
      spdlog::warn("L={}: {}", L, e.what_without_backtrace());
    }
    rows.push_back(row);
  }
  json res = {{"model", o.model},       {"architecture", cfg.hf_architecture()}, {"parameters", counts.to_json()},
              {"machine", machine_json(dev)}, {"dtype", dt}, {"mode", o.backward ? "forward+backward" : "forward"},
              {"cuda_graph", o.cuda_graph},
              {"impl", impl_json(o.impl)}, {"warmup", o.warmup}, {"iters", o.iters}, {"rows", rows}};
  write_outputs(o.out, "bench_forward", "bench.forward", res, table);
  return res;
}

json run_bench_train(const BenchTrainOptions& o) {
  CODESSM_REQUIRE(o.iters >= 1, UsageError, "--iters {}: the number of timed steps must be at least 1", o.iters);
  CODESSM_REQUIRE(o.warmup >= 0, UsageError, "--warmup {}: the number of untimed steps must be 0 or more", o.warmup);
  auto dev = tensor::parse_device(o.device);
  CODESSM_REQUIRE(o.dtype == "bf16-master" || o.dtype == "bf16" || o.dtype == "tf32" || o.dtype == "fp32", UsageError,
                  "bench train: --dtype '{}': use bf16-master, bf16 (autocast), tf32 or fp32", o.dtype);
  CODESSM_REQUIRE(o.mlm_probability > 0 && o.mlm_probability <= 1, UsageError,
                  "bench train: --mlm-probability must be in (0, 1] (got {})", o.mlm_probability);
  std::vector<std::pair<int64_t, int64_t>> shapes;
  for (auto& s : o.shapes) {
    auto x = s.find('x');
    CODESSM_REQUIRE(x != std::string::npos, UsageError, "bench train: shape '{}' must be BATCHxLENGTH, e.g. 8x2048", s);
    shapes.emplace_back(std::stoll(s.substr(0, x)), std::stoll(s.substr(x + 1)));
    CODESSM_REQUIRE(shapes.back().first >= 1 && shapes.back().second >= 1, UsageError, "bench train: bad shape '{}'", s);
  }
  int64_t maxL = 1;
  for (auto& s : shapes) maxL = std::max(maxL, s.second);
  tensor::set_matmul_tf32(o.dtype != "fp32");
  auto m = build_model(o.model, o.overrides, maxL, o.impl);
  CODESSM_REQUIRE(m->cls, UsageError, "bench train: '{}' has no MLM head", o.model);
  const auto counts = model::count_parameters(m);
  m->to(dev);
  m->train();
  config::OptimConfig oc;  // the recipe's AdamW: lr 5e-5, betas (0.9, 0.999), decay 0.01 except SSM/bias/norm
  auto opt = train::make_adamw(m, oc);
  if (o.plain_adamw) {
    auto plain = std::make_unique<torch::optim::AdamW>(opt->param_groups(), torch::optim::AdamWOptions(oc.lr));
    opt.reset();
    opt = std::move(plain);
  }
  // The trainer's precisions (config::TrainDtype): bf16-master = bf16 weights and activations, fp32 master
  // weights in the optimizer; bf16 = fp32 weights, products in bf16 under autocast.
  const bool bf16 = o.dtype == "bf16";
  std::unique_ptr<train::MasterWeights> master;
  if (o.dtype == "bf16-master") master = std::make_unique<train::MasterWeights>(m, *opt, torch::kBFloat16);
  const auto& cfg = m->config();
  std::vector<torch::Tensor> params;
  for (auto& g : opt->param_groups())
    for (auto& p : g.params()) params.push_back(p);
  json rows = json::array();
  report::Table table{{"batch x L", "dtype", "head", "optimizer", "ms/step", "tokens/s", "peak GiB"}, {}};
  const std::string head = o.full_head ? "all positions" : "masked positions";
  std::string optname = o.plain_adamw ? "AdamW (per tensor)" : "AdamW (fused on CUDA)";
  if (master) optname += ", fp32 masters";
  // bf16-master on CUDA: one pass per element from the model's bf16 gradients (the trainer's step of one
  // micro-batch, train::StepRunner); --unfused-step keeps the passes apart.
  auto* fused_opt = dynamic_cast<train::FusedAdamW*>(opt.get());
  const bool fused_step = master && fused_opt && !o.unfused_step && master->can_step_fused(*opt);
  if (fused_step) optname += ", one-pass step";
  for (auto [B, L] : shapes) {
    auto iopts = torch::TensorOptions().dtype(torch::kInt64).device(dev);
    auto ids = torch::randint(5, cfg.vocab_size, {B, L}, iopts);
    auto sel = torch::rand({B, L}, torch::TensorOptions().device(dev)) < o.mlm_probability;  // b(B L)
    auto positions = sel.reshape({-1}).nonzero().reshape({-1});                                // i64(M)
    auto labels = ids.reshape({-1}).index_select(0, positions);                                // i64(M)
    model::ModelInput mi{ids, torch::ones({B, L}, iopts), {}};
    auto step = [&]() {
      opt->zero_grad();
      torch::Tensor loss;
      {
        CODESSM_PROFILE("train.forward");
        if (bf16) tensor::set_autocast(dev.type(), true, at::kBFloat16);
        torch::Tensor logits;
        if (o.full_head) {
          logits = m->forward(mi).logits.reshape({B * L, -1}).index_select(0, positions);    // r(M V)
        } else {
          auto enc = m->encode(mi, false);
          logits = m->mlm_logits_at(enc.last_hidden, positions);                             // r(M V)
        }
        if (bf16) tensor::set_autocast(dev.type(), false);
        loss = torch::nn::functional::cross_entropy(logits.to(torch::kFloat32), labels);
      }
      {
        CODESSM_PROFILE("train.backward");
        loss.backward();
        if (master && !fused_step) master->accumulate_gradients();
      }
      if (fused_step) {
        CODESSM_PROFILE("train.optimizer");
        // Clipping from the norm on the device, as the trainer: no host synchronisation inside the step.
        const kernels::NormClip clip{master->grad_norm_tensor(*opt), 1.0, 1.0};
        master->step_fused(*fused_opt, 1.0, &clip);
        return;
      }
      {
        CODESSM_PROFILE("train.clip");
        train::clip_grad_norm(params, 1.0);
      }
      CODESSM_PROFILE("train.optimizer");
      opt->step();
      if (master) master->masters_to_model();
    };
    json row = {{"batch", B}, {"L", L}, {"scored_positions", positions.size(0)}};
    const std::string shape = std::to_string(B) + "x" + std::to_string(L);
    try {
      auto t = time_steps(dev, o.warmup, o.iters, step);
      const double tps = static_cast<double>(B * L) / t.median_s;
      row.update({{"ms_median", t.median_s * 1e3}, {"ms_mean", t.mean_s * 1e3}, {"tokens_per_s", tps},
                  {"peak_mem_gib", t.peak_gib}});
      if (o.impl.profile) row["profile"] = profile_steps(dev, true, step);
      table.rows.push_back({shape, o.dtype, head, optname, report::fmt_num(t.median_s * 1e3, 4),
                            report::fmt_num(std::round(tps)), report::fmt_num(t.peak_gib, 3)});
      spdlog::info("train {} {}: {:.2f} ms/step, {:.0f} tokens/s, peak {:.2f} GiB", shape, o.dtype, t.median_s * 1e3,
                   tps, t.peak_gib);
    } catch (const c10::Error& e) {
      if (bf16) tensor::set_autocast(dev.type(), false);
      row["error"] = e.what_without_backtrace();
      table.rows.push_back({shape, o.dtype, head, optname, "error", "-", "-"});
      spdlog::warn("train {}: {}", shape, e.what_without_backtrace());
    }
    rows.push_back(row);
  }
  json res = {{"model", o.model}, {"architecture", cfg.hf_architecture()}, {"parameters", counts.to_json()},
              {"machine", machine_json(dev)}, {"dtype", o.dtype}, {"head", head}, {"optimizer", optname},
              {"impl", impl_json(o.impl)}, {"warmup", o.warmup}, {"iters", o.iters}, {"rows", rows}};
  write_outputs(o.out, "bench_train", "bench.train", res, table);
  return res;
}

}  // namespace codessm::pipelines
