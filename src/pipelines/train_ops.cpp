// `codessm pretrain` wiring: prepare_run (train_setup.cpp), the trainer, the report.
#include "codessm/pipelines/train_ops.h"

#include "codessm/report/report.h"
#include "codessm/train/trainer.h"
#include "train_setup.h"

namespace codessm::pipelines {

using nlohmann::json;

config::TrainConfig default_pretrain_config() {
  auto c = config::TrainConfig::for_objective(config::ObjectiveKind::kMlm);
  c.model.name = "codessm-tiny";
  c.mlm.context_length = 128;
  c.mlm.eval_batches = 4;
  c.optim.batch_size = 8;
  c.optim.max_steps = 600;
  c.optim.warmup_steps = 30;
  c.optim.lr = 5e-3;  // a tiny model from scratch learns in minutes only far above the paper's 5e-5
  c.run.eval_every = 100;
  c.run.log_every = 10;
  c.run.save_every = 200;
  c.run.keep_last = 2;
  return c;
}

json run_pretrain(const TrainRunOptions& o) {
  auto r = detail::prepare_run(o, default_pretrain_config(), /*mlm=*/true, "pretrain");
  train::Trainer trainer(r.cfg, r.model, std::move(r.objective), r.options, r.hooks);
  const auto result = trainer.run().to_json();
  if (r.rank == 0)
    report::write_json(o.out / "reports" / "pretrain.json", report::make_envelope("train.pretrain", 1, result, "pretrain"));
  return result;
}

}  // namespace codessm::pipelines
