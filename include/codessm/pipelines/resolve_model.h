// The one place where a run's ModelSpec (a preset or a checkpoint, plus overrides of config.json keys) and its
// tokenizer become the model to train:
//   preset      the preset's config, the overrides, then sized to the tokenizer (vocab_size, pad_token_id)
//   checkpoint  its config.json (whose architecture keys win), the overrides, and a tokenizer check: the
//               checkpoint's recorded tokenizer must be this one (data/tokenizer_check.h)
// then the head the objective needs (a checkpoint's MLM head is swapped for a fine-tuning head), the
// tokenizer's fingerprint, and — MLM only — the pretraining context. Fine-tuning never rewrites
// pretraining_context: it records what the model was *pretrained* at (the default interpretation length).
#pragma once

#include <string>
#include <vector>

#include "codessm/config/model_config.h"
#include "codessm/config/train_config.h"
#include "codessm/data/tokenizer.h"
#include "codessm/model/code_model.h"
#include "codessm/train/objective.h"

namespace codessm::pipelines {

/// A preset name or a checkpoint folder, plus `key=value` overrides on its config.json keys (values parse as
/// JSON when they can: `num_hidden_layers=4`, `codessm_hf_conv=true`), for `model info/init` and `bench`.
config::ModelConfig resolve_model_config(const std::string& preset_or_ckpt, const std::vector<std::string>& overrides);

/// What the run needs of the model besides the spec.
struct ModelRequest {
  train::HeadSpec head;              ///< the objective's head
  int64_t pretraining_context = 0;   ///< MLM: the context length it is pretrained at (0 = leave as is)
  std::string tokenizer_name;        ///< names the tokenizer in messages
};

/// The config of the model a run starts from (see the file comment). UsageError for an unknown preset or
/// folder, an override of an unknown key, or a checkpoint trained with another tokenizer.
config::ModelConfig resolve_model(const config::ModelSpec& spec, const data::Tokenizer& tok, const ModelRequest& req);

/// The model of `mc`; from a checkpoint spec its weights are loaded (backbone strictly; a new head keeps its
/// fresh init, reported in the log).
model::CodeModel build_model(const config::ModelSpec& spec, const config::ModelConfig& mc);

}  // namespace codessm::pipelines
