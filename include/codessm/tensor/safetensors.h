// The safetensors format (Hugging Face): u64 little-endian header length N, N bytes of UTF-8 JSON
// {"name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, "__metadata__": {str: str}},
// then the raw little-endian C-order bytes. Also the sharded form: model-0000i-of-0000n.safetensors plus
// model.safetensors.index.json {"metadata": {...}, "weight_map": {tensor: shard file}}.
// Reading memory-maps the file, so loading is limited by the disk, not by parsing.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace codessm::tensor {

namespace fs = std::filesystem;

/// One tensor entry of a safetensors header.
struct TensorEntry {
  std::string dtype;            ///< "F32", "BF16", ...
  std::vector<int64_t> shape;
  uint64_t begin = 0, end = 0;  ///< byte offsets into the data section
};

/// An open, validated, memory-mapped safetensors file.
class SafetensorsFile {
 public:
  /// Opens and validates `path`. Throws DataError naming the file for a truncated file, a bad header,
  /// an unknown dtype, or offsets that do not match shapes.
  explicit SafetensorsFile(const fs::path& path);
  ~SafetensorsFile();
  SafetensorsFile(const SafetensorsFile&) = delete;
  SafetensorsFile& operator=(const SafetensorsFile&) = delete;

  const fs::path& path() const { return path_; }
  std::vector<std::string> names() const;
  bool contains(const std::string& name) const { return entries_.count(name) != 0; }
  const TensorEntry& entry(const std::string& name) const;
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  /// Copies the named tensor out of the mapping (CPU, the stored dtype).
  torch::Tensor load(const std::string& name) const;

 private:
  fs::path path_;
  std::map<std::string, TensorEntry> entries_;
  std::map<std::string, std::string> metadata_;
  const uint8_t* map_ = nullptr;
  size_t map_size_ = 0;
  const uint8_t* data_ = nullptr;  // start of the data section
};

/// Named tensors in a fixed order (the order they are written).
using NamedTensors = std::vector<std::pair<std::string, torch::Tensor>>;

/// Writes one safetensors file atomically. Tensors are made contiguous and moved to the CPU.
void save_safetensors(const fs::path& path, const NamedTensors& tensors,
                      const std::map<std::string, std::string>& metadata = {});

/// Writes `<dir>/<stem>.safetensors` when the data fit in `max_shard_bytes`, otherwise
/// `<dir>/<stem>-0000i-of-0000n.safetensors` plus `<dir>/<stem>.safetensors.index.json` (HF convention).
/// Returns the files written. max_shard_bytes = 0 means never shard.
std::vector<fs::path> save_safetensors_sharded(const fs::path& dir, const std::string& stem,
                                               const NamedTensors& tensors, uint64_t max_shard_bytes,
                                               const std::map<std::string, std::string>& metadata = {});

/// A set of tensors spread over one file or several shards, opened lazily.
class SafetensorsStore {
 public:
  /// `path` is a .safetensors file, a .safetensors.index.json file, or a folder holding
  /// `<stem>.safetensors` or `<stem>.safetensors.index.json`.
  explicit SafetensorsStore(const fs::path& path, const std::string& stem = "model");
  std::vector<std::string> names() const;
  bool contains(const std::string& name) const { return where_.count(name) != 0; }
  const TensorEntry& entry(const std::string& name) const;
  torch::Tensor load(const std::string& name) const;
  /// Metadata of the first file (the index's "metadata" is merged in as strings).
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  std::string describe() const { return description_; }

 private:
  std::vector<std::unique_ptr<SafetensorsFile>> files_;
  std::map<std::string, size_t> where_;
  std::map<std::string, std::string> metadata_;
  std::string description_;
};

/// "F32" etc. <-> torch dtype. Throws DataError for unsupported names.
torch::Dtype safetensors_dtype(const std::string& name);
std::string safetensors_dtype_name(torch::Dtype dt);

}  // namespace codessm::tensor
