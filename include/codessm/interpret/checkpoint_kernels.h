// Where the filters of a BiGS/CodeSSM checkpoint live, and reading their parameters (model-spec §2.5, §4.1,
// §4.2). Tensor names: `<prefix>encoder.layer.{i}.{fs4|bs4}.kernel.{log_step,A_re,A_im,C}` and
// `<prefix>encoder.layer.{i}.{fs4|bs4}.D`, where <prefix> is "bigs." in a BiGSFor* checkpoint and "" in a
// bare backbone; the CodeSSM-HF path is `<prefix>encoder.layer.{i}.{fconv|bconv}.{weight,bias}`.
// Only these tensors are read, so a large checkpoint costs a few kilobytes of I/O through the mmap store.
#pragma once

#include <torch/torch.h>

#include <map>
#include <string>
#include <vector>

namespace codessm::tensor {
class SafetensorsStore;
}

namespace codessm::interpret {

/// Named tensors read on demand: a checkpoint (mmap store) or a model's named parameters.
class TensorSource {
 public:
  virtual ~TensorSource() = default;
  virtual std::vector<std::string> names() const = 0;
  virtual bool contains(const std::string& name) const = 0;
  virtual torch::Tensor load(const std::string& name) const = 0;
  /// Shape without loading (for error messages and layout checks).
  virtual std::vector<int64_t> shape(const std::string& name) const = 0;
  /// Where the tensors come from, for messages.
  virtual std::string describe() const = 0;
};

/// Over an in-memory map, e.g. `for (auto& p : model->named_parameters()) m[p.key()] = p.value();`.
class MapTensorSource : public TensorSource {
 public:
  explicit MapTensorSource(std::map<std::string, torch::Tensor> tensors, std::string description = "named tensors");
  std::vector<std::string> names() const override;
  bool contains(const std::string& name) const override { return tensors_.count(name) != 0; }
  torch::Tensor load(const std::string& name) const override;
  std::vector<int64_t> shape(const std::string& name) const override;
  std::string describe() const override { return description_; }

 private:
  std::map<std::string, torch::Tensor> tensors_;
  std::string description_;
};

/// Over a memory-mapped safetensors store (the store must outlive this object).
class StoreTensorSource : public TensorSource {
 public:
  explicit StoreTensorSource(const tensor::SafetensorsStore& store) : store_(store) {}
  std::vector<std::string> names() const override;
  bool contains(const std::string& name) const override;
  torch::Tensor load(const std::string& name) const override;
  std::vector<int64_t> shape(const std::string& name) const override;
  std::string describe() const override;

 private:
  const tensor::SafetensorsStore& store_;
};

/// forward = the `fs4`/`fconv` block (acts on past tokens), backward = `bs4`/`bconv` (future tokens).
enum class Direction { kForward = 0, kBackward = 1 };
/// "forward" / "backward".
std::string to_string(Direction d);
/// What a filter is: an S4D kernel or a group of the HF path's 3-tap convolution.
enum class FilterKind { kSsm = 0, kConv = 1 };
/// "ssm" / "conv".
std::string to_string(FilterKind k);

/// One SSM block or conv of one layer and direction; `prefix` is the tensor-name prefix of the block
/// (e.g. "bigs.encoder.layer.3.fs4").
struct BlockRef {
  int64_t layer = 0;
  Direction direction = Direction::kForward;
  FilterKind kind = FilterKind::kSsm;
  std::string prefix;
};

/// Every SSM block and HF conv found by name, sorted by (layer, kind, direction).
struct KernelLayout {
  std::string backbone_prefix;  ///< "bigs." or "" (what precedes "encoder.layer.")
  int64_t layers = 0;           ///< 1 + the highest layer index seen
  std::vector<BlockRef> blocks;
};

/// Finds the blocks by tensor name. Empty `blocks` when there are none (e.g. a Transformer checkpoint).
KernelLayout find_kernel_layout(const std::vector<std::string>& names);

/// The S4D parameters of one block in float64 on the CPU, in the general k-kernel shapes:
/// log_step r(K), A_re/A_im r(K N), C r(K N 2), D r(K) (a scalar D [1] is broadcast to the K kernels).
struct SsmParams {
  torch::Tensor log_step, A_re, A_im, C, D;
  std::map<std::string, std::string> names;  ///< field ("log_step", …) → tensor name, for messages
};

/// Reads and checks one SSM block. Throws DataError naming the tensor for a missing tensor, a non-float
/// dtype or an unknown layout (shapes that fit neither the BiGS nor the k-kernel form).
SsmParams load_ssm_params(const TensorSource& src, const BlockRef& block);

/// The HF conv of one block in float64 on the CPU: weight r(O, O/G, 3), bias r(O) (zeros when absent).
struct ConvParams {
  torch::Tensor weight, bias;
  int64_t groups = 1;
  std::string weight_name;
};

/// Reads and checks one conv. Throws DataError naming the tensor for an unknown layout.
ConvParams load_conv_params(const TensorSource& src, const BlockRef& block);

/// The names of every tensor load_ssm_params/load_conv_params would read for `layout` (present ones only).
std::vector<std::string> kernel_tensor_names(const TensorSource& src, const KernelLayout& layout);

}  // namespace codessm::interpret
