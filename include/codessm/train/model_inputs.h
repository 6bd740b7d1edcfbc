// Text → model inputs for the fine-tuning objectives: framing with the tokenizer's specials, right padding,
// device transfer, and the sentence embedding retrieval ranks by. Shapes: B batch, L the longest sequence of
// the batch, D model width.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "codessm/config/train_config.h"
#include "codessm/data/tokenizer.h"
#include "codessm/model/code_model.h"

namespace codessm::train {

/// <s> + the first max_length-2 ids of `text` + </s> (the tokenizer's specials).
std::vector<int32_t> encode_for_model(const data::Tokenizer& tok, const std::string& text, int64_t max_length);

/// Right-pads sequences with `pad` into input_ids i64(B L) and attention_mask i64(B L) (CPU).
model::ModelInput pad_batch(const std::vector<std::vector<int32_t>>& seqs, int32_t pad);

/// Real tokens of a padded batch (for tokens/s).
uint64_t real_tokens(const model::ModelInput& in);

/// Moves input_ids / attention_mask to `device`.
model::ModelInput to_device(const model::ModelInput& in, const torch::Device& device);

/// Sentence embeddings r(B D): kMean = masked mean of the last hidden states (padding excluded), kPooler = the
/// model's pooled output (BiGS: masked mean -> dense -> tanh; BERT: token 0 -> dense -> tanh).
torch::Tensor sentence_embedding(model::CodeModel& model, const model::ModelInput& in, config::Pooling pooling);

}  // namespace codessm::train
