// `codessm probe dataset` and `codessm probe layers` (docs/probing.md): probing datasets for the AST
// distance / siblings / data-flow tasks, and layer-wise DirectProbe of checkpoints on them. They hang under
// `probe` (cli/main.cpp adds them to the command add_probe_command creates).
#include "codessm/core/logging.h"

#include <memory>

#include "codessm/core/error.h"
#include "codessm/layer_probe/dataset.h"
#include "codessm/layer_probe/layer_probe.h"
#include "commands.h"
#include "common_flags.h"

namespace codessm::cli {
namespace {

struct DatasetFlags {
  std::filesystem::path functions, out;
  std::string language = "python", task;
  layer_probe::DatasetOptions opt;
};

void setup_probe_dataset(CLI::App& probe_cmd) {
  auto f = std::make_shared<DatasetFlags>();
  auto* app = probe_cmd.add_subcommand("dataset", "sample a probing dataset (distance, siblings or dfg token pairs)");
  app->add_option("--functions", f->functions,
                  "CodeSearchNet-style JSONL (original_string/code, sha) from `codessm corpus build`, or a source "
                  "file/folder")
      ->required();
  app->add_option("--language", f->language, "python, java, javascript, go, ruby, php, ...")->capture_default_str();
  app->add_option("--task", f->task, "distance (labels 2..6), siblings (0/1) or dfg (-1 computedFrom, 0, 1 comesFrom)")
      ->required();
  app->add_option("--out", f->out, "dataset file to write (JSON)")->required();
  app->add_option("--seed", f->opt.seed, "seed of every random draw")->capture_default_str();
  app->add_option("--max-functions", f->opt.max_functions,
                  "functions drawn (0 = the original's 160 distance / 100 siblings / 130 dfg)")
      ->capture_default_str();
  app->add_option("--per-label", f->opt.per_label,
                  "pairs per label (0 = 1300 distance / 1500 others); fewer when a label has fewer candidates")
      ->capture_default_str();
  app->add_option("--test-fraction", f->opt.test_fraction, "share of pairs in the test split")->capture_default_str();
  app->add_option("--max-function-bytes", f->opt.max_function_bytes, "skip longer functions (0 = no limit)")
      ->capture_default_str();
  app->callback([f] {
    const auto lang = parse::language_from_name(f->language);
    CODESSM_REQUIRE(lang.has_value(), UsageError, "--language '{}' is not a language parse knows", f->language);
    f->opt.language = *lang;
    f->opt.task = layer_probe::task_from_name(f->task);
    const auto fns = layer_probe::read_source_functions(f->functions, *lang);
    const auto ds = layer_probe::build_probe_dataset(fns, f->opt);
    layer_probe::save_dataset(ds, f->out);
    spdlog::info("probe dataset: {} {} from {} of {} functions: {} train / {} test pairs, {} per label; {}",
                 f->task, f->language, ds.functions.size(), fns.size(), ds.train.size(), ds.test.size(),
                 ds.provenance.at("per_label").dump(), f->out.string());
  });
}

struct LayersFlags {
  layer_probe::LayerProbeOptions opt;
  std::string duplicates = "keep";
  std::vector<std::string> models;
  CommonFlags common;
};

void setup_layers(CLI::App& probe_cmd) {
  auto f = std::make_shared<LayersFlags>();
  auto& o = f->opt;
  auto* app = probe_cmd.add_subcommand(
      "layers", "pair vectors of every layer of checkpoints on probing datasets, DirectProbe per layer, figures");
  // The models, positional as in every other command (several: one plot); --checkpoint is the old spelling.
  app->add_option("model", f->models, "model folders (several for one plot)");
  app->add_option("--checkpoint", f->models, "(old spelling of the positional MODEL...)")->group("");
  app->add_option("--name", o.names, "display name per model (default: folder names)");
  app->add_option("--tokenizer", o.tokenizer,
                  "tokenizer folder the checkpoints were trained with (checked against each checkpoint's recorded "
                  "tokenizer; default: the one saved in the first checkpoint)");
  app->add_option("--dataset", o.datasets, "dataset file from `codessm probe dataset` (repeat: one per task)")
      ->required();
  app->add_option("--layers", o.layers, "layers to probe (default: all; 0 = embeddings)")->delimiter(',');
  app->add_option("--distance-layers", o.distance_layers,
                  "layers in the accuracy-by-distance figure (default: first, middle, last)")
      ->delimiter(',');
  app->add_option("--max-tokens", o.max_tokens, "longest model input (0 = the checkpoint's context)")
      ->capture_default_str();
  app->add_option("--duplicates", f->duplicates,
                  "identical vectors with different labels: keep (stay singletons, reported) or fail")
      ->capture_default_str();
  app->add_flag("!--no-vectors", o.keep_vectors, "delete the float32 pair vectors after probing");
  add_common_flags(app, f->common, kThreads | kOut | kProgress, {"output folder", "", /*out_required=*/true});
  app->callback([f] {
    if (f->models.empty()) throw UsageError("probe layers: give at least one MODEL (a checkpoint folder)");
    apply_common_flags(f->common);
    f->opt.checkpoints.assign(f->models.begin(), f->models.end());
    if (f->opt.tokenizer.empty()) f->opt.tokenizer = f->opt.checkpoints.front();
    f->opt.out = f->common.out;
    f->opt.probe.threads = f->common.threads;
    f->opt.progress = f->common.progress;
    f->opt.probe.duplicates = probe::parse_duplicate_policy(f->duplicates);
    f->opt.probe.progress = false;  // one bar per model × task instead of one per layer
    layer_probe::run_layer_probes(f->opt);
  });
}

}  // namespace

void setup_probe_layers(CLI::App& probe_cmd) {
  setup_probe_dataset(probe_cmd);
  setup_layers(probe_cmd);
}

}  // namespace codessm::cli
