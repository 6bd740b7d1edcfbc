// FusedAdamW: collect each group's parameters, gradients and moments, bump the step counts, one fused call.
// The moments live in the ordinary AdamWParamState, so state_dict/serialize are AdamW's own.
#include "codessm/train/fused_adamw.h"

#include "codessm/core/error.h"
#include "codessm/kernels/adamw.h"
#include "codessm/tensor/torch_compat.h"

namespace codessm::train {

torch::optim::AdamWParamState& FusedAdamW::state_of(const torch::Tensor& p) {
  auto key = tensor::optimizer_state_key(state_, p);
  auto it = state_.find(key);
  if (it == state_.end()) {
    auto st = std::make_unique<torch::optim::AdamWParamState>();
    st->step(0);
    st->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Preserve));
    st->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Preserve));
    it = state_.emplace(key, std::move(st)).first;
  }
  return static_cast<torch::optim::AdamWParamState&>(*it->second);
}

void FusedAdamW::step_from(const TensorOf& grad_of, const TensorOf& output_of, double grad_scale,
                           const kernels::NormClip* clip) {
  torch::NoGradGuard no_grad;
  kernels::AdamWTensors t;
  last_stepped_.clear();
  for (auto& group : param_groups()) {
    auto& o = static_cast<torch::optim::AdamWOptions&>(group.options());
    CODESSM_REQUIRE(!o.amsgrad(), UsageError, "FusedAdamW::step_from: amsgrad is not supported");
    for (auto& p : group.params()) {
      auto g = grad_of(p);
      if (!g.defined()) continue;
      CODESSM_REQUIRE(p.scalar_type() == torch::kFloat32, UsageError,
                      "FusedAdamW::step_from: parameters must be fp32 (the masters), got {}",
                      c10::toString(p.scalar_type()));
      auto& st = state_of(p);
      st.step(st.step() + 1);
      last_stepped_.push_back(&st);
      t.params.push_back(p);
      t.grads.push_back(g.contiguous());
      t.exp_avgs.push_back(st.exp_avg());
      t.exp_avg_sqs.push_back(st.exp_avg_sq());
      t.outputs.push_back(output_of(p));
      t.steps.push_back({o.lr(), std::get<0>(o.betas()), std::get<1>(o.betas()), o.eps(), o.weight_decay(), st.step()});
    }
  }
  kernels::adamw_step(t, grad_scale, clip);
  last_fused_ = !t.params.empty() && kernels::adamw_step_is_fused(t.params[0]);
}

void FusedAdamW::undo_last_step_counts() {
  for (auto* st : last_stepped_) st->step(st->step() - 1);
  last_stepped_.clear();
}

torch::Tensor FusedAdamW::step(LossClosure closure) {
  bool fusable = true;
  for (auto& g : param_groups())
    for (auto& p : g.params())
      if (p.grad().defined() && (!tensor::has_fused_adamw(p) || p.scalar_type() != torch::kFloat32 ||
                                 p.grad().is_sparse()))
        fusable = false;
  for (auto& g : param_groups())
    if (static_cast<torch::optim::AdamWOptions&>(g.options()).amsgrad()) fusable = false;
  last_fused_ = fusable;
  if (!fusable) return torch::optim::AdamW::step(closure);

  torch::NoGradGuard no_grad;
  torch::Tensor loss;
  if (closure) {
    at::AutoGradMode enable_grad(true);
    loss = closure();
  }
  for (auto& group : param_groups()) {
    auto& o = static_cast<torch::optim::AdamWOptions&>(group.options());
    std::vector<torch::Tensor> params, grads, m1, m2, steps;
    std::vector<float> step_values;
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      auto& st = state_of(p);
      st.step(st.step() + 1);
      params.push_back(p);
      grads.push_back(p.grad());
      m1.push_back(st.exp_avg());
      m2.push_back(st.exp_avg_sq());
      step_values.push_back(static_cast<float>(st.step()));
    }
    if (params.empty()) continue;
    // The kernel reads each parameter's step from a device scalar: one small host-to-device copy per group,
    // from page-locked memory and asynchronous — from pageable memory the copy waits for the whole queue.
    auto host = torch::from_blob(step_values.data(), {static_cast<int64_t>(step_values.size())}, torch::kFloat32)
                    .pin_memory();
    auto dev = host.to(params[0].device(), torch::kFloat32, /*non_blocking=*/true);  // r(P)
    for (int64_t i = 0; i < dev.size(0); ++i) steps.push_back(dev.select(0, i));
    tensor::fused_adamw(params, grads, m1, m2, steps, o.lr(), std::get<0>(o.betas()), std::get<1>(o.betas()),
                        o.weight_decay(), o.eps());
  }
  return loss;
}

}  // namespace codessm::train
