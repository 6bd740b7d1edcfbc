// The Tokenizer base (shared encode/decode helpers, specials, fingerprint), the codessm_tokenizer.json
// manifest, and load_tokenizer(), which recognises codessm and Hugging Face folders.
#include "codessm/data/tokenizer.h"

#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "codessm/data/byte_bpe_tokenizer.h"
#include "codessm/data/sentencepiece_tokenizer.h"
#include "tokenizer_config.h"

namespace codessm::data {

std::vector<Token> Tokenizer::encode_with_offsets(std::string_view text) const {
  std::vector<Token> out;
  out.reserve(text.size() / 3 + 4);
  encode(text, out);
  return out;
}

std::vector<int32_t> Tokenizer::encode_ids(std::string_view text) const {
  auto toks = encode_with_offsets(text);
  std::vector<int32_t> ids(toks.size());
  for (size_t i = 0; i < toks.size(); ++i) ids[i] = toks[i].id;
  return ids;
}

std::string Tokenizer::decode(const std::vector<int32_t>& ids, bool skip_special) const {
  std::string out;
  for (int32_t id : ids) {
    if (skip_special && is_special(id)) continue;
    out += token_bytes(id);
  }
  return out;
}

uint64_t Tokenizer::fingerprint() const {
  uint64_t h = 1469598103934665603ull;  // FNV-1a 64
  auto mix = [&](unsigned char c) { h = (h ^ c) * 1099511628211ull; };
  for (int32_t id = 0; id < vocab_size(); ++id) {
    for (unsigned char c : token_bytes(id)) mix(c);
    mix(0xFF);  // separator: 0xFF never occurs in UTF-8 text, and byte tokens are one byte long
    mix(is_special(id) ? 1 : 0);
  }
  return h;
}

void Tokenizer::set_specials(const SpecialIds& ids, const std::vector<int32_t>& extra) {
  special_ = ids;
  special_mask_.assign(vocab_size(), false);
  for (int32_t id : {ids.pad, ids.bos, ids.eos, ids.unk, ids.mask}) {
    if (id >= 0 && id < vocab_size()) special_mask_[id] = true;
  }
  for (int32_t id : extra) {
    if (id >= 0 && id < vocab_size()) special_mask_[id] = true;
  }
}

void assign_special_by_name(const std::string& content, int32_t id, SpecialIds& ids) {
  if (content == "<pad>") ids.pad = id;
  if (content == "<s>") ids.bos = id;
  if (content == "</s>") ids.eos = id;
  if (content == "<unk>") ids.unk = id;
  if (content == "<mask>") ids.mask = id;
}

void write_tokenizer_config(const fs::path& dir, const Tokenizer& tok, const AddedTokens& added,
                            const std::map<std::string, std::string>& files) {
  const auto& s = tok.special_ids();
  nlohmann::json j{
      {"format_version", kTokenizerFormatVersion},
      {"kind", tok.kind()},
      {"vocab_size", tok.vocab_size()},
      {"special_ids", {{"pad", s.pad}, {"bos", s.bos}, {"eos", s.eos}, {"unk", s.unk}, {"mask", s.mask}}},
      {"added_tokens", added.to_json()},
      {"files", files},
      {"fingerprint", fmt::format("{:016x}", tok.fingerprint())},
  };
  core::write_file_atomic(dir / kTokenizerConfigFile, j.dump(2) + "\n");
}

nlohmann::json read_tokenizer_config(const fs::path& dir) {
  const fs::path file = dir / kTokenizerConfigFile;
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(core::read_file(file));
  } catch (const nlohmann::json::exception& e) {
    throw DataError(fmt::format("'{}' is not valid JSON: {}", file.string(), e.what()));
  }
  CODESSM_REQUIRE(j.is_object() && j.contains("format_version") && j.contains("kind"), DataError,
                  "'{}' needs 'format_version' and 'kind'", file.string());
  CODESSM_REQUIRE(j["format_version"].is_number_integer() && j["kind"].is_string(), DataError,
                  "'{}': 'format_version' must be an integer and 'kind' a string", file.string());
  const int64_t v = j["format_version"].get<int64_t>();
  CODESSM_REQUIRE(v <= kTokenizerFormatVersion, DataError,
                  "'{}' has format_version {}, newer than this codessm supports ({}); upgrade codessm",
                  file.string(), v, kTokenizerFormatVersion);
  if (!j.contains("files")) j["files"] = nlohmann::json::object();
  if (!j.contains("added_tokens")) j["added_tokens"] = nlohmann::json::array();
  return j;
}

static std::unique_ptr<Tokenizer> load_tokenizer_files(const fs::path& dir);

std::unique_ptr<Tokenizer> load_tokenizer(const fs::path& dir) {
  core::require_exists(dir, "tokenizer folder", "train one with `codessm tokenizer train` or give a HF folder");
  try {
    return load_tokenizer_files(dir);
  } catch (const nlohmann::json::exception& e) {
    // A field of the wrong JSON type (a number where a string belongs, ...): say which folder it was.
    throw DataError(fmt::format("tokenizer folder '{}': a file has a field of the wrong type ({})", dir.string(), e.what()));
  }
}

static std::unique_ptr<Tokenizer> load_tokenizer_files(const fs::path& dir) {
  if (fs::exists(dir / kTokenizerConfigFile)) {
    auto cfg = read_tokenizer_config(dir);
    const std::string kind = cfg["kind"].get<std::string>();
    if (kind == "sentencepiece") return SentencePieceTokenizer::load(dir);
    if (kind == "byte_bpe") {
      ByteBpeFiles files;
      ByteBpeFiles vm = read_vocab_merges(dir);
      files.vocab = std::move(vm.vocab);
      files.merges = std::move(vm.merges);
      files.added = AddedTokens::from_json(cfg["added_tokens"], (dir / kTokenizerConfigFile).string());
      return std::make_unique<ByteBpeTokenizer>(std::move(files));
    }
    throw DataError(fmt::format("'{}': unknown tokenizer kind '{}' (expected byte_bpe or sentencepiece)",
                                (dir / kTokenizerConfigFile).string(), kind));
  }
  if (fs::exists(dir / "tokenizer.json")) return std::make_unique<ByteBpeTokenizer>(read_hf_tokenizer_json(dir / "tokenizer.json"));
  if (fs::exists(dir / "vocab.json") && fs::exists(dir / "merges.txt")) {
    return std::make_unique<ByteBpeTokenizer>(read_vocab_merges(dir));
  }
  if (fs::exists(dir / "encoder.json") && fs::exists(dir / "vocab.bpe")) {
    return std::make_unique<ByteBpeTokenizer>(read_vocab_merges(dir, "encoder.json", "vocab.bpe"));
  }
  throw DataError(fmt::format("'{}' is not a tokenizer folder: expected {}, tokenizer.json, vocab.json + merges.txt, "
                              "or encoder.json + vocab.bpe",
                              dir.string(), kTokenizerConfigFile));
}

}  // namespace codessm::data
