// `codessm probe run`: exact DirectProbe on embeddings + labels (or the original's config.ini /
// dataset layout), writing report.json/.md and the original's clusters.txt, prediction.txt,
// dis.txt and log.txt (docs/directprobe.md). Left out of the CLI when CLP is missing.
#include "codessm/core/logging.h"

#include <cstdio>

#include "codessm/probe/run.h"
#include "commands.h"
#include "common_flags.h"

namespace codessm::cli {
namespace {

struct ProbeFlags {
  probe::ProbeRunOptions run;
  std::string duplicates = "keep";
  bool no_caches = false;
  bool print_json = false;
  CommonFlags common;
};

}  // namespace

CLI::App* add_probe_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("probe", "DirectProbe: clusters and accuracy of embeddings per label; probing datasets "
                                          "and layer-wise probes of checkpoints");
  cmd->require_subcommand(1);
  return cmd;
}

void setup_probe_run(CLI::App& cmd) {
  auto f = std::make_shared<ProbeFlags>();
  auto* run = cmd.add_subcommand("run", "cluster training embeddings, predict test points, write the report");
  auto& r = f->run;
  run->add_option("--embeddings", r.embeddings, "training vectors: text (one per line) or .npy (n×d)");
  run->add_option("--labels", r.labels, "training labels, one per line (or the original's entity<TAB>label lines)");
  run->add_option("--test-embeddings", r.test_embeddings, "test vectors (same formats)");
  run->add_option("--test-labels", r.test_labels, "test labels");
  run->add_option("--label-set", r.label_set, "tags file (one label per line); default: the labels seen");
  run->add_option("--dp-config", r.dp_config, "the original DirectProbe's config.ini (paths relative to the cwd)");
  run->add_option("--dp-data", r.dp_data, "a dataset folder in the original layout (labels/, entities/, embeddings/)");
  run->add_option("--layer", r.layer, "with --dp-data: embeddings/layers/{train,test}/<layer>.txt");
  run->add_option("--clusters", r.clusters, "reuse this clusters.txt instead of probing (prediction mode)");
  run->add_flag("--overwrite", r.overwrite, "allow a non-empty output folder");
  run->add_option("--duplicates", f->duplicates,
                  "identical vectors with different labels: keep (stay singletons, reported) or fail")
      ->capture_default_str();
  run->add_flag("--distance-labels", r.distance_labels,
                "labels are tree distances (distance task): also report accuracy per distance, in numeric order");
  run->add_flag("--verify", r.verify, "check the invariants afterwards (certified LPs over all cluster pairs)");
  run->add_flag("!--no-dis", r.write_dis, "skip dis.txt (hull-to-hull distances)");
  run->add_flag("--no-caches", f->no_caches, "disable the certificate caches (same result, more LPs)");
  run->add_option("--precheck-iterations", r.probe.lp.precheck_iterations,
                  "nearest-points cycles before each LP (0 = LP only; same result)")
      ->capture_default_str();
  add_common_flags(run, f->common, kThreads | kOut | kProgress,
                   {"output folder (must be empty or absent)", "", /*out_required=*/true});
  run->add_flag("--json", f->print_json, "print report.json to stdout");
  run->callback([f] {
    f->run.out = f->common.out;
    f->run.probe.threads = f->common.threads;
    f->run.probe.progress = f->common.progress;
    f->run.probe.duplicates = probe::parse_duplicate_policy(f->duplicates);
    f->run.probe.use_caches = !f->no_caches;
    const nlohmann::json rep = probe::run_probe(f->run);
    if (f->print_json) std::printf("%s\n", rep.dump(2).c_str());
    if (rep.contains("accuracy"))
      spdlog::info("probe: {} clusters, accuracy {:.4f}, mean over labels {:.4f}; report in {}",
                   rep["clusters"]["count"].get<int64_t>(), rep["accuracy"]["overall"].get<double>(),
                   rep["accuracy"]["mean_over_labels"].get<double>(), f->run.out.string());
    else
      spdlog::info("probe: {} clusters; report in {}", rep["clusters"]["count"].get<int64_t>(), f->run.out.string());
  });
}

}  // namespace codessm::cli
