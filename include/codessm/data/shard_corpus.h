// `codessm tokenizer shard` as a library call: every document of a corpus tokenized into versioned token shards
// (shard_format.h) with a manifest naming the tokenizer and the sources. Torch-free.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "codessm/data/corpus_reader.h"
#include "codessm/data/shard_format.h"
#include "codessm/data/tokenizer.h"

namespace codessm::data {

struct ShardCorpusResult {
  uint64_t documents = 0, tokens = 0, shards = 0, skipped_documents = 0;
};

/// Reads every document of `reader`, encodes it with `tok` and writes shards into `out`; the manifest records
/// `tokenizer_dir` (absolute), the tokenizer kind and `sources` (the inputs as given). `progress(bytes_read)` is
/// called per document.
ShardCorpusResult shard_corpus(CorpusReader& reader, const Tokenizer& tok, const std::filesystem::path& tokenizer_dir,
                               const std::vector<std::string>& sources, const std::filesystem::path& out,
                               const ShardWriterOptions& options = {},
                               const std::function<void(uint64_t)>& progress = {});

}  // namespace codessm::data
