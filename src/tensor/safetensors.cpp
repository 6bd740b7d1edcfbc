#include "codessm/tensor/safetensors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>

#include "codessm/core/error.h"
#include "codessm/core/io.h"

namespace codessm::tensor {

using nlohmann::json;

torch::Dtype safetensors_dtype(const std::string& n) {
  if (n == "F32") return torch::kFloat32;
  if (n == "F64") return torch::kFloat64;
  if (n == "F16") return torch::kFloat16;
  if (n == "BF16") return torch::kBFloat16;
  if (n == "I64") return torch::kInt64;
  if (n == "I32") return torch::kInt32;
  if (n == "I16") return torch::kInt16;
  if (n == "I8") return torch::kInt8;
  if (n == "U8") return torch::kUInt8;
  if (n == "BOOL") return torch::kBool;
  throw DataError(fmt::format("unsupported safetensors dtype '{}'", n));
}

std::string safetensors_dtype_name(torch::Dtype dt) {
  switch (dt) {
    case torch::kFloat32: return "F32";
    case torch::kFloat64: return "F64";
    case torch::kFloat16: return "F16";
    case torch::kBFloat16: return "BF16";
    case torch::kInt64: return "I64";
    case torch::kInt32: return "I32";
    case torch::kInt16: return "I16";
    case torch::kInt8: return "I8";
    case torch::kUInt8: return "U8";
    case torch::kBool: return "BOOL";
    default: throw UsageError(fmt::format("dtype {} cannot be stored in safetensors", c10::toString(dt)));
  }
}

static size_t dtype_size(const std::string& n) { return c10::elementSize(safetensors_dtype(n)); }

SafetensorsFile::SafetensorsFile(const fs::path& path) : path_(path) {
  const std::string p = path.string();
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw DataError(fmt::format("cannot open checkpoint file '{}': {}", p, std::strerror(errno)));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    throw DataError(fmt::format("cannot stat '{}'", p));
  }
  map_size_ = static_cast<size_t>(st.st_size);
  if (map_size_ < 8) {
    ::close(fd);
    throw DataError(fmt::format("'{}' is truncated: {} bytes, a safetensors file has at least an 8-byte header length", p, map_size_));
  }
  void* m = ::mmap(nullptr, map_size_, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (m == MAP_FAILED) throw DataError(fmt::format("cannot map '{}': {}", p, std::strerror(errno)));
  map_ = static_cast<const uint8_t*>(m);
  // The destructor does not run for a throwing constructor: unmap on every error below.
  try {
    uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | map_[i];  // little-endian u64
    if (n > map_size_ - 8 || n > (100ull << 20)) {
      throw DataError(fmt::format("'{}' has a bad header: header length {} exceeds the file size {} (truncated or not a safetensors file)", p, n, map_size_));
    }
    json h;
    try {
      h = json::parse(reinterpret_cast<const char*>(map_ + 8), reinterpret_cast<const char*>(map_ + 8 + n));
    } catch (const std::exception& e) {
      throw DataError(fmt::format("'{}' has a bad header: its JSON does not parse ({})", p, e.what()));
    }
    if (!h.is_object()) throw DataError(fmt::format("'{}' has a bad header: not a JSON object", p));
    data_ = map_ + 8 + n;
    const uint64_t data_size = map_size_ - 8 - n;
    uint64_t max_end = 0;
    for (auto& [name, v] : h.items()) {
      if (name == "__metadata__") {
        if (!v.is_object()) throw DataError(fmt::format("'{}' has a bad header: __metadata__ is not an object", p));
        for (auto& [k, mv] : v.items()) metadata_[k] = mv.is_string() ? mv.get<std::string>() : mv.dump();
        continue;
      }
      TensorEntry e;
      try {
        e.dtype = v.at("dtype").get<std::string>();
        // Integers only: get<int64_t>() would convert 2.5 or 1e30 (undefined for out-of-range floats) and
        // get<uint64_t>() would wrap -8.
        auto integers = [](const json& entry, const char* key, bool allow_negative) {
          const auto& a = entry.at(key);
          if (!a.is_array()) throw std::runtime_error(std::string(key) + " must be an array");
          for (const auto& x : a)
            if (!x.is_number_integer() || (!allow_negative && !x.is_number_unsigned() && x.get<int64_t>() < 0))
              throw std::runtime_error(std::string(key) + " must hold non-negative integers, got " + a.dump());
          return a;
        };
        e.shape = integers(v, "shape", true).get<std::vector<int64_t>>();
        auto off = integers(v, "data_offsets", false).get<std::vector<uint64_t>>();
        if (off.size() != 2) throw std::runtime_error("data_offsets must have 2 entries");
        e.begin = off[0];
        e.end = off[1];
      } catch (const DataError&) {
        throw;
      } catch (const std::exception& ex) {
        throw DataError(fmt::format("'{}' has a bad header entry for tensor '{}': {}", p, name, ex.what()));
      }
      size_t esize;
      try {
        esize = dtype_size(e.dtype);
      } catch (const DataError&) {
        throw DataError(fmt::format("'{}': tensor '{}' has unsupported dtype '{}'", p, name, e.dtype));
      }
      uint64_t numel = 1;
      for (auto s : e.shape) {
        if (s < 0) throw DataError(fmt::format("'{}': tensor '{}' has a negative dimension", p, name));
        // A shape whose byte size overflows 64 bits could otherwise wrap around to match its offsets.
        if (s != 0 && numel > (std::numeric_limits<uint64_t>::max() / esize) / static_cast<uint64_t>(s))
          throw DataError(fmt::format("'{}': tensor '{}' has an impossibly large shape", p, name));
        numel *= static_cast<uint64_t>(s);
      }
      if (e.shape.size() > 64) throw DataError(fmt::format("'{}': tensor '{}' has {} dimensions", p, name, e.shape.size()));
      if (e.end < e.begin || e.end - e.begin != numel * esize) {
        throw DataError(fmt::format("'{}': tensor '{}' has data_offsets [{}, {}] that do not match its shape and dtype ({} bytes expected)",
                                    p, name, e.begin, e.end, numel * esize));
      }
      if (e.end > data_size) {
        throw DataError(fmt::format("'{}' is truncated: tensor '{}' ends at byte {} of the data section but only {} bytes are present",
                                    p, name, e.end, data_size));
      }
      max_end = std::max(max_end, e.end);
      entries_.emplace(name, std::move(e));
    }
  } catch (...) {
    ::munmap(const_cast<uint8_t*>(map_), map_size_);
    map_ = nullptr;
    throw;
  }
}

SafetensorsFile::~SafetensorsFile() {
  if (map_) ::munmap(const_cast<uint8_t*>(map_), map_size_);
}

std::vector<std::string> SafetensorsFile::names() const {
  std::vector<std::string> out;
  for (auto& [k, v] : entries_) out.push_back(k);
  return out;
}

const TensorEntry& SafetensorsFile::entry(const std::string& name) const {
  auto it = entries_.find(name);
  if (it == entries_.end()) throw DataError(fmt::format("'{}' has no tensor '{}'", path_.string(), name));
  return it->second;
}

torch::Tensor SafetensorsFile::load(const std::string& name) const {
  const auto& e = entry(name);
  auto dt = safetensors_dtype(e.dtype);
  if (e.end == e.begin) return torch::empty(e.shape, torch::TensorOptions().dtype(dt));
  auto t = torch::from_blob(const_cast<uint8_t*>(data_ + e.begin), e.shape, torch::TensorOptions().dtype(dt));
  return t.clone();  // the mapping is read-only and closes with the file
}

static std::string build_header(const NamedTensors& tensors, const std::vector<torch::Tensor>& cpu,
                                const std::map<std::string, std::string>& metadata) {
  // ordered_json keeps the write order, so files are byte-identical run to run.
  nlohmann::ordered_json h;
  if (!metadata.empty()) {
    nlohmann::ordered_json m = nlohmann::ordered_json::object();
    for (auto& [k, v] : metadata) m[k] = v;
    h["__metadata__"] = m;
  }
  uint64_t off = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const auto& t = cpu[i];
    uint64_t nbytes = static_cast<uint64_t>(t.numel()) * t.element_size();
    h[tensors[i].first] = {{"dtype", safetensors_dtype_name(t.scalar_type())},
                           {"shape", t.sizes().vec()},
                           {"data_offsets", {off, off + nbytes}}};
    off += nbytes;
  }
  std::string s = h.dump();
  while ((s.size() + 8) % 8 != 0) s.push_back(' ');  // pad so the data section is 8-byte aligned
  return s;
}

