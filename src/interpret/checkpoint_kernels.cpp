#include "codessm/interpret/checkpoint_kernels.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <regex>
#include <set>
#include <tuple>

#include "codessm/core/error.h"
#include "codessm/model/param_names.h"
#include "codessm/tensor/safetensors.h"

namespace codessm::interpret {

// ---- tensor sources ----

MapTensorSource::MapTensorSource(std::map<std::string, torch::Tensor> tensors, std::string description)
    : tensors_(std::move(tensors)), description_(std::move(description)) {}

std::vector<std::string> MapTensorSource::names() const {
  std::vector<std::string> n;
  for (auto& [k, v] : tensors_) n.push_back(k);
  return n;
}

torch::Tensor MapTensorSource::load(const std::string& name) const {
  auto it = tensors_.find(name);
  CODESSM_REQUIRE(it != tensors_.end(), DataError, "{}: no tensor '{}'", description_, name);
  return it->second.detach();
}

std::vector<int64_t> MapTensorSource::shape(const std::string& name) const { return load(name).sizes().vec(); }

std::vector<std::string> StoreTensorSource::names() const { return store_.names(); }
bool StoreTensorSource::contains(const std::string& name) const { return store_.contains(name); }
torch::Tensor StoreTensorSource::load(const std::string& name) const { return store_.load(name); }
std::vector<int64_t> StoreTensorSource::shape(const std::string& name) const { return store_.entry(name).shape; }
std::string StoreTensorSource::describe() const { return store_.describe(); }

// ---- names ----

std::string to_string(Direction d) { return d == Direction::kForward ? "forward" : "backward"; }
std::string to_string(FilterKind k) { return k == FilterKind::kSsm ? "ssm" : "conv"; }

KernelLayout find_kernel_layout(const std::vector<std::string>& names) {
  // The SSM block is identified by its kernel's log_step, the conv by its weight (model/param_names.h).
  namespace pn = model::param_names;
  auto esc = [](std::string s) { return std::regex_replace(s, std::regex(R"(\.)"), R"(\.)"); };
  static const std::regex re(fmt::format(R"(^(.*){}\.(\d+)\.({}|{}|{}|{})\.({}\.{}|weight)$)", esc(pn::kEncoderLayers),
                                         pn::kForwardSsm, pn::kBackwardSsm, pn::kForwardConv, pn::kBackwardConv,
                                         pn::kKernel, pn::kLogStep));
  const std::string log_step_suffix = fmt::format("{}.{}", pn::kKernel, pn::kLogStep);
  KernelLayout layout;
  std::set<std::string> prefixes;
  for (auto& n : names) {
    std::smatch m;
    if (!std::regex_match(n, m, re)) continue;
    const std::string block = m[3];
    const bool ssm = block == pn::kForwardSsm || block == pn::kBackwardSsm;
    if (ssm != (m[4] == log_step_suffix)) continue;  // e.g. fs4.weight is not ours
    BlockRef b;
    b.layer = std::stoll(m[2]);
    b.kind = ssm ? FilterKind::kSsm : FilterKind::kConv;
    b.direction = block == pn::kForwardSsm || block == pn::kForwardConv ? Direction::kForward : Direction::kBackward;
    b.prefix = fmt::format("{}{}.{}.{}", m[1].str(), pn::kEncoderLayers, b.layer, block);
    prefixes.insert(m[1]);
    layout.layers = std::max(layout.layers, b.layer + 1);
    layout.blocks.push_back(b);
  }
  CODESSM_REQUIRE(prefixes.size() <= 1, DataError,
                  "the tensors hold SSM blocks under several prefixes ({}): analyse one model at a time",
                  fmt::join(prefixes, ", "));
  if (!prefixes.empty()) layout.backbone_prefix = *prefixes.begin();
  std::sort(layout.blocks.begin(), layout.blocks.end(), [](const BlockRef& a, const BlockRef& b) {
    return std::make_tuple(a.layer, a.kind, a.direction) < std::make_tuple(b.layer, b.kind, b.direction);
  });
  return layout;
}

// ---- parameters ----

namespace {

std::string shape_str(const std::vector<int64_t>& s) { return fmt::format("[{}]", fmt::join(s, ", ")); }

torch::Tensor load_float(const TensorSource& src, const std::string& name) {
  CODESSM_REQUIRE(src.contains(name), DataError, "{}: tensor '{}' is missing (the block's other tensors are present)",
                  src.describe(), name);
  auto t = src.load(name);
  CODESSM_REQUIRE(t.is_floating_point(), DataError, "{}: tensor '{}' has dtype {}, expected a floating dtype",
                  src.describe(), name, std::string(c10::toString(t.scalar_type())));
  return t.to(torch::kCPU, torch::kFloat64).contiguous();
}

}  // namespace

namespace {

/// The five S4D tensor names of an SSM block, keyed by parameter name.
std::map<std::string, std::string> ssm_tensor_names(const std::string& prefix) {
  namespace pn = model::param_names;
  std::map<std::string, std::string> n;
  for (const char* f : {pn::kLogStep, pn::kARe, pn::kAIm, pn::kC}) n[f] = fmt::format("{}.{}.{}", prefix, pn::kKernel, f);
  n[pn::kSkip] = fmt::format("{}.{}", prefix, pn::kSkip);
  return n;
}

}  // namespace

SsmParams load_ssm_params(const TensorSource& src, const BlockRef& block) {
  SsmParams p;
  p.names = ssm_tensor_names(block.prefix);
  p.log_step = load_float(src, p.names["log_step"]);
  p.A_re = load_float(src, p.names["A_re"]);
  p.A_im = load_float(src, p.names["A_im"]);
  p.C = load_float(src, p.names["C"]);
  // The two known layouts (model-spec §2.1, §4.2): BiGS [1],[N],[N],[N,2]; k kernels [K],[K,N],[K,N],[K,N,2].
  const auto ls = p.log_step.sizes().vec(), are = p.A_re.sizes().vec(), aim = p.A_im.sizes().vec(),
             c = p.C.sizes().vec();
  auto layout_error = [&](const std::string& culprit) {
    return DataError(fmt::format(
        "{}: unknown S4D tensor layout at '{}': log_step {}, A_re {}, A_im {}, C {}; expected [1],[N],[N],[N,2] "
        "(BiGS) or [K],[K,N],[K,N],[K,N,2] (K kernels)",
        src.describe(), culprit, shape_str(ls), shape_str(are), shape_str(aim), shape_str(c)));
  };
  if (ls.size() != 1) throw layout_error(p.names["log_step"]);
  const int64_t K = ls[0];
  if (are.size() == 1 && K == 1) {
    if (aim != are) throw layout_error(p.names["A_im"]);
    if (c != std::vector<int64_t>{are[0], 2}) throw layout_error(p.names["C"]);
    p.A_re = p.A_re.unsqueeze(0);  // r(1 N)
    p.A_im = p.A_im.unsqueeze(0);
    p.C = p.C.unsqueeze(0);        // r(1 N 2)
  } else if (are.size() == 2 && are[0] == K) {
    if (aim != are) throw layout_error(p.names["A_im"]);
    if (c != std::vector<int64_t>{K, are[1], 2}) throw layout_error(p.names["C"]);
  } else {
    throw layout_error(p.names["A_re"]);
  }
  // D: [1] (one skip shared by all channels, BiGS) or [K] (per kernel). Absent D is an error too: the
  // block's other tensors exist, so the checkpoint is damaged or of another layout.
  p.D = load_float(src, p.names["D"]);
  if (p.D.dim() != 1 || (p.D.size(0) != 1 && p.D.size(0) != K))
    throw DataError(fmt::format("{}: unknown layout of '{}': shape {}, expected [1] or [{}]", src.describe(),
                                p.names["D"], shape_str(p.D.sizes().vec()), K));
  p.D = p.D.expand({K}).contiguous();  // r(K)
  return p;
}

ConvParams load_conv_params(const TensorSource& src, const BlockRef& block) {
  ConvParams p;
  p.weight_name = block.prefix + ".weight";
  p.weight = load_float(src, p.weight_name);
  const auto w = p.weight.sizes().vec();
  // Conv1d(d, d, 3, groups=G): weight r(d, d/G, 3).
  if (w.size() != 3 || w[2] != 3 || w[1] <= 0 || w[0] % w[1] != 0)
    throw DataError(fmt::format("{}: unknown layout of '{}': shape {}, expected [d, d/groups, 3] (Conv1d, kernel 3)",
                                src.describe(), p.weight_name, shape_str(w)));
  p.groups = w[0] / w[1];
  const std::string bias = block.prefix + ".bias";
  p.bias = src.contains(bias) ? load_float(src, bias) : torch::zeros({w[0]}, torch::kFloat64);
  if (p.bias.sizes().vec() != std::vector<int64_t>{w[0]})
    throw DataError(fmt::format("{}: unknown layout of '{}': shape {}, expected [{}]", src.describe(), bias,
                                shape_str(p.bias.sizes().vec()), w[0]));
  return p;
}

std::vector<std::string> kernel_tensor_names(const TensorSource& src, const KernelLayout& layout) {
  std::vector<std::string> out;
  for (auto& b : layout.blocks) {
    std::vector<std::string> cand;
    namespace pn = model::param_names;
    if (b.kind == FilterKind::kSsm) {
      auto n = ssm_tensor_names(b.prefix);
      cand = {n[pn::kLogStep], n[pn::kARe], n[pn::kAIm], n[pn::kC], n[pn::kSkip]};
    } else
      cand = {b.prefix + ".weight", b.prefix + ".bias"};
    for (auto& n : cand)
      if (src.contains(n)) out.push_back(n);
  }
  return out;
}

}  // namespace codessm::interpret
