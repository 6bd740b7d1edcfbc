#include "codessm/data/shard_corpus.h"

#include <nlohmann/json.hpp>

namespace codessm::data {

ShardCorpusResult shard_corpus(CorpusReader& reader, const Tokenizer& tok, const std::filesystem::path& tokenizer_dir,
                               const std::vector<std::string>& sources, const std::filesystem::path& out,
                               const ShardWriterOptions& options,
                               const std::function<void(uint64_t)>& progress) {
  ShardWriter writer(out, static_cast<uint32_t>(tok.vocab_size()), tok.fingerprint(), options);
  std::string doc;
  std::vector<int32_t> ids;
  while (reader.next(doc)) {
    ids = tok.encode_ids(doc);
    writer.add_document(ids);
    if (progress) progress(reader.bytes_read());
  }
  nlohmann::json extra{{"tokenizer", std::filesystem::absolute(tokenizer_dir).string()},
                       {"tokenizer_kind", tok.kind()},
                       {"sources", sources},
                       {"skipped_documents", reader.num_skipped()}};
  writer.finish(extra.dump());
  return {writer.num_docs(), writer.num_tokens(), static_cast<uint64_t>(writer.files().size()), reader.num_skipped()};
}

}  // namespace codessm::data
