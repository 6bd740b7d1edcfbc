#include "codessm/pipelines/resolve_model.h"

#include <fmt/format.h>

#include "codessm/config/overrides.h"
#include "codessm/config/presets.h"
#include "codessm/core/error.h"
#include "codessm/core/logging.h"
#include "codessm/data/tokenizer_check.h"
#include "codessm/model/checkpoint.h"

namespace codessm::pipelines {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

/// `mc` with `overrides` (JSON key → value) applied to its config.json keys, re-validated.
config::ModelConfig with_overrides(const config::ModelConfig& mc, const std::vector<config::Override>& overrides,
                                   const std::string& source) {
  if (overrides.empty()) return mc;
  json j = mc.to_json();
  const config::OverrideRules rules{fmt::format("config.json key of {}", source),
                                    "`codessm model info " + source + " --json` lists them", {}};
  for (const auto& o : overrides) config::apply_override(j, o, rules);
  return config::ModelConfig::from_json(j, source + " with overrides");
}

std::vector<config::Override> as_overrides(const json& object) {
  std::vector<config::Override> out;
  for (auto& [k, v] : object.items()) out.push_back({{k}, v, k + "=" + v.dump()});
  return out;
}

}  // namespace

config::ModelConfig resolve_model_config(const std::string& src, const std::vector<std::string>& overrides) {
  config::ModelConfig cfg;
  std::string source;
  if (config::is_preset(src)) {
    cfg = config::make_preset(src);
    source = "preset " + src;
  } else if (fs::exists(src)) {
    cfg = model::load_config(src);
    source = src;
  } else {
    throw UsageError(fmt::format("'{}' is neither a preset nor a checkpoint folder (see `codessm model presets`)", src));
  }
  std::vector<config::Override> parsed;
  for (const auto& kv : overrides) parsed.push_back(config::parse_override(kv));
  return with_overrides(cfg, parsed, source);
}

config::ModelConfig resolve_model(const config::ModelSpec& spec, const data::Tokenizer& tok, const ModelRequest& req) {
  config::ModelConfig mc;
  if (spec.is_preset()) {
    CODESSM_REQUIRE(config::is_preset(spec.name), UsageError, "model: '{}' is not a preset (see `codessm model presets`)",
                    spec.name);
    mc = with_overrides(config::make_preset(spec.name), as_overrides(spec.overrides), "preset " + spec.name);
    if (mc.vocab_size != tok.vocab_size() || mc.pad_token_id != tok.special_ids().pad) {
      spdlog::info("model {}: vocab_size {} -> {} and pad_token_id {} -> {} to match the tokenizer", spec.name,
                   mc.vocab_size, tok.vocab_size(), mc.pad_token_id, tok.special_ids().pad);
      mc.vocab_size = tok.vocab_size();
      mc.pad_token_id = tok.special_ids().pad;
    }
  } else {
    CODESSM_REQUIRE(fs::is_directory(spec.name), UsageError,
                    "model: checkpoint folder '{}' does not exist (or give a preset: `codessm model presets`)", spec.name);
    mc = with_overrides(model::load_config(spec.name), as_overrides(spec.overrides), spec.name);
    data::check_tokenizer_fits(mc, tok, spec.name, req.tokenizer_name);
  }
  mc.tokenizer_fingerprint = data::fingerprint_hex(tok);
  if (req.pretraining_context > 0) mc.pretraining_context = req.pretraining_context;
  // The objective's head. A changed head (an MLM checkpoint fine-tuned for classification) gets its own labels;
  // the saved names belonged to the old one.
  const int64_t n = static_cast<int64_t>(req.head.labels.size());
  if (mc.head != req.head.kind || (n > 0 && n != mc.num_labels)) mc.id2label.clear();
  mc.head = req.head.kind;
  if (n > 0) mc.num_labels = n;
  if (!req.head.labels.empty() || req.head.kind == config::HeadKind::kRetrieval) mc.id2label = req.head.labels;
  mc.validate(spec.is_preset() ? "preset " + spec.name : spec.name);
  return mc;
}

model::CodeModel build_model(const config::ModelSpec& spec, const config::ModelConfig& mc) {
  model::CodeModel m(mc);
  if (spec.is_preset()) return m;
  const auto saved = model::load_config(spec.name);
  const auto rep = model::load_weights(m, spec.name, /*strict_head=*/saved.head == mc.head);
  spdlog::info("{}: {} tensors loaded, {} new (head) initialised, {} skipped ({})", spec.name, rep.loaded.size(),
               rep.missing_initialised.size(), rep.skipped_unexpected.size(),
               rep.skipped_unexpected.empty() ? "none" : rep.skipped_unexpected.front() + ", ...");
  return m;
}

}  // namespace codessm::pipelines
