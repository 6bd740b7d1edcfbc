// MasterWeights (master_weights.h): pairs found by identity before and after the cast, swapped into the
// optimizer's groups by position.
#include "codessm/train/master_weights.h"

#include <unordered_map>

#include "codessm/core/error.h"
#include "codessm/kernels/adamw.h"
#include "codessm/tensor/torch_compat.h"

namespace codessm::train {

MasterWeights::MasterWeights(model::CodeModel& model, torch::optim::Optimizer& optimizer, torch::ScalarType dtype) {
  torch::NoGradGuard no_grad;
  // fp32 copies of everything first: which tensors the cast changes is the model's rule, not ours.
  std::unordered_map<const void*, torch::Tensor> before;
  for (auto& p : model->parameters()) {
    CODESSM_REQUIRE(p.scalar_type() == torch::kFloat32, UsageError,
                    "bf16 training with fp32 master weights starts from an fp32 model (a weight is {})",
                    c10::toString(p.scalar_type()));
    before.emplace(p.unsafeGetTensorImpl(), p.detach().clone());
  }
  model->cast_weights(dtype);
  std::unordered_map<const void*, torch::Tensor> master_of;
  for (auto& p : model->parameters())
    if (p.scalar_type() != torch::kFloat32) {
      auto m = before.at(p.unsafeGetTensorImpl());
      master_of.emplace(p.unsafeGetTensorImpl(), m);
      model_.push_back(p);
      master_.push_back(m);
    }
  for (auto& group : optimizer.param_groups())
    for (auto& p : group.params()) {
      auto it = master_of.find(p.unsafeGetTensorImpl());
      if (it != master_of.end()) p = it->second;  // the group now updates the fp32 master
    }
  for (auto& m : master_) m.requires_grad_(true);
  grad_.resize(master_.size());
  for (size_t i = 0; i < master_.size(); ++i) index_of_master_.emplace(master_[i].unsafeGetTensorImpl(), i);
}

bool MasterWeights::can_step_fused(const torch::optim::Optimizer& optimizer) const {
  return dynamic_cast<const FusedAdamW*>(&optimizer) != nullptr && !master_.empty() &&
         kernels::adamw_step_is_fused(master_[0]);
}

torch::Tensor MasterWeights::grad_for(const torch::Tensor& p) const {
  auto it = index_of_master_.find(p.unsafeGetTensorImpl());
  return it != index_of_master_.end() ? model_[it->second].grad() : p.grad();
}

torch::Tensor MasterWeights::grad_norm_tensor(const torch::optim::Optimizer& optimizer) const {
  std::vector<torch::Tensor> g;
  for (const auto& group : optimizer.param_groups())
    for (const auto& p : group.params()) {
      auto gp = grad_for(p);
      if (gp.defined()) g.push_back(gp.is_contiguous() ? gp : gp.contiguous());
    }
  if (g.empty()) {
    const auto dev = model_.empty() ? torch::Device(torch::kCPU) : model_[0].device();
    return torch::zeros({}, torch::TensorOptions(dev).dtype(torch::kFloat32));
  }
  return kernels::global_norm(g).to(torch::kFloat32);
}

double MasterWeights::grad_norm(const torch::optim::Optimizer& optimizer) const {
  return grad_norm_tensor(optimizer).item<double>();
}

void MasterWeights::step_fused(FusedAdamW& optimizer, double grad_scale, const kernels::NormClip* clip) {
  torch::NoGradGuard no_grad;
  optimizer.step_from([this](const torch::Tensor& p) { return grad_for(p); },
                      [this](const torch::Tensor& p) {
                        auto it = index_of_master_.find(p.unsafeGetTensorImpl());
                        return it != index_of_master_.end() ? model_[it->second] : torch::Tensor();
                      },
                      grad_scale, clip);
  discard_gradients();
}

void MasterWeights::discard_gradients() {
  for (auto& p : model_) p.mutable_grad() = torch::Tensor();
}

void MasterWeights::accumulate_gradients() {
  torch::NoGradGuard no_grad;
  // First micro-batch of a step (the optimizer's zero_grad released the masters' gradients): one multi-tensor
  // cast into the kept fp32 buffers. Later micro-batches add in fp32, one add per tensor.
  std::vector<torch::Tensor> dst, src;
  for (size_t i = 0; i < model_.size(); ++i) {
    auto& g = model_[i].mutable_grad();
    if (!g.defined()) continue;
    auto& mg = master_[i].mutable_grad();
    if (mg.defined()) {
      mg.add_(g);
    } else {
      if (!grad_[i].defined() || grad_[i].sizes() != g.sizes() || grad_[i].strides() != g.strides())
        grad_[i] = torch::empty_strided(g.sizes(), g.strides(), g.options().dtype(torch::kFloat32));
      dst.push_back(grad_[i]);
      src.push_back(g);
      mg = grad_[i];
    }
  }
  tensor::foreach_copy(dst, src);
  for (auto& p : model_) p.mutable_grad() = torch::Tensor();  // released: the step holds only fp32 gradients
}

void MasterWeights::masters_to_model() {
  torch::NoGradGuard no_grad;
  tensor::foreach_copy(model_, master_);  // rounds to bf16
}

void MasterWeights::release_to_model() {
  for (size_t i = 0; i < model_.size(); ++i) {
    model_[i].mutable_grad() = torch::Tensor();
    model_[i].set_data(master_[i].detach());
  }
  model_.clear();
  master_.clear();
  grad_.clear();
}

MasterWeights::Fp32Scope::Fp32Scope(MasterWeights* mw) : mw_(mw) {
  if (!mw_) return;
  for (size_t i = 0; i < mw_->model_.size(); ++i) {
    low_.push_back(mw_->model_[i].data());
    mw_->model_[i].set_data(mw_->master_[i].detach());
  }
}

MasterWeights::Fp32Scope::~Fp32Scope() {
  if (!mw_) return;
  for (size_t i = 0; i < low_.size(); ++i) mw_->model_[i].set_data(low_[i]);
}

}  // namespace codessm::train
