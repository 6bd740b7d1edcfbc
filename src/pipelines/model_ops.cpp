#include "codessm/pipelines/model_ops.h"

#include <torch/torch.h>

#include <limits>

#include "codessm/config/presets.h"
#include "codessm/pipelines/resolve_model.h"
#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "codessm/core/logging.h"
#include "codessm/core/timer.h"
#include "codessm/model/checkpoint.h"
#include "codessm/model/model_summary.h"
#include "codessm/report/report.h"
#include "codessm/tensor/device.h"
#include "codessm/tensor/safetensors.h"
#include "codessm/tensor/scopes.h"
#include "codessm/tensor/torch_compat.h"

namespace codessm::pipelines {

using nlohmann::json;

json run_model_info(const ModelInfoOptions& o) {
  auto cfg = resolve_model_config(o.model, o.overrides);
  model::CodeModel m(cfg);
  if (fs::is_directory(o.model)) model::load_weights(m, o.model, /*strict_head=*/true);
  auto counts = model::count_parameters(m);
  json j;
  j["model"] = o.model;
  j["architecture"] = cfg.hf_architecture();
  j["config"] = cfg.to_json();
  j["parameters"] = counts.to_json();
  if (o.tree) {
    json t = json::object();
    for (auto& [n, s] : model::parameter_shapes(m)) t[n] = s;
    j["tensors"] = t;
  }
  return j;
}

void run_model_init(const ModelInitOptions& o) {
  CODESSM_REQUIRE(!o.out.empty(), UsageError, "model init needs --out DIR");
  auto cfg = resolve_model_config(o.preset, o.overrides);
  tensor::set_seed(o.seed);
  model::CodeModel m(cfg);
  model::SaveOptions so;
  so.dtype = tensor::parse_dtype(o.dtype);
  so.max_shard_bytes = static_cast<uint64_t>(o.shard_mib * 1024 * 1024);
  model::save_pretrained(m, o.out, so);
  auto c = model::count_parameters(m);
  spdlog::info("wrote {} ({}, {} parameters, backbone {})", o.out.string(), cfg.hf_architecture(),
               report::fmt_int(c.total()), report::fmt_int(c.backbone()));
}

namespace {

/// Reads the int64 tensor `name` from the input store, or an undefined tensor when absent and optional.
torch::Tensor read_ids(const tensor::SafetensorsStore& in, const std::string& name, bool required) {
  if (!in.contains(name)) {
    if (required)
      throw DataError(fmt::format("input '{}' has no tensor '{}' (expected int64 [B, L])", in.describe(), name));
    return {};
  }
  auto t = in.load(name);
  if (t.dim() == 1) t = t.unsqueeze(0);
  if (t.dim() != 2)
    throw DataError(fmt::format("input '{}': tensor '{}' must be [B, L] (got {} dims)", in.describe(), name, t.dim()));
  return t.to(torch::kInt64);
}

}  // namespace

json run_model_forward(const ModelForwardOptions& o) {
  model::LoadOptions lo;
  if (!o.padding.empty()) lo.padding_mode = config::parse_padding_mode(o.padding);
  model::LoadReport rep;
  auto m = model::load_pretrained(o.checkpoint, lo, &rep);
  auto dev = tensor::parse_device(o.device);
  const bool bf16 = o.dtype == "bf16";
  if (o.dtype == "fp64") m->to(torch::kFloat64);
  else if (o.dtype != "fp32" && !bf16) throw UsageError(fmt::format("--dtype '{}': use fp32, bf16 or fp64", o.dtype));
  m->to(dev);
  m->eval();
  tensor::SafetensorsStore in(o.input);
  model::ModelInput mi;
  mi.input_ids = read_ids(in, "input_ids", true).to(dev);
  mi.attention_mask = read_ids(in, "attention_mask", false);
  if (mi.attention_mask.defined()) mi.attention_mask = mi.attention_mask.to(dev);
  mi.token_type_ids = read_ids(in, "token_type_ids", false);
  if (mi.token_type_ids.defined()) mi.token_type_ids = mi.token_type_ids.to(dev);
  const auto V = m->config().vocab_size;
  // A sequence beyond the trained context (docs/reliability.md): absolute position tables end at
  // max_position_embeddings, so longer inputs are refused here, naming both lengths; position-free models
  // (BiGS/CodeSSM, rotary) run at any length, with a warning past the context they were trained on.
  const int64_t L = mi.input_ids.size(1), ctx = m->config().default_context();
  if (m->config().position_embedding_type == "absolute" && L > m->config().max_position_embeddings) {
    throw DataError(fmt::format("input '{}': sequences of {} tokens exceed the checkpoint's max_position_embeddings {} "
                                "(absolute positions cannot go further): truncate the input to {} tokens",
                                in.describe(), L, m->config().max_position_embeddings, m->config().max_position_embeddings));
  }
  if (L > ctx) {
    spdlog::warn("input '{}': {} tokens is beyond the context the checkpoint was trained on ({}): the model "
                 "extrapolates", in.describe(), L, ctx);
  }
  auto mx = mi.input_ids.max().item<int64_t>(), mn = mi.input_ids.min().item<int64_t>();
  if (mn < 0 || mx >= V)
    throw DataError(fmt::format("input '{}': input_ids range [{}, {}] is outside the vocabulary [0, {})", in.describe(), mn, mx, V));
  torch::NoGradGuard ng;
  model::ModelOutput out;
  {
    tensor::AutocastScope ac(dev.type(), bf16);
    out = m->forward(mi, /*output_hidden_states=*/true);
  }
  tensor::NamedTensors t;
  auto f32 = [](const torch::Tensor& x) { return x.to(torch::kCPU, torch::kFloat32); };
  for (size_t i = 0; i < out.hidden_states.size(); ++i) t.emplace_back(fmt::format("hidden_states.{}", i), f32(out.hidden_states[i]));
  t.emplace_back("last_hidden_state", f32(out.last_hidden));
  if (out.logits.defined()) t.emplace_back("logits", f32(out.logits));
  if (out.pooled.defined()) t.emplace_back("pooled", f32(out.pooled));
  tensor::save_safetensors(o.output, t, {{"format", "pt"}, {"codessm_dtype", o.dtype}, {"codessm_padding",
                           config::to_string(m->config().padding_mode)}});
  json j = {{"checkpoint", o.checkpoint.string()},
            {"output", o.output.string()},
            {"tensors", t.size()},
            {"batch", mi.input_ids.size(0)},
            {"length", mi.input_ids.size(1)},
            {"padding_mode", config::to_string(m->config().padding_mode)},
            {"ignored_tensors", rep.ignored_known}};
  return j;
}

}  // namespace codessm::pipelines
