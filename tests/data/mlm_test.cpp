// MLM masking (15% selected; 80/10/10), whole-word selection, determinism, sequence packing and the
// LibTorch batcher over real shards.
#include <gtest/gtest.h>

#include <random>

#include "codessm/core/error.h"
#include "codessm/data/mlm_batcher.h"
#include "codessm/data/mlm_masking.h"
#include "codessm/data/sequence_packer.h"
#include "codessm/data/shard_format.h"
#include "test_utils.h"

namespace codessm::data {
namespace {

/// A 1000-id vocabulary: 0-4 pad/bos/eos/unk/mask, 5-9 sentinels; 10-499 "words" (start with a space),
/// 500-999 continuations (identifier bytes only), so whole-word grouping is visible.
class FakeTokenizer : public Tokenizer {
 public:
  FakeTokenizer() {
    const char* names[] = {"<pad>", "<s>", "</s>", "<unk>", "<mask>"};
    for (int i = 0; i < 1000; ++i) {
      if (i < 5) bytes_.push_back(names[i]);
      else if (i < 10) bytes_.push_back("<extra_id_" + std::to_string(i - 5) + ">");
      else if (i < 500) bytes_.push_back(" w" + std::to_string(i));
      else bytes_.push_back("c" + std::to_string(i));
    }
    set_specials({/*pad=*/0, /*bos=*/1, /*eos=*/2, /*unk=*/3, /*mask=*/4}, {5, 6, 7, 8, 9});
  }
  std::string kind() const override { return "fake"; }
  void encode(std::string_view, std::vector<Token>&) const override {}
  const std::string& token_bytes(int32_t id) const override { return bytes_.at(id); }
  int32_t vocab_size() const override { return 1000; }
  void save(const fs::path&) const override {}

