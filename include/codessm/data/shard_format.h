// Versioned binary token shards (llm.c-style: preprocess once, stream many times). One shard file =
// 64-byte header, token ids (uint16 when the vocabulary fits, else uint32), padding to 8 bytes, and the
// token offsets of document boundaries. Byte layout: docs/data.md. A folder of shards has a
// manifest.json. Readers mmap files, so corpora larger than memory stream.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace codessm::data {

namespace fs = std::filesystem;

/// "CSSMSHRD": the first 8 bytes of every shard.
inline constexpr char kShardMagic[8] = {'C', 'S', 'S', 'M', 'S', 'H', 'R', 'D'};
/// Shard format version written by this codessm; newer versions are refused with a clear message.
inline constexpr uint32_t kShardFormatVersion = 1;
inline constexpr uint32_t kShardHeaderBytes = 64;

/// The 64-byte header, little-endian, exactly as on disk.
struct ShardHeader {
  char magic[8];
  uint32_t format_version;
  uint32_t header_bytes;           ///< 64
  uint32_t vocab_size;
  uint32_t dtype_bytes;            ///< 2 (uint16 ids) when vocab_size <= 65536, else 4 (uint32)
  uint64_t num_tokens;
  uint64_t num_docs;
  uint64_t tokenizer_fingerprint;  ///< Tokenizer::fingerprint() of the tokenizer that wrote it
  uint64_t index_offset;           ///< byte offset of the (num_docs + 1) uint64 document starts
  uint64_t reserved;               ///< 0
};
static_assert(sizeof(ShardHeader) == kShardHeaderBytes, "the header layout is part of the format");

/// Bytes per id for a vocabulary: 2 when every id fits in uint16, else 4.
uint32_t dtype_bytes_for_vocab(uint32_t vocab_size);

/// Runtime knobs of ShardWriter.
struct ShardWriterOptions {
  /// A shard is closed once it holds at least this many tokens (documents are never split across shards).
  uint64_t tokens_per_shard = uint64_t{1} << 24;
  /// File names are <prefix>-00000.bin, <prefix>-00001.bin, ...
  std::string prefix = "shard";
};

/// Streams documents into shard files in `dir` and writes dir/manifest.json on finish(). Each file
/// is written atomically; memory holds one shard at most.
class ShardWriter {
 public:
  ShardWriter(fs::path dir, uint32_t vocab_size, uint64_t tokenizer_fingerprint, ShardWriterOptions options = {});
  ~ShardWriter();
  ShardWriter(const ShardWriter&) = delete;
  ShardWriter& operator=(const ShardWriter&) = delete;

  /// Appends one document's ids (no bos/eos: the batcher adds them). Throws UsageError for an id
  /// outside [0, vocab_size).
  void add_document(const int32_t* ids, size_t n);
  void add_document(const std::vector<int32_t>& ids) { add_document(ids.data(), ids.size()); }
  /// Writes the last shard and manifest.json (with `extra`, a JSON object text merged into it).
  void finish(const std::string& extra_manifest_json = "{}");

  uint64_t num_tokens() const { return total_tokens_; }
  uint64_t num_docs() const { return total_docs_; }
  uint64_t bytes_written() const { return bytes_written_; }
  const std::vector<fs::path>& files() const { return files_; }

 private:
  void flush_shard();

  fs::path dir_;
  uint32_t vocab_size_, dtype_bytes_;
  uint64_t fingerprint_;
  ShardWriterOptions options_;
  std::vector<uint8_t> tokens_;   // current shard's ids, dtype_bytes_ each, little-endian
  std::vector<uint64_t> starts_;  // current shard's document starts (token offsets), plus the end
  std::vector<fs::path> files_;
  std::vector<std::pair<uint64_t, uint64_t>> file_counts_;  // (tokens, docs) per file
  uint64_t total_tokens_ = 0, total_docs_ = 0, bytes_written_ = 0;
  bool finished_ = false;
};

/// One shard, memory-mapped and validated on open; errors name the file and the problem.
class ShardFile {
 public:
  explicit ShardFile(const fs::path& path);
  ~ShardFile();
  ShardFile(const ShardFile&) = delete;
  ShardFile& operator=(const ShardFile&) = delete;

  const ShardHeader& header() const { return header_; }
  const fs::path& path() const { return path_; }
  uint64_t num_docs() const { return header_.num_docs; }
  uint64_t num_tokens() const { return header_.num_tokens; }
  uint64_t document_length(uint64_t doc) const;
  /// Copies document `doc`'s ids into `out` (resized). Throws DataError for an id >= vocab_size.
  void read_document(uint64_t doc, std::vector<int32_t>& out) const;

 private:
  fs::path path_;
  ShardHeader header_{};
  const uint8_t* map_ = nullptr;
  size_t map_size_ = 0;
  const uint64_t* starts_ = nullptr;
};

/// The shards of a folder (in manifest.json order, or sorted *.bin files when there is no manifest),
/// or a single shard file. Iterates documents one shard at a time.
class ShardDataset {
 public:
  explicit ShardDataset(const fs::path& path);

  const std::vector<fs::path>& files() const { return files_; }
  uint32_t vocab_size() const { return vocab_size_; }
  uint64_t tokenizer_fingerprint() const { return fingerprint_; }

  /// Next document in file order; false at the end (call rewind() to start over).
  bool next_document(std::vector<int32_t>& out);
  void rewind();

 private:
  std::vector<fs::path> files_;
  uint32_t vocab_size_ = 0;
  uint64_t fingerprint_ = 0;
  size_t file_index_ = 0;
  uint64_t doc_index_ = 0;
  std::unique_ptr<ShardFile> current_;
};

}  // namespace codessm::data
