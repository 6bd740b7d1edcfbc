#include "common_flags.h"

#include <torch/torch.h>

namespace codessm::cli {

void add_runtime_flags(CLI::App& app, RuntimeFlags& f) {
  app.add_option("--device", f.device, "cpu, cuda, cuda:N or auto")->capture_default_str();
  app.add_option("--dtype", f.dtype, "compute dtype: fp32, bf16 (autocast; FFTs stay fp32) or fp64")->capture_default_str();
  app.add_option("--seed", f.seed, "random seed")->capture_default_str();
  app.add_option("--threads", f.threads, "CPU threads for LibTorch (0 = default)")->capture_default_str();
}

void apply_runtime_flags(const RuntimeFlags& f) {
  if (f.threads > 0) torch::set_num_threads(f.threads);
  torch::manual_seed(f.seed);
}

}  // namespace codessm::cli
