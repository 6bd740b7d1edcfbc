#include "codessm/config/presets.h"

#include <fmt/format.h>

#include <functional>
#include <map>

#include "codessm/core/error.h"

namespace codessm::config {

namespace {

// CodeSSM: d 1024, 12 layers, I = 3d, N 64, V 32100, no positions [CS Table 9], model-spec §3.7.
ModelConfig codessm_base(int64_t context) {
  ModelConfig c;
  c.arch = Arch::kBiGS;
  c.max_position_embeddings = context;
  c.pretraining_context = context;
  return c;
}

// RoCoder: RoFormer, d 1032, 12 heads (HD 86), FFN 4128 (inferred, model-spec §5.1), context 256.
ModelConfig rocoder_base() {
  ModelConfig c;
  c.arch = Arch::kRoFormer;
  c.hidden_size = 1032;
  c.intermediate_size = 4128;
  c.num_attention_heads = 12;
  c.position_embedding_type = "none";
  c.max_position_embeddings = 2048;  // the sinusoid table must cover the longest input (memory tests go to 2048)
  c.pretraining_context = 256;
  return c;
}

// BertCoder: BERT, d 1024, 16 heads (BERT-large convention), FFN 4096, absolute positions, 2048 context.
ModelConfig bertcoder_base() {
  ModelConfig c;
  c.arch = Arch::kBert;
  c.hidden_size = 1024;
  c.intermediate_size = 4096;
  c.num_attention_heads = 16;
  c.position_embedding_type = "absolute";
  c.max_position_embeddings = 2048;
  c.pretraining_context = 2048;
  return c;
}

// Small configs: the same code paths at sizes a 2-core CPU runs in milliseconds.
ModelConfig tiny(Arch arch) {
  ModelConfig c;
  c.arch = arch;
  c.vocab_size = 1000;
  c.hidden_size = 64;
  c.num_hidden_layers = 2;
  c.intermediate_size = arch == Arch::kBiGS ? 192 : 256;
  c.num_ssm = 16;
  c.num_attention_heads = 4;
  c.max_position_embeddings = 512;
  c.pretraining_context = 128;
  if (arch == Arch::kBert) c.position_embedding_type = "absolute";
  else c.position_embedding_type = "none";
  return c;
}

ModelConfig small(Arch arch) {
  ModelConfig c;
  c.arch = arch;
  c.vocab_size = 32100;
  c.hidden_size = arch == Arch::kRoFormer ? 264 : 256;
  c.num_hidden_layers = 4;
  c.intermediate_size = arch == Arch::kBiGS ? 768 : 4 * c.hidden_size;
  c.num_ssm = 64;
  c.num_attention_heads = 4;
  c.max_position_embeddings = 2048;
  c.pretraining_context = 256;
  c.position_embedding_type = arch == Arch::kBert ? "absolute" : "none";
  return c;
}

struct Entry {
  std::string summary;
  std::function<ModelConfig()> make;
};

const std::map<std::string, Entry>& registry() {
  static const std::map<std::string, Entry> r = {
      {"codessm-base", {"CodeSSM: BiGS layers, d 1024, 12 layers, no positions, context 2048 (196.6M backbone)",
                        [] { return codessm_base(2048); }}},
      {"codessm-base-256", {"CodeSSM with a 256-token pretraining context (SSM-Interpret models)",
                            [] { return codessm_base(256); }}},
      {"codessm-pos", {"CodeSSM-pos: + learned absolute positions", [] {
                         auto c = codessm_base(2048);
                         c.position_embedding_type = "absolute";
                         return c;
                       }}},
      {"codessm-do", {"CodeSSM-do: two dropout masks after the multiplications (p 0.1)", [] {
                        auto c = codessm_base(2048);
                        c.layer_dropout = 0.1;
                        return c;
                      }}},
      {"codessm-uni", {"CodeSSM-Uni: both flips removed (two causal SSMs)", [] {
                         auto c = codessm_base(2048);
                         c.bidirectional = false;
                         return c;
                       }}},
      {"codef", {"CodeF: a parameter-free DFT in place of each SSM", [] {
                   auto c = codessm_base(2048);
                   c.mixer = SequenceMixer::kFourier;
                   return c;
                 }}},
      {"codessm-hf", {"CodeSSM-HF: grouped Conv1d(k=3, 8 groups) parallel to each SSM, 11 layers", [] {
                        auto c = codessm_base(256);
                        c.num_hidden_layers = 11;
                        c.hf_conv = true;
                        c.hf_conv_groups = 8;
                        return c;
                      }}},
      {"codessm-8kernel", {"CodeSSM-8kernel: 8 SSM kernels per block (128 channels each)", [] {
                             auto c = codessm_base(256);
                             c.ssm_kernels = 8;
                             return c;
                           }}},
      {"codessm-1024kernel", {"CodeSSM-1024kernel: one SSM kernel per channel", [] {
                                auto c = codessm_base(256);
                                c.ssm_kernels = 1024;
                                return c;
                              }}},
      {"rocoder-base", {"RoCoder: RoFormer (RoPE, post-LN), d 1032, 12 heads, FFN 4128, context 256", rocoder_base}},
      {"bertcoder-base", {"BertCoder: BERT, d 1024, 16 heads, FFN 4096, absolute positions, context 2048", bertcoder_base}},
      {"codessm-small", {"small CodeSSM for short GPU runs: d 256, 4 layers, V 32100", [] { return small(Arch::kBiGS); }}},
      {"rocoder-small", {"small RoCoder: d 264, 4 layers, 4 heads", [] { return small(Arch::kRoFormer); }}},
      {"bertcoder-small", {"small BertCoder: d 256, 4 layers, 4 heads", [] { return small(Arch::kBert); }}},
      {"codessm-tiny", {"tiny CodeSSM for CPU tests: d 64, 2 layers, N 16, V 1000", [] { return tiny(Arch::kBiGS); }}},
      {"codessm-tiny-hf", {"tiny CodeSSM-HF (2 conv groups)", [] {
                             auto c = tiny(Arch::kBiGS);
                             c.hf_conv = true;
                             c.hf_conv_groups = 2;
                             return c;
                           }}},
      {"codessm-tiny-4kernel", {"tiny CodeSSM with 4 kernels per block", [] {
                                  auto c = tiny(Arch::kBiGS);
                                  c.ssm_kernels = 4;
                                  return c;
                                }}},
      {"rocoder-tiny", {"tiny RoCoder for CPU tests: d 64, 2 layers, 4 heads", [] { return tiny(Arch::kRoFormer); }}},
      {"bertcoder-tiny", {"tiny BertCoder for CPU tests: d 64, 2 layers, 4 heads", [] { return tiny(Arch::kBert); }}},
  };
  return r;
}

}  // namespace

std::vector<PresetInfo> list_presets() {
  std::vector<PresetInfo> out;
  for (auto& [k, v] : registry()) out.push_back({k, v.summary});
  return out;
}

bool is_preset(const std::string& name) { return registry().count(name) != 0; }

ModelConfig make_preset(const std::string& name) {
  auto it = registry().find(name);
  if (it == registry().end()) {
    std::string names;
    for (auto& [k, v] : registry()) names += (names.empty() ? "" : ", ") + k;
    throw UsageError(fmt::format("unknown preset '{}'; known presets: {}", name, names));
  }
  ModelConfig c = it->second.make();
  c.preset = name;
  c.validate("preset " + name);
  return c;
}

}  // namespace codessm::config