 private:
  std::vector<std::string> bytes_;
};

std::vector<int32_t> random_sequence(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<int32_t> ids(n);
  for (auto& id : ids) id = static_cast<int32_t>(rng() % 1000);  // ~1% specials
  return ids;
}

TEST(MlmMasking, StatisticsMatchDevlinWithinTolerance) {
  FakeTokenizer tok;
  MlmMasker masker(tok, MlmOptions{});
  uint64_t eligible = 0, selected = 0, masked = 0, randomized = 0, kept = 0;
  for (uint64_t s = 0; s < 500; ++s) {
    auto orig = random_sequence(2048, s);
    auto ids = orig;
    std::vector<int32_t> labels(ids.size());
    masker.apply(ids.data(), labels.data(), ids.size(), s);
    for (size_t i = 0; i < ids.size(); ++i) {
      if (tok.is_special(orig[i])) {
        ASSERT_EQ(ids[i], orig[i]) << "special tokens are never changed";
        ASSERT_EQ(labels[i], kIgnoreLabel) << "special tokens are never selected";
        continue;
      }
      ++eligible;
      if (labels[i] == kIgnoreLabel) {
        ASSERT_EQ(ids[i], orig[i]);
        continue;
      }
      ASSERT_EQ(labels[i], orig[i]);
      ++selected;
      if (ids[i] == 4) {
        ++masked;
      } else if (ids[i] != orig[i]) {
        ++randomized;
        ASSERT_FALSE(tok.is_special(ids[i]));
      } else {
        ++kept;
      }
    }
  }
  // ~1M eligible tokens: 4+ binomial standard deviations inside these tolerances.
  const double p_sel = double(selected) / eligible, p_mask = double(masked) / selected,
               p_rand = double(randomized) / selected, p_keep = double(kept) / selected;
  EXPECT_NEAR(p_sel, 0.15, 0.002);
  EXPECT_NEAR(p_mask, 0.80, 0.005);
  EXPECT_NEAR(p_rand, 0.10, 0.005);  // a random draw equal to the original (1/990) counts as kept
  EXPECT_NEAR(p_keep, 0.10, 0.005);
  std::cout << "[ mlm     ] " << eligible << " eligible tokens: selected " << p_sel << ", of those mask " << p_mask
            << " random " << p_rand << " kept " << p_keep << "\n";
}

TEST(MlmMasking, DeterministicFromSeedAndStream) {
  FakeTokenizer tok;
  auto run = [&](uint64_t seed, uint64_t stream) {
    MlmOptions o;
    o.seed = seed;
    auto ids = random_sequence(512, 3);
    std::vector<int32_t> labels(ids.size());
    MlmMasker(tok, o).apply(ids.data(), labels.data(), ids.size(), stream);
    return std::make_pair(ids, labels);
  };
  EXPECT_EQ(run(1, 7), run(1, 7));
  EXPECT_NE(run(1, 7), run(2, 7));
  EXPECT_NE(run(1, 7), run(1, 8));
}

TEST(MlmMasking, WholeWordSelectsAllSubwordsTogether) {
  FakeTokenizer tok;
  MlmOptions o;
  o.whole_word = true;
  o.mlm_probability = 0.3;
  MlmMasker masker(tok, o);
  // Words: a word-start (10..499) followed by 0-3 continuations (500..999).
  std::mt19937_64 rng(5);
  std::vector<int32_t> ids;
  std::vector<size_t> word_of;
  for (size_t w = 0; w < 20000; ++w) {
    ids.push_back(10 + rng() % 490), word_of.push_back(w);
    for (int c = rng() % 4; c > 0; --c) ids.push_back(500 + rng() % 500), word_of.push_back(w);
  }
  std::vector<int32_t> labels(ids.size());
  masker.apply(ids.data(), labels.data(), ids.size(), 0);
  size_t words_selected = 0;
  for (size_t i = 1; i < ids.size(); ++i) {
    if (word_of[i] == word_of[i - 1]) {
      ASSERT_EQ(labels[i] != kIgnoreLabel, labels[i - 1] != kIgnoreLabel) << "word split at token " << i;
    } else {
      words_selected += labels[i] != kIgnoreLabel;
    }
  }
  EXPECT_NEAR(double(words_selected) / 20000, 0.3, 0.02);
}

TEST(SequencePacker, PacksAndTruncates) {
  std::vector<std::vector<int32_t>> docs{{10, 11, 12}, {13}, {14, 15, 16, 17, 18, 19, 20}};
  auto source = [&docs](size_t& i) {
    return [&docs, &i](std::vector<int32_t>& d) {
      if (i >= docs.size()) return false;
      d = docs[i++];
      return true;
    };
  };
  FakeTokenizer tok;
  size_t i = 0;
  SequencePacker pack(source(i), tok.special_ids(), PackingOptions{/*context_length=*/5, /*pack=*/true});
  std::vector<std::vector<int32_t>> seqs;
  std::vector<int32_t> s;
  while (pack.next(s)) seqs.push_back(s);
  using V = std::vector<std::vector<int32_t>>;
  EXPECT_EQ(seqs, (V{{1, 10, 11, 12, 2}, {1, 13, 2, 1, 14}, {15, 16, 17, 18, 19}, {20, 2}}));
  size_t j = 0;
  SequencePacker trunc(source(j), tok.special_ids(), PackingOptions{/*context_length=*/5, /*pack=*/false});
  seqs.clear();
  while (trunc.next(s)) seqs.push_back(s);
  EXPECT_EQ(seqs, (V{{1, 10, 11, 12, 2}, {1, 13, 2}, {1, 14, 15, 16, 2}}));
}

TEST(MlmBatcher, YieldsPaddedTensorsFromShards) {
  FakeTokenizer tok;
  auto dir = test::temp_dir("mlm_shards");
  ShardWriter w(dir, 1000, tok.fingerprint());
  for (int d = 0; d < 10; ++d) {
    auto ids = random_sequence(30 + 10 * d, d);
    for (auto& id : ids) id = std::max(id, 10);
    w.add_document(ids);
  }
  w.finish();
  MlmBatcherOptions o;
  o.batch_size = 4;
  o.packing = PackingOptions{/*context_length=*/64, /*pack=*/false};
  MlmBatcher batcher(dir, tok, o);
  auto b = batcher.next();
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->input_ids.sizes(), (torch::IntArrayRef{4, 64}));
  EXPECT_EQ(b->input_ids.dtype(), torch::kLong);
  // Document 0 has 30 ids + <s> + </s> = 32 real positions; the rest is padding.
  EXPECT_EQ(b->attention_mask[0].sum().item<int64_t>(), 32);
  EXPECT_EQ(b->input_ids[0][40].item<int64_t>(), 0);
  EXPECT_EQ(b->labels[0][40].item<int64_t>(), kIgnoreLabel);
  EXPECT_EQ(b->input_ids[0][0].item<int64_t>(), 1);
  EXPECT_EQ(b->labels[0][0].item<int64_t>(), kIgnoreLabel);
  int batches = 1;
  while (batcher.next()) ++batches;
  EXPECT_EQ(batches, 3);  // 10 sequences, batch 4, last batch kept
  batcher.start_epoch(0);
  auto again = batcher.next();
  EXPECT_TRUE(torch::equal(again->input_ids, b->input_ids)) << "same epoch, same masks";
  batcher.start_epoch(1);
  EXPECT_FALSE(torch::equal(batcher.next()->labels, b->labels)) << "a new epoch draws new masks";
  FakeTokenizer other;
  auto shards_other = test::temp_dir("mlm_shards_other");
  ShardWriter w2(shards_other, 1000, /*tokenizer_fingerprint=*/1);
  w2.add_document({10, 11});
  w2.finish();
  EXPECT_THROW_WITH(MlmBatcher(shards_other, other, o), DataError, "were written by another tokenizer");
}

}  // namespace
}  // namespace codessm::data
