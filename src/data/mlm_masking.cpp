// BERT-style MLM masking with a counter-based random stream per sequence (SplitMix64 over
// (seed, stream)), which makes masks reproducible regardless of batching.
#include "codessm/data/mlm_masking.h"

#include "codessm/core/error.h"

namespace codessm::data {

namespace {

/// SplitMix64 (Steele et al. 2014): a tiny, well-mixed generator; good enough for masking decisions.
struct SplitMix64 {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  /// Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }
  /// Uniform integer in [0, n), n > 0 (Lemire's multiply-shift; bias < n / 2^64).
  uint64_t below(uint64_t n) { return static_cast<uint64_t>((static_cast<unsigned __int128>(next()) * n) >> 64); }
};

bool is_ident_byte(unsigned char c) {
  return c >= 0x80 || c == '_' || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

}  // namespace

MlmMasker::MlmMasker(const Tokenizer& tok, MlmOptions options) : options_(options), mask_id_(tok.special_ids().mask) {
  CODESSM_REQUIRE(mask_id_ >= 0, UsageError, "MLM masking needs a <mask> token, and this {} tokenizer has none",
                  tok.kind());
  CODESSM_REQUIRE(options_.mlm_probability >= 0 && options_.mlm_probability <= 1, UsageError,
                  "--mlm-probability must be in [0, 1], got {}", options_.mlm_probability);
  CODESSM_REQUIRE(options_.mask_ratio >= 0 && options_.random_ratio >= 0 &&
                      options_.mask_ratio + options_.random_ratio <= 1,
                  UsageError, "mask_ratio {} + random_ratio {} must be within [0, 1]", options_.mask_ratio,
                  options_.random_ratio);
  const int32_t V = tok.vocab_size();
  special_.resize(V);
  starts_ident_.resize(V);
  ends_ident_.resize(V);
  for (int32_t id = 0; id < V; ++id) {
    special_[id] = tok.is_special(id);
    const std::string& b = tok.token_bytes(id);
    if (!special_[id]) random_pool_.push_back(id);
    starts_ident_[id] = !special_[id] && !b.empty() && is_ident_byte(b.front());
    ends_ident_[id] = !special_[id] && !b.empty() && is_ident_byte(b.back());
  }
  CODESSM_REQUIRE(!random_pool_.empty(), UsageError, "the vocabulary has no non-special token to sample");
}

void MlmMasker::apply(int32_t* ids, int32_t* labels, size_t n, uint64_t stream) const {
  SplitMix64 rng{options_.seed * 0x9E3779B97F4A7C15ull ^ (stream + 0x632BE59BD9B4E019ull)};
  rng.next();
  const int32_t V = static_cast<int32_t>(special_.size());
  bool word_selected = false;
  int32_t prev = -1;  // original id of the previous token; -1 after a special token
  for (size_t i = 0; i < n; ++i) {
    const int32_t id = ids[i];
    CODESSM_REQUIRE(id >= 0 && id < V, DataError, "token id {} at position {} is outside the vocabulary [0, {})", id,
                    i, V);
    labels[i] = kIgnoreLabel;
    if (special_[id]) {
      prev = -1;
      continue;
    }
    // In whole-word mode a continuation token inherits its word's selection; otherwise draw.
    bool selected;
    if (options_.whole_word && prev >= 0 && ends_ident_[prev] && starts_ident_[id]) {
      selected = word_selected;
    } else {
      selected = rng.uniform() < options_.mlm_probability;
      word_selected = selected;
    }
    prev = id;
    if (!selected) continue;
    labels[i] = id;
    const double u = rng.uniform();
    if (u < options_.mask_ratio) {
      ids[i] = mask_id_;
    } else if (u < options_.mask_ratio + options_.random_ratio) {
      ids[i] = random_pool_[rng.below(random_pool_.size())];
    }
  }
}

}  // namespace codessm::data
