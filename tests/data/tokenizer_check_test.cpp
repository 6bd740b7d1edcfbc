// A checkpoint's recorded tokenizer fingerprint must match the tokenizer it is used with: the same vocabulary size
// with other pieces is refused (the case a vocab_size check alone lets through), a checkpoint without a
// fingerprint passes, a vocabulary larger than the model's is refused.
#include <gtest/gtest.h>

#include "codessm/config/presets.h"
#include "codessm/core/error.h"
#include "codessm/data/tokenizer_check.h"
#include "test_utils.h"

namespace codessm::data {
namespace {

/// One id per byte after the five specials; `shift` permutes which byte each id stands for.
class ShiftedBytes : public Tokenizer {
 public:
  explicit ShiftedBytes(int shift) : shift_(shift) {
    for (auto n : {"<pad>", "<s>", "</s>", "<unk>", "<mask>"}) pieces_.push_back(n);
    for (int b = 0; b < 256; ++b) pieces_.push_back(std::string(1, static_cast<char>((b + shift_) % 256)));
    set_specials({0, 1, 2, 3, 4}, {});
  }
  std::string kind() const override { return "bytes"; }
  void encode(std::string_view, std::vector<Token>&) const override {}
  const std::string& token_bytes(int32_t id) const override { return pieces_.at(static_cast<size_t>(id)); }
  int32_t vocab_size() const override { return 261; }
  void save(const std::filesystem::path&) const override {}

 private:
  int shift_;
  std::vector<std::string> pieces_;
};

TEST(TokenizerCheck, AnotherTokenizerOfTheSameSizeIsRefusedNamingBoth) {
  ShiftedBytes a(0), b(1);
  EXPECT_NE(fingerprint_hex(a), fingerprint_hex(b));
  EXPECT_EQ(fingerprint_hex(a).size(), 16u);
  auto mc = config::make_preset("codessm-tiny");
  mc.vocab_size = 261;
  mc.tokenizer_fingerprint = fingerprint_hex(a);
  EXPECT_NO_THROW(check_tokenizer_fits(mc, a, "ckpt-A", "tok-A"));
  EXPECT_THROW_WITH(check_tokenizer_fits(mc, b, "ckpt-A", "tok-B"), UsageError,
                    "tokenizer mismatch: ckpt-A was trained with tokenizer " + fingerprint_hex(a) + " but 'tok-B' is "
                    "tokenizer " + fingerprint_hex(b));
  mc.tokenizer_fingerprint.clear();  // a checkpoint from before fingerprints: checked by size only
  EXPECT_NO_THROW(check_tokenizer_fits(mc, b, "old-ckpt", "tok-B"));
  mc.vocab_size = 100;
  EXPECT_THROW_WITH(check_tokenizer_fits(mc, b, "old-ckpt", "tok-B"), UsageError, "vocab_size 100 is smaller");
}

}  // namespace
}  // namespace codessm::data
