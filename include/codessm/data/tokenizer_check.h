// A checkpoint knows its tokenizer: training writes the tokenizer's fingerprint (vocabulary + specials,
// Tokenizer::fingerprint) into config.json, and every command that pairs a tokenizer with a checkpoint —
// `pretrain --resume`, `finetune`, `eval`, `probe layers` — checks it here, so a wrong tokenizer of the same (or
// a smaller) vocabulary size can no longer pass silently.
#pragma once

#include <string>

#include "codessm/config/model_config.h"
#include "codessm/data/tokenizer.h"

namespace codessm::data {

/// The fingerprint as written into config.json: 16 lower-case hex digits.
std::string fingerprint_hex(const Tokenizer& tok);

/// UsageError naming both when `mc` records another tokenizer than `tok`, or when the model's vocabulary is
/// smaller than the tokenizer's. A checkpoint that predates fingerprints passes with a warning. `checkpoint` and
/// `tokenizer` name the two in messages.
void check_tokenizer_fits(const config::ModelConfig& mc, const Tokenizer& tok, const std::string& checkpoint,
                          const std::string& tokenizer);

}  // namespace codessm::data
