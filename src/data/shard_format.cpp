// Token shard writer and mmap reader (layout: shard_format.h and docs/data.md). The writer holds one
// shard in memory and writes it atomically; the reader validates the header, the file size and the
// document index before handing out anything, so a truncated or foreign file fails with its name.
#include "codessm/data/shard_format.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <nlohmann/json.hpp>

#include "codessm/core/error.h"
#include "codessm/core/io.h"

namespace codessm::data {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "shards are little-endian; add byte swapping for this host");

namespace {
uint64_t align8(uint64_t x) { return (x + 7) & ~uint64_t{7}; }
constexpr const char* kManifest = "manifest.json";
}  // namespace

uint32_t dtype_bytes_for_vocab(uint32_t vocab_size) { return vocab_size <= 65536 ? 2 : 4; }

// ---------------------------------------------------------------------------------------------
// Writer

ShardWriter::ShardWriter(fs::path dir, uint32_t vocab_size, uint64_t fingerprint, ShardWriterOptions options)
    : dir_(std::move(dir)),
      vocab_size_(vocab_size),
      dtype_bytes_(dtype_bytes_for_vocab(vocab_size)),
      fingerprint_(fingerprint),
      options_(std::move(options)) {
  CODESSM_REQUIRE(vocab_size > 0, UsageError, "ShardWriter: vocab_size must be > 0");
  CODESSM_REQUIRE(options_.tokens_per_shard > 0, UsageError, "--tokens-per-shard must be > 0");
  core::ensure_dir(dir_);
  starts_.push_back(0);
}

ShardWriter::~ShardWriter() = default;

void ShardWriter::add_document(const int32_t* ids, size_t n) {
  CODESSM_REQUIRE(!finished_, UsageError, "ShardWriter::add_document after finish()");
  const size_t old = tokens_.size();
  tokens_.resize(old + n * dtype_bytes_);
  uint8_t* p = tokens_.data() + old;
  for (size_t i = 0; i < n; ++i) {
    const int32_t id = ids[i];
    if (id < 0 || static_cast<uint32_t>(id) >= vocab_size_) {
      tokens_.resize(old);
      throw UsageError(fmt::format("token id {} at position {} is outside the vocabulary [0, {})", id, i, vocab_size_));
    }
    if (dtype_bytes_ == 2) {
      const auto v = static_cast<uint16_t>(id);
      std::memcpy(p + 2 * i, &v, 2);
    } else {
      const auto v = static_cast<uint32_t>(id);
      std::memcpy(p + 4 * i, &v, 4);
    }
  }
  starts_.push_back(starts_.back() + n);
  total_tokens_ += n;
  ++total_docs_;
  if (starts_.back() >= options_.tokens_per_shard) flush_shard();
}

void ShardWriter::flush_shard() {
  const uint64_t num_docs = starts_.size() - 1;
  if (num_docs == 0) return;
  const uint64_t num_tokens = starts_.back();
  ShardHeader h{};
  std::memcpy(h.magic, kShardMagic, 8);
  h.format_version = kShardFormatVersion;
  h.header_bytes = kShardHeaderBytes;
  h.vocab_size = vocab_size_;
  h.dtype_bytes = dtype_bytes_;
  h.num_tokens = num_tokens;
  h.num_docs = num_docs;
  h.tokenizer_fingerprint = fingerprint_;
  h.index_offset = align8(kShardHeaderBytes + num_tokens * dtype_bytes_);
  const fs::path path = dir_ / fmt::format("{}-{:05d}.bin", options_.prefix, files_.size());
  core::AtomicFileWriter w(path);
  w.write(&h, sizeof h);
  w.write(tokens_.data(), tokens_.size());
  static const char kZeros[8] = {};
  w.write(kZeros, h.index_offset - kShardHeaderBytes - tokens_.size());
  w.write(starts_.data(), starts_.size() * sizeof(uint64_t));
  bytes_written_ += w.size();
  w.commit();
  files_.push_back(path);
  file_counts_.emplace_back(num_tokens, num_docs);
  tokens_.clear();
  starts_.assign(1, 0);
}

void ShardWriter::finish(const std::string& extra_manifest_json) {
  CODESSM_REQUIRE(!finished_, UsageError, "ShardWriter::finish called twice");
  flush_shard();
  finished_ = true;
  nlohmann::json shards = nlohmann::json::array();
  for (size_t i = 0; i < files_.size(); ++i) {
    shards.push_back({{"file", files_[i].filename().string()}, {"num_tokens", file_counts_[i].first},
                      {"num_docs", file_counts_[i].second}});
  }
  nlohmann::json m{{"format", "codessm_token_shards"},
                   {"format_version", kShardFormatVersion},
                   {"vocab_size", vocab_size_},
                   {"dtype", dtype_bytes_ == 2 ? "uint16" : "uint32"},
                   {"tokenizer_fingerprint", fmt::format("{:016x}", fingerprint_)},
                   {"num_tokens", total_tokens_},
                   {"num_docs", total_docs_},
                   {"shards", shards}};
  auto extra = nlohmann::json::parse(extra_manifest_json);
  if (extra.is_object()) m.update(extra);
  core::write_file_atomic(dir_ / kManifest, m.dump(2) + "\n");
}

