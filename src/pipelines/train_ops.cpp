// `codessm pretrain` wiring: config resolution, tokenizer and model set-up, the spectral hook, the trainer.
#include "codessm/pipelines/train_ops.h"

#include "codessm/config/presets.h"
#include "codessm/core/error.h"
#include "codessm/core/logging.h"
#include "codessm/data/tokenizer.h"
#include "codessm/model/checkpoint.h"
#include "codessm/pipelines/model_ops.h"
#include "codessm/report/report.h"
#include "codessm/tensor/device.h"
#include "codessm/train/trainer.h"
#include "train_setup.h"

namespace codessm::pipelines {

using nlohmann::json;

config::TrainConfig default_pretrain_config() {
  config::TrainConfig c;
  c.model = "codessm-tiny";
  c.context_length = 128;
  c.batch_size = 8;
  c.max_steps = 600;
  c.warmup_steps = 30;
  c.lr = 5e-3;  // a tiny model from scratch learns in minutes only far above the paper's 5e-5
  c.eval_every = 100;
  c.eval_batches = 4;
  c.log_every = 10;
  c.save_every = 200;
  c.keep_last = 2;
  return c;
}


json run_pretrain(const PretrainOptions& o) {
  CODESSM_REQUIRE(!o.out.empty(), UsageError, "pretrain: --out RUN_DIR is required");
  auto cfg = detail::resolve_train_config(o.config_file, o.resume, o.out, o.overrides, default_pretrain_config(),
                                          "pretrain");
  CODESSM_REQUIRE(cfg.task == "mlm", UsageError,
                  "pretrain: task is '{}'; fine-tuning tasks run with `codessm finetune --task {}`", cfg.task, cfg.task);
  int64_t rank = 0;
  auto sync = detail::setup_distributed(cfg, &rank);
  tensor::set_seed(cfg.seed);
  std::shared_ptr<const data::Tokenizer> tok = data::load_tokenizer(cfg.tokenizer);
  model::CodeModel model{nullptr};
  if (config::is_preset(cfg.model)) {
    model = model::CodeModel(detail::preset_sized_to(cfg.model, cfg.model_overrides, *tok, cfg.context_length));
  } else {
    if (!cfg.model_overrides.empty())
      spdlog::warn("model_overrides are ignored when starting from checkpoint '{}': its config.json wins", cfg.model);
    model = model::load_pretrained(cfg.model);
  }
  auto hooks = detail::make_hooks(cfg, model->config());
  const auto to = detail::trainer_options(o, sync);
  train::Trainer trainer(cfg, model, tok, to, hooks);
  const auto result = trainer.run().to_json();
  if (rank == 0)
    report::write_json(o.out / "reports" / "pretrain.json", report::make_envelope("train.pretrain", 1, result, "pretrain"));
  return result;
}

}  // namespace codessm::pipelines