void save_safetensors(const fs::path& path, const NamedTensors& tensors,
                      const std::map<std::string, std::string>& metadata) {
  std::vector<torch::Tensor> cpu;
  cpu.reserve(tensors.size());
  std::set<std::string> seen;
  for (auto& [name, t] : tensors) {
    if (!seen.insert(name).second) throw UsageError(fmt::format("tensor name '{}' appears twice", name));
    cpu.push_back(t.detach().to(torch::kCPU).contiguous());
  }
  std::string header = build_header(tensors, cpu, metadata);
  core::AtomicFileWriter w(path);
  uint8_t len[8];
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) len[i] = static_cast<uint8_t>((n >> (8 * i)) & 0xff);
  w.write(len, 8);
  w.write(header);
  for (auto& t : cpu) w.write(t.data_ptr(), static_cast<size_t>(t.numel()) * t.element_size());
  w.commit();
}

std::vector<fs::path> save_safetensors_sharded(const fs::path& dir, const std::string& stem,
                                               const NamedTensors& tensors, uint64_t max_shard_bytes,
                                               const std::map<std::string, std::string>& metadata) {
  core::ensure_dir(dir);
  uint64_t total = 0;
  for (auto& [n, t] : tensors) total += static_cast<uint64_t>(t.numel()) * t.element_size();
  // Remove files of an earlier save of a different layout, so a folder never mixes two checkpoints.
  auto remove_stale = [&](bool sharded) {
    for (auto& de : fs::directory_iterator(dir)) {
      auto name = de.path().filename().string();
      bool is_shard = name.rfind(stem + "-", 0) == 0 && name.size() > 12 &&
                      name.substr(name.size() - 12) == ".safetensors";
      if ((sharded && name == stem + ".safetensors") || is_shard ||
          (!sharded && name == stem + ".safetensors.index.json")) {
        fs::remove(de.path());
      }
    }
  };
  if (max_shard_bytes == 0 || total <= max_shard_bytes) {
    fs::path p = dir / (stem + ".safetensors");
    save_safetensors(p, tensors, metadata);
    remove_stale(false);
    return {p};
  }
  // Greedy packing in order; a single tensor larger than the limit gets a shard of its own.
  std::vector<NamedTensors> shards(1);
  uint64_t cur = 0;
  for (auto& nt : tensors) {
    uint64_t b = static_cast<uint64_t>(nt.second.numel()) * nt.second.element_size();
    if (cur > 0 && cur + b > max_shard_bytes) {
      shards.emplace_back();
      cur = 0;
    }
    shards.back().push_back(nt);
    cur += b;
  }
  const size_t n = shards.size();
  // Write the new files first (index last), then remove stale ones not part of this save.
  std::vector<fs::path> written;
  nlohmann::ordered_json weight_map = nlohmann::ordered_json::object();
  for (size_t i = 0; i < n; ++i) {
    std::string fname = fmt::format("{}-{:05d}-of-{:05d}.safetensors", stem, i + 1, n);
    save_safetensors(dir / fname, shards[i], metadata);
    written.push_back(dir / fname);
    for (auto& [name, t] : shards[i]) weight_map[name] = fname;
  }
  nlohmann::ordered_json meta = {{"total_size", total}};
  for (auto& [k, v] : metadata) meta[k] = v;
  nlohmann::ordered_json index = {{"metadata", meta}, {"weight_map", weight_map}};
  fs::path ip = dir / (stem + ".safetensors.index.json");
  core::write_file_atomic(ip, index.dump(2) + "\n");
  written.push_back(ip);
  for (auto& de : fs::directory_iterator(dir)) {
    auto name = de.path().filename().string();
    if (name == stem + ".safetensors") fs::remove(de.path());
    bool is_shard = name.rfind(stem + "-", 0) == 0 && name.find("-of-") != std::string::npos;
    if (is_shard && std::find(written.begin(), written.end(), de.path()) == written.end()) fs::remove(de.path());
  }
  return written;
}