// ---------------------------------------------------------------------------------------------
// Reader

ShardFile::ShardFile(const fs::path& path) : path_(path) {
  const std::string name = path.string();
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  CODESSM_REQUIRE(fd >= 0, DataError, "cannot open shard '{}': {}", name, std::strerror(errno));
  struct stat st {};
  ::fstat(fd, &st);
  map_size_ = static_cast<size_t>(st.st_size);
  if (map_size_ < kShardHeaderBytes) {
    ::close(fd);
    throw DataError(fmt::format("shard '{}' is {} bytes, shorter than the {}-byte header: truncated or not a shard",
                                name, map_size_, kShardHeaderBytes));
  }
  void* m = ::mmap(nullptr, map_size_, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  CODESSM_REQUIRE(m != MAP_FAILED, DataError, "cannot mmap shard '{}': {}", name, std::strerror(errno));
  map_ = static_cast<const uint8_t*>(m);
  ::madvise(m, map_size_, MADV_SEQUENTIAL);
  std::memcpy(&header_, map_, sizeof header_);
  const ShardHeader& h = header_;
  try {
    CODESSM_REQUIRE(std::memcmp(h.magic, kShardMagic, 8) == 0, DataError,
                    "'{}' is not a codessm token shard: bad magic (expected 'CSSMSHRD')", name);
    CODESSM_REQUIRE(h.format_version <= kShardFormatVersion, DataError,
                    "shard '{}' has format_version {}, newer than this codessm supports ({}); upgrade codessm",
                    name, h.format_version, kShardFormatVersion);
    CODESSM_REQUIRE(h.format_version >= 1 && h.header_bytes == kShardHeaderBytes, DataError,
                    "shard '{}': corrupt header (format_version {}, header_bytes {})", name, h.format_version,
                    h.header_bytes);
    CODESSM_REQUIRE(h.dtype_bytes == dtype_bytes_for_vocab(h.vocab_size), DataError,
                    "shard '{}': dtype_bytes {} does not match vocab_size {} (expected {})", name, h.dtype_bytes,
                    h.vocab_size, dtype_bytes_for_vocab(h.vocab_size));
    // Counts larger than the file can hold would overflow the size arithmetic below (and a wrapped size could
    // match the file's, fuzz/shard found): refuse them first.
    CODESSM_REQUIRE(h.num_tokens <= map_size_ / h.dtype_bytes && h.num_docs < map_size_ / sizeof(uint64_t), DataError,
                    "shard '{}' is truncated or corrupt: header says {} tokens and {} documents, more than its {} "
                    "bytes can hold (rebuild it with `codessm tokenizer shard`)",
                    name, h.num_tokens, h.num_docs, map_size_);
    const uint64_t want_index = align8(kShardHeaderBytes + h.num_tokens * h.dtype_bytes);
    const uint64_t want_size = want_index + (h.num_docs + 1) * sizeof(uint64_t);
    CODESSM_REQUIRE(h.index_offset == want_index && map_size_ == want_size, DataError,
                    "shard '{}' is truncated or corrupt: header says {} tokens and {} documents, which need {} bytes, "
                    "but the file has {} (was the write interrupted? rebuild it with `codessm tokenizer shard`)",
                    name, h.num_tokens, h.num_docs, want_size, map_size_);
    starts_ = reinterpret_cast<const uint64_t*>(map_ + h.index_offset);
    CODESSM_REQUIRE(starts_[0] == 0 && starts_[h.num_docs] == h.num_tokens, DataError,
                    "shard '{}': document index must start at 0 and end at num_tokens {} (got {} .. {})", name,
                    h.num_tokens, starts_[0], starts_[h.num_docs]);
    for (uint64_t d = 0; d < h.num_docs; ++d) {
      CODESSM_REQUIRE(starts_[d] <= starts_[d + 1], DataError,
                      "shard '{}': document index decreases at document {} ({} > {})", name, d, starts_[d],
                      starts_[d + 1]);
    }
  } catch (...) {
    ::munmap(const_cast<uint8_t*>(map_), map_size_);
    map_ = nullptr;
    throw;
  }
}

ShardFile::~ShardFile() {
  if (map_) ::munmap(const_cast<uint8_t*>(map_), map_size_);
}

uint64_t ShardFile::document_length(uint64_t doc) const {
  CODESSM_REQUIRE(doc < header_.num_docs, UsageError, "shard '{}' has {} documents; asked for {}", path_.string(),
                  header_.num_docs, doc);
  return starts_[doc + 1] - starts_[doc];
}

void ShardFile::read_document(uint64_t doc, std::vector<int32_t>& out) const {
  const uint64_t n = document_length(doc);
  out.resize(n);
  const uint8_t* p = map_ + kShardHeaderBytes + starts_[doc] * header_.dtype_bytes;
  uint32_t max_id = 0;
  for (uint64_t i = 0; i < n; ++i) {
    uint32_t v;
    if (header_.dtype_bytes == 2) {
      uint16_t s;
      std::memcpy(&s, p + 2 * i, 2);
      v = s;
    } else {
      std::memcpy(&v, p + 4 * i, 4);
    }
    max_id = std::max(max_id, v);
    out[i] = static_cast<int32_t>(v);
  }
  CODESSM_REQUIRE(n == 0 || max_id < header_.vocab_size, DataError,
                  "shard '{}': document {} has token id {} >= vocab_size {} (corrupt shard)", path_.string(), doc,
                  max_id, header_.vocab_size);
}

ShardDataset::ShardDataset(const fs::path& path) {
  core::require_exists(path, "shard folder", "write shards with `codessm tokenizer shard`");
  if (fs::is_directory(path)) {
    if (fs::exists(path / kManifest)) {
      nlohmann::json m;
      try {
        m = nlohmann::json::parse(core::read_file(path / kManifest));
      } catch (const nlohmann::json::exception& e) {
        throw DataError(fmt::format("'{}' is not valid JSON: {}", (path / kManifest).string(), e.what()));
      }
      const std::string where = (path / kManifest).string();
      const auto bad = [&](const std::string& what) {
        return DataError(fmt::format("'{}': {}; rewrite the shards with `codessm tokenizer shard`", where, what));
      };
      if (!m.is_object()) throw bad("not a JSON object");
      const auto version = m.find("format_version");
      if (version != m.end()) {
        if (!version->is_number_unsigned()) throw bad("field 'format_version' must be a non-negative integer");
        CODESSM_REQUIRE(version->get<uint64_t>() <= kShardFormatVersion, DataError,
                        "'{}' has format_version {}, newer than this codessm supports ({}); upgrade codessm", where,
                        version->get<uint64_t>(), kShardFormatVersion);
      }
      const auto shards = m.find("shards");
      if (shards == m.end() || !shards->is_array()) throw bad("field 'shards' must be a list");
      for (const auto& s : *shards) {
        const auto file = s.is_object() ? s.find("file") : s.end();
        if (!s.is_object() || file == s.end() || !file->is_string())
          throw bad("every entry of 'shards' needs a string field 'file'");
        // A bare file name inside this folder: "../x" or "/abs" would read files the manifest does not own.
        const fs::path name = file->get<std::string>();
        if (name.empty() || name.has_parent_path() || name.is_absolute() || name == "." || name == "..")
          throw bad(fmt::format("shard file '{}' is not a file name inside the folder", name.string()));
        files_.push_back(path / name);
      }
    } else {
      for (const auto& e : fs::directory_iterator(path)) {
        if (e.path().extension() == ".bin") files_.push_back(e.path());
      }
      std::sort(files_.begin(), files_.end());
    }
  } else {
    files_.push_back(path);
  }
  CODESSM_REQUIRE(!files_.empty(), DataError, "'{}' holds no shard files (*.bin)", path.string());
  // Every shard must come from the same tokenizer; headers are cheap to check up front.
  for (size_t i = 0; i < files_.size(); ++i) {
    ShardFile f(files_[i]);
    if (i == 0) {
      vocab_size_ = f.header().vocab_size;
      fingerprint_ = f.header().tokenizer_fingerprint;
    }
    CODESSM_REQUIRE(f.header().vocab_size == vocab_size_ && f.header().tokenizer_fingerprint == fingerprint_,
                    DataError, "shard '{}' was written by a different tokenizer than '{}' (vocab {} vs {})",
                    files_[i].string(), files_[0].string(), f.header().vocab_size, vocab_size_);
  }
}

bool ShardDataset::next_document(std::vector<int32_t>& out) {
  while (file_index_ < files_.size()) {
    if (!current_) current_ = std::make_unique<ShardFile>(files_[file_index_]), doc_index_ = 0;
    if (doc_index_ < current_->num_docs()) {
      current_->read_document(doc_index_++, out);
      return true;
    }
    current_.reset();
    ++file_index_;
  }
  return false;
}

void ShardDataset::rewind() {
  current_.reset();
  file_index_ = 0;
  doc_index_ = 0;
}

}  // namespace codessm::data
