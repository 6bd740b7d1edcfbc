// 2-process Gloo data parallelism (two ranks as threads of this test, rendezvous through a FileStore) gives the
// same gradients and the same AdamW update as one process on the combined batch.
#include <gtest/gtest.h>

#include <functional>
#include <thread>

#include "codessm/core/error.h"
#include "codessm/data/mlm_batcher.h"
#include "codessm/train/data_parallel.h"
#include "codessm/train/mlm_objective.h"
#include "codessm/model/checkpoint.h"
#include "codessm/train/optimizer_groups.h"
#include "codessm/train/trainer.h"
#include "train_fixtures.h"

namespace codessm::train {
namespace {

/// codessm-tiny without dropout (the ranks' RNG streams differ), seeded identically on every rank.
model::CodeModel deterministic_model() {
  auto cfg = config::make_preset("codessm-tiny");
  cfg.hidden_dropout_prob = 0.0;
  tensor::set_seed(7);
  return model::CodeModel(cfg);
}

std::vector<torch::Tensor> trainable(model::CodeModel& m) {
  std::vector<torch::Tensor> out;
  for (auto& p : m->parameters())
    if (p.requires_grad()) out.push_back(p);
  return out;
}

/// Runs `body(rank, sync)` for ranks 0 and 1 on two threads, each with its own ProcessGroupSync over one fresh
/// FileStore (as two processes would); returns each rank's error message ("" = none).
std::vector<std::string> run_two_ranks(const std::string& name,
                                       const std::function<void(int, std::shared_ptr<ProcessGroupSync>)>& body) {
  const std::string store = (test::temp_dir(name) / "rendezvous").string();
  std::vector<std::string> errors(2);
  std::vector<std::thread> threads;
  for (int r = 0; r < 2; ++r) {
    threads.emplace_back([&, r] {
      try {
        DistributedOptions o;
        o.rank = r;
        o.world_size = 2;
        o.file_store = store;
        o.bucket_bytes = 64 << 10;  // several buckets even for the tiny model
        body(r, std::make_shared<ProcessGroupSync>(o));
      } catch (const std::exception& e) {
        errors[r] = e.what();
      }
    });
  }
  for (auto& t : threads) t.join();
  return errors;
}

/// Gradient of rows [begin, end) of `batch`, normalised by `total_masked` masked tokens, then one AdamW step.
void step_on_rows(model::CodeModel& m, torch::optim::AdamW& opt, const data::MlmBatch& batch, int64_t begin,
                  int64_t end, ProcessGroupSync* sync) {
  data::MlmBatch part{batch.input_ids.slice(0, begin, end), batch.attention_mask.slice(0, begin, end),
                      batch.labels.slice(0, begin, end)};  // (b, L) each
  opt.zero_grad();
  auto logits = m->forward(model::ModelInput{part.input_ids, part.attention_mask, {}}).logits;  // (b, L, V)
  double local = static_cast<double>(part.labels.ne(data::kIgnoreLabel).sum().item<int64_t>());
  const double total = sync ? sync->all_reduce_sum(local) : local;
  (mlm_loss_sum(logits, part.labels) / total).backward();
  if (sync) sync->all_reduce_gradients(trainable(m));
  opt.step();
}

TEST(DataParallel, TwoGlooRanksMatchOneProcessOnTheCombinedBatch) {
  if (!ProcessGroupSync::available()) GTEST_SKIP() << "this LibTorch has no c10d Gloo headers";
  test::ByteTokenizer tok;
  const auto shards = test::write_python_shards(test::temp_dir("dp_shards"), tok, 4);
  data::MlmBatcherOptions bo;
  bo.batch_size = 8;
  bo.packing.context_length = 64;
  data::MlmBatcher batcher(shards, tok, bo);
  const auto batch = *batcher.next();
  config::OptimConfig cfg;
  cfg.lr = 1e-3;

  auto single = deterministic_model();
  auto single_opt = make_adamw(single, cfg);
  step_on_rows(single, *single_opt, batch, 0, 8, nullptr);

  std::vector<model::CodeModel> ranks{deterministic_model(), deterministic_model()};
  auto errors = run_two_ranks("dp_store", [&](int r, std::shared_ptr<ProcessGroupSync> sync) {
    sync->broadcast_parameters(trainable(ranks[r]));
    auto opt = make_adamw(ranks[r], cfg);
    step_on_rows(ranks[r], *opt, batch, 4 * r, 4 * r + 4, sync.get());
  });
  ASSERT_EQ(errors[0], "");
  ASSERT_EQ(errors[1], "");
  auto a = single->named_parameters(), b0 = ranks[0]->named_parameters(), b1 = ranks[1]->named_parameters();
  for (auto& p : a) {
    EXPECT_TRUE(torch::equal(b0[p.key()], b1[p.key()])) << p.key() << ": the ranks diverged";
    EXPECT_TRUE(torch::allclose(p.value(), b0[p.key()], /*rtol=*/1e-5, /*atol=*/1e-7)) << p.key();
  }
}

TEST(DataParallel, TrainerOnTwoRanksMatchesOneProcessWithTheCombinedBatch) {
  if (!ProcessGroupSync::available()) GTEST_SKIP() << "this LibTorch has no c10d Gloo headers";
  auto tok = std::make_shared<test::ByteTokenizer>();
  const auto shards = test::write_python_shards(test::temp_dir("dp_trainer_shards"), *tok, 6);
  auto cfg = test::tiny_train_config(shards);
  cfg.mlm.eval_shards = shards.string();  // no hold-out: the two streams then cut batches at the same sequences
  cfg.optim.max_steps = 3;
  cfg.run.save_every = 0;
  auto run = [&](int64_t batch_size, const std::filesystem::path& dir, std::shared_ptr<GradientSync> sync,
                 model::CodeModel model) {
    auto c = cfg;
    c.optim.batch_size = batch_size;
    TrainOptions o;
    o.run_dir = dir;
    o.progress = false;
    o.sync = std::move(sync);
    return Trainer(c, std::move(model), make_mlm_objective(c, tok), o).run();
  };
  const auto single = run(8, test::temp_dir("dp_single"), nullptr, deterministic_model());

  const auto dp_dir = test::temp_dir("dp_ranks");
  std::vector<TrainResult> results(2);
  // Built here, not in the threads: seeding and init draw from the one global generator.
  std::vector<model::CodeModel> models{deterministic_model(), deterministic_model()};
  auto errors = run_two_ranks("dp_trainer_store", [&](int r, std::shared_ptr<ProcessGroupSync> sync) {
    results[r] = run(4, dp_dir, std::move(sync), models[r]);
  });
  ASSERT_EQ(errors[0], "");
  ASSERT_EQ(errors[1], "");
  EXPECT_NEAR(results[0].last_loss, single.last_loss, 1e-5);
  EXPECT_TRUE(results[1].last_checkpoint.empty()) << "rank 1 must not write checkpoints";
  auto a = model::load_pretrained(single.last_checkpoint), b = model::load_pretrained(results[0].last_checkpoint);
  auto pb = b->named_parameters();
  for (auto& p : a->named_parameters())
    EXPECT_TRUE(torch::allclose(p.value(), pb[p.key()], /*rtol=*/1e-4, /*atol=*/1e-6)) << p.key();
}

TEST(DataParallel, BadRankIsAUsageError) {
  DistributedOptions o;
  o.rank = 2;
  o.world_size = 2;
  EXPECT_THROW(ProcessGroupSync{o}, UsageError);
}

}  // namespace
}  // namespace codessm::train
