// `codessm model presets|info|init|forward`: what a user needs to create models and check a port
// against another framework.
#include <cstdio>

#include "codessm/config/presets.h"
#include "codessm/pipelines/model_ops.h"
#include "commands.h"
#include "common_flags.h"

namespace codessm::cli {
namespace {

struct ModelFlags {
  pipelines::ModelInfoOptions info;
  pipelines::ModelInitOptions init;
  pipelines::ModelForwardOptions fwd;
  std::string fwd_model;
  CommonFlags init_common, fwd_common;
  bool info_json = false;
};

void print_info(const nlohmann::json& j, bool as_json) {
  if (as_json) {
    std::printf("%s\n", j.dump(2).c_str());
    return;
  }
  auto& p = j["parameters"];
  std::printf("model        %s\narchitecture %s\n", j["model"].get<std::string>().c_str(),
              j["architecture"].get<std::string>().c_str());
  auto& c = j["config"];
  std::printf("hidden %lld, layers %lld, intermediate %lld, vocab %lld\n", c["hidden_size"].get<long long>(),
              c["num_hidden_layers"].get<long long>(), c["intermediate_size"].get<long long>(),
              c["vocab_size"].get<long long>());
  std::printf("parameters:\n");
  for (auto k : {"embeddings", "encoder", "per_layer", "ssm_per_block", "pooler", "head", "backbone", "total"})
    std::printf("  %-14s %15lld\n", k, p[k].get<long long>());
  if (j.contains("tensors"))
    for (auto& [n, s] : j["tensors"].items()) std::printf("  %s %s\n", n.c_str(), s.dump().c_str());
}

}  // namespace

void setup_model(CLI::App& app) {
  auto flags = std::make_shared<ModelFlags>();
  auto* cmd = app.add_subcommand("model", "create, inspect and run models (presets, checkpoints)");
  cmd->require_subcommand(1);

  cmd->add_subcommand("presets", "list the named model presets")->callback([] {
    for (auto& p : config::list_presets()) std::printf("%-22s %s\n", p.name.c_str(), p.summary.c_str());
  });

  auto* info = cmd->add_subcommand("info", "architecture and parameter count per module of a checkpoint or preset");
  add_model_argument(info, flags->info.model, "preset name or checkpoint folder");
  info->add_option("--set", flags->info.overrides, "override a config.json key: key=value (repeatable)");
  info->add_flag("--tree", flags->info.tree, "list every tensor with its shape");
  info->add_flag("--json", flags->info_json, "print JSON");
  info->callback([flags] { print_info(pipelines::run_model_info(flags->info), flags->info_json); });

  auto* init = cmd->add_subcommand("init", "write a freshly initialised checkpoint of a preset");
  init->add_option("preset", flags->init.preset, "preset name (or a checkpoint folder to re-initialise)")->required();
  init->add_option("--set", flags->init.overrides, "override a config.json key: key=value (repeatable)");
  init->add_option("--dtype", flags->init.dtype, "storage dtype: fp32 or bf16")->capture_default_str();
  init->add_option("--shard-mib", flags->init.shard_mib, "shard size in MiB (0 = one file)")->capture_default_str();
  add_common_flags(init, flags->init_common, kSeed | kOut, {"output checkpoint folder", "", /*out_required=*/true});
  init->callback([flags] {
    flags->init.out = flags->init_common.out;
    if (flags->init_common.seed) flags->init.seed = *flags->init_common.seed;
    pipelines::run_model_init(flags->init);
  });

  auto* fwd = cmd->add_subcommand("forward", "run a checkpoint on input_ids from a safetensors file; write every layer's hidden states and the logits");
  add_model_argument(fwd, flags->fwd_model, "checkpoint folder");
  fwd->add_option("--input", flags->fwd.input, "safetensors with input_ids [B,L] (+ attention_mask, token_type_ids)")->required();
  fwd->add_option("--padding", flags->fwd.padding, "reference (BiGS parity: pads leak into the backward SSM) or masked");
  add_common_flags(fwd, flags->fwd_common, kDevice | kDtype | kThreads | kOut,
                   {"output safetensors file", "fp32, bf16 (autocast; FFTs in fp32) or fp64", /*out_required=*/true});
  fwd->callback([flags] {
    apply_common_flags(flags->fwd_common);
    flags->fwd.checkpoint = flags->fwd_model;
    flags->fwd.output = flags->fwd_common.out;
    if (!flags->fwd_common.device.empty()) flags->fwd.device = flags->fwd_common.device;
    if (!flags->fwd_common.dtype.empty()) flags->fwd.dtype = flags->fwd_common.dtype;
    auto j = pipelines::run_model_forward(flags->fwd);
    std::printf("%s\n", j.dump(2).c_str());
  });
}

}  // namespace codessm::cli