SafetensorsStore::SafetensorsStore(const fs::path& path, const std::string& stem) {
  fs::path index, single;
  if (fs::is_directory(path)) {
    // transformers prefers the single file when a folder holds both (a stale index next to a re-saved model).
    // Index entries must name files next to the index: no "../", no folders, no absolute paths.
    if (fs::exists(path / (stem + ".safetensors"))) single = path / (stem + ".safetensors");
    else if (fs::exists(path / (stem + ".safetensors.index.json"))) index = path / (stem + ".safetensors.index.json");
    else {
      throw DataError(fmt::format("'{}' holds neither {}.safetensors nor {}.safetensors.index.json: is it a checkpoint folder?",
                                  path.string(), stem, stem));
    }
  } else if (path.string().size() > 5 && path.string().substr(path.string().size() - 5) == ".json") {
    index = path;
  } else {
    core::require_exists(path, "checkpoint file", "pass a .safetensors file or a checkpoint folder");
    single = path;
  }
  if (!single.empty()) {
    files_.push_back(std::make_unique<SafetensorsFile>(single));
    for (auto& n : files_[0]->names()) where_[n] = 0;
    metadata_ = files_[0]->metadata();
    description_ = single.string();
    return;
  }
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(core::read_file(index));
  } catch (const nlohmann::json::exception& e) {
    throw DataError(fmt::format("'{}' is not valid JSON: {}", index.string(), e.what()));
  }
  if (!j.contains("weight_map") || !j["weight_map"].is_object()) {
    throw DataError(fmt::format("'{}' has no \"weight_map\" object (not a safetensors index)", index.string()));
  }
  std::map<std::string, size_t> file_ids;
  for (auto& [name, f] : j["weight_map"].items()) {
    if (!f.is_string())
      throw DataError(fmt::format("'{}': weight_map entry '{}' is {}, not a shard file name", index.string(), name, f.dump()));
    std::string fname = f.get<std::string>();
    // A shard is a file next to the index: "../x", "/abs" or "sub/x" would read outside the checkpoint folder.
    const fs::path fp_rel(fname);
    if (fname.empty() || fp_rel.is_absolute() || fp_rel.has_parent_path() || fname == "." || fname == "..") {
      throw DataError(fmt::format("'{}': weight_map maps '{}' to '{}', which is not a file name in the checkpoint "
                                  "folder (shards must sit next to the index)", index.string(), name, fname));
    }
    auto it = file_ids.find(fname);
    if (it == file_ids.end()) {
      fs::path fp = index.parent_path() / fname;
      core::require_exists(fp, "shard", fmt::format("it is listed in '{}'; copy the whole checkpoint folder", index.string()));
      files_.push_back(std::make_unique<SafetensorsFile>(fp));
      it = file_ids.emplace(fname, files_.size() - 1).first;
    }
    if (!files_[it->second]->contains(name)) {
      throw DataError(fmt::format("index '{}' maps tensor '{}' to '{}', which does not hold it", index.string(), name, fname));
    }
    where_[name] = it->second;
  }
  if (!files_.empty()) metadata_ = files_[0]->metadata();
  if (j.contains("metadata") && j["metadata"].is_object()) {
    for (auto& [k, v] : j["metadata"].items()) metadata_[k] = v.is_string() ? v.get<std::string>() : v.dump();
  }
  description_ = index.string();
}

std::vector<std::string> SafetensorsStore::names() const {
  std::vector<std::string> out;
  for (auto& [k, v] : where_) out.push_back(k);
  return out;
}

const TensorEntry& SafetensorsStore::entry(const std::string& name) const {
  auto it = where_.find(name);
  if (it == where_.end()) throw DataError(fmt::format("checkpoint '{}' has no tensor '{}'", description_, name));
  return files_[it->second]->entry(name);
}

torch::Tensor SafetensorsStore::load(const std::string& name) const {
  auto it = where_.find(name);
  if (it == where_.end()) throw DataError(fmt::format("checkpoint '{}' has no tensor '{}'", description_, name));
  return files_[it->second]->load(name);
}

}  // namespace codessm::tensor
