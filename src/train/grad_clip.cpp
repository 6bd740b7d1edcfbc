// clip_grad_norm: per-tensor norms in one multi-tensor kernel, their norm, one .item(), one multi-tensor scale.
#include "codessm/train/grad_clip.h"

#include <limits>

#include "codessm/kernels/adamw.h"

namespace codessm::train {

namespace {

std::vector<torch::Tensor> defined_grads(const std::vector<torch::Tensor>& params) {
  std::vector<torch::Tensor> g;
  for (auto& p : params)
    if (p.grad().defined()) g.push_back(p.grad());
  return g;
}

}  // namespace

void scale_grads(const std::vector<torch::Tensor>& params, double factor) {
  torch::NoGradGuard no_grad;
  auto g = defined_grads(params);
  if (!g.empty()) at::_foreach_mul_(g, factor);
}

double clip_grad_norm(const std::vector<torch::Tensor>& params, double max_norm) {
  torch::NoGradGuard no_grad;
  auto g = defined_grads(params);
  if (g.empty()) return 0.0;
  auto norms = at::_foreach_norm(g, 2);                                    // one 0-dim tensor per gradient
  // Accumulate in fp32 at least (bf16/fp16 gradients), as clip_grad_norm_ does through its norm; float64
  // gradients keep float64 (the twin's precision there).
  bool f64 = false;
  for (auto& n : norms) f64 = f64 || n.scalar_type() == torch::kFloat64;
  for (auto& n : norms) n = n.to(f64 ? torch::kFloat64 : torch::kFloat32);
  const double total = torch::stack(norms).norm(2).item<double>();        // the one host synchronisation
  const double coef = kernels::clip_factor(total, max_norm);
  if (coef < 1.0) at::_foreach_mul_(g, coef);
  return total;
}

double clip_grad_norm_reference(const std::vector<torch::Tensor>& params, double max_norm) {
  const double clip = max_norm > 0 ? max_norm : std::numeric_limits<double>::max();
  return torch::nn::utils::clip_grad_norm_(params, clip);
}

}  // namespace codessm::train
