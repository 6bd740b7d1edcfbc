#include "codessm/data/tokenizer_check.h"

#include <fmt/format.h>

#include "codessm/core/error.h"
#include "codessm/core/logging.h"

namespace codessm::data {

std::string fingerprint_hex(const Tokenizer& tok) { return fmt::format("{:016x}", tok.fingerprint()); }

void check_tokenizer_fits(const config::ModelConfig& mc, const Tokenizer& tok, const std::string& checkpoint,
                          const std::string& tokenizer) {
  const std::string fp = fingerprint_hex(tok);
  if (mc.tokenizer_fingerprint.empty()) {
    spdlog::warn("{} records no tokenizer fingerprint (written before codessm checked them); assuming '{}' is the "
                 "tokenizer it was trained with",
                 checkpoint, tokenizer);
  } else if (mc.tokenizer_fingerprint != fp) {
    throw UsageError(fmt::format(
        "tokenizer mismatch: {} was trained with tokenizer {} but '{}' is tokenizer {} ({} ids); use the tokenizer "
        "the checkpoint was trained with (a codessm checkpoint carries a copy of it: pass the checkpoint folder as "
        "the tokenizer)",
        checkpoint, mc.tokenizer_fingerprint, tokenizer, fp, tok.vocab_size()));
  }
  CODESSM_REQUIRE(mc.vocab_size >= tok.vocab_size(), UsageError,
                  "{}: vocab_size {} is smaller than the {} ids of tokenizer '{}'; use the tokenizer the model was "
                  "trained with",
                  checkpoint, mc.vocab_size, tok.vocab_size(), tokenizer);
}

}  // namespace codessm::data
