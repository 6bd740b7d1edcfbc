#include "common_flags.h"

#include <torch/torch.h>

namespace codessm::cli {

void add_common_flags(CLI::App* cmd, CommonFlags& f, unsigned which, const CommonHelp& help) {
  if (which & kDevice) cmd->add_option("--device", f.device, "cpu, cuda, cuda:N or auto");
  if (which & kDtype) cmd->add_option("--dtype", f.dtype, help.dtype);
  if (which & kThreads) cmd->add_option("--threads", f.threads, "CPU threads (0 = the default: all cores)");
  if (which & kSeed) cmd->add_option("--seed", f.seed, "random seed");
  if (which & kOut) {
    auto* o = cmd->add_option("--out", f.out, help.out);
    if (help.out_required) o->required();
  }
  if (which & kProgress) cmd->add_flag("!--no-progress", f.progress, "no progress bar");
}

void apply_common_flags(const CommonFlags& f) {
  if (f.threads > 0) torch::set_num_threads(f.threads);
}

CLI::Option* add_model_argument(CLI::App* cmd, std::string& model, const std::string& help, bool required) {
  // Named MODEL, not "model": CLI11 >= 2.2 refuses a positional and a long option of one name ("model is already
  // added" at start-up, seen with the GPU machine's CLI11); Debian's 2.1 accepted it.
  auto* pos = cmd->add_option("MODEL", model, help);
  // The old spelling, hidden (an empty group); it fills the same string.
  auto* old = cmd->add_option("--model", model, "(old spelling of the positional MODEL)")->group("");
  pos->excludes(old);
  if (required) {
    // Exactly one of the two must be given; checked once the command is parsed, before it runs.
    cmd->parse_complete_callback([cmd, &model] {
      if (model.empty()) throw CLI::RequiredError(cmd->get_name() + ": MODEL (a checkpoint folder or preset)");
    });
  }
  return pos;
}

}  // namespace codessm::cli
