// `codessm interpret`: spectral analysis of every SSM kernel of a checkpoint (SSM-Interpret §4), or the
// spectral shift between two checkpoints (--compare A B). Reports: docs/interpret.md.
#include <torch/torch.h>

#include <memory>
#include <sstream>

#include "codessm/core/error.h"
#include "codessm/interpret/run_interpret.h"
#include "commands.h"
#include "common_flags.h"

namespace codessm::cli {
namespace {

struct InterpretFlags {
  interpret::InterpretRunOptions run;
  std::string checkpoint;
  std::vector<std::string> compare;
  std::string thresholds, bands;
  bool no_figures = false;
  CommonFlags common;
};

/// "0.1,0.4" → low/high fractions of the LHFR bands.
interpret::BandOptions parse_bands(const std::string& s) {
  interpret::BandOptions b;
  std::stringstream ss(s);
  char comma = 0;
  if (!(ss >> b.low_fraction >> comma >> b.high_fraction) || comma != ',' || !ss.eof())
    throw UsageError("--lhfr-bands '" + s + "': expected LOW,HIGH fractions of the bins, e.g. 0.1,0.4");
  b.validate();
  return b;
}

}  // namespace

void setup_interpret(CLI::App& app) {
  auto f = std::make_shared<InterpretFlags>();
  auto* cmd = app.add_subcommand(
      "interpret", "classify every SSM kernel as low/band/high-pass from its spectrum; --compare two checkpoints");
  add_model_argument(cmd, f->checkpoint, "checkpoint folder (config.json + safetensors) or .safetensors file",
                     /*required=*/false);
  cmd->add_option("--compare", f->compare, "compare two checkpoints (or interpret.json files): A B")->expected(2);
  cmd->add_option("--length", f->run.analysis.length,
                  "kernel length L (default: the model's pretraining context, else max_position_embeddings)");
  cmd->add_flag("--include-skip", f->run.analysis.include_skip, "analyse K + D·δ₀ instead of K");
  cmd->add_option("--thresholds", f->thresholds,
                  "class thresholds key=value,... with keys sc_low (0.1667), sc_high (0.3333), lhfr_low (10), "
                  "lhfr_high (1)");
  cmd->add_option("--lhfr-bands", f->bands, "LHFR low,high band as fractions of the bins (default 0.1,0.4)");
  cmd->add_option("--fir-length", f->run.analysis.fir_length, "frequency grid of the HF conv taps")
      ->capture_default_str();
  cmd->add_option("--sc-epsilon", f->run.compare.sc_epsilon,
                  "--compare: mean SC change that counts as a move toward high/low frequency")
      ->capture_default_str();
  cmd->add_flag("--no-figures", f->no_figures, "write JSON, Markdown and CSV only");
  cmd->add_option("--max-kernel-figures", f->run.report.max_kernel_figures, "per-filter figures at most")
      ->capture_default_str();
  cmd->add_option("--max-json-curves", f->run.report.max_json_curves,
                  "filters whose kernel and spectrum samples go into interpret.json for `codessm report` (-1 = all)")
      ->capture_default_str();
  add_common_flags(cmd, f->common, kThreads | kOut,
                   {"output folder for JSON, Markdown, CSV and figures", "", /*out_required=*/true});
  cmd->callback([f] {
    apply_common_flags(f->common);
    f->run.out = f->common.out;
    if (!f->compare.empty()) {
      f->run.compare_a = f->compare.at(0);
      f->run.compare_b = f->compare.at(1);
    }
    f->run.checkpoint = f->checkpoint;
    if (!f->thresholds.empty()) f->run.analysis.thresholds = interpret::ClassThresholds::parse(f->thresholds);
    if (!f->bands.empty()) f->run.analysis.bands = parse_bands(f->bands);
    f->run.analysis.progress = true;
    f->run.report.figures = !f->no_figures;
    // The command as reproducible from the JSON: paths and every analysis knob that changes a number.
    auto& a = f->run.analysis;
    f->run.report.command = "codessm interpret " +
                            (f->compare.empty() ? f->checkpoint : "--compare " + f->compare[0] + " " + f->compare[1]) +
                            " --out " + f->run.out.string() + (a.length ? " --length " + std::to_string(a.length) : "") +
                            (a.include_skip ? " --include-skip" : "") +
                            (f->thresholds.empty() ? "" : " --thresholds " + f->thresholds) +
                            (f->bands.empty() ? "" : " --lhfr-bands " + f->bands);
    interpret::run_interpret(f->run);
  });
}

}  // namespace codessm::cli
