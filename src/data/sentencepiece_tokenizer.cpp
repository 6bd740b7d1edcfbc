// SentencePiece training and encoding for code. Options that make code round-trip exactly are in
// docs/data.md and ecosystem.md §2.1; the traps worked around here:
//  - SentencePiece links its own protobuf, which clashes with LibTorch's: it is reached only through a
//    dlopen'ed shim (spm_library.h);
//  - SentencePiece trains on "sentences" (lines of a file), so documents are fed through a
//    SentenceIterator in newline-terminated chunks and "\n" is a user-defined (atomic) piece;
//  - for byte-fallback pieces EncodeAsImmutableProto gives the whole character's span to the last
//    byte and empty spans to the others, so byte pieces are given one byte each here.
#include "codessm/data/sentencepiece_tokenizer.h"

#include <array>
#include <cctype>

#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "codessm/core/progress.h"
#include "codessm/data/unicode.h"
#include "spm_library.h"
#include "tokenizer_config.h"

namespace codessm::data {

namespace {

constexpr const char* kModelFile = "spm.model";

/// Feeds documents to the trainer as newline-terminated chunks of at most `max_bytes` bytes.
class ChunkSource {
 public:
  ChunkSource(const DocumentSource& source, size_t max_bytes) : source_(source), max_bytes_(max_bytes) {}

  static int next(void* self, const char** data, size_t* size) {
    return static_cast<ChunkSource*>(self)->next_chunk(data, size) ? 1 : 0;
  }

 private:
  bool next_chunk(const char** data, size_t* size) {
    while (pos_ >= doc_.size()) {
      if (!source_(doc_)) {
        progress_.finish();
        return false;
      }
      pos_ = 0;
      progress_.update(doc_.size());
    }
    size_t end = std::min(doc_.size(), pos_ + max_bytes_);
    if (end < doc_.size()) {
      size_t nl = doc_.rfind('\n', end - 1);
      if (nl != std::string::npos && nl >= pos_) end = nl + 1;
    }
    *data = doc_.data() + pos_;
    *size = end - pos_;
    pos_ = end;
    return true;
  }

  const DocumentSource& source_;
  size_t max_bytes_;
  std::string doc_;
  size_t pos_ = 0;
  core::ProgressBar progress_{"read corpus", 0, "B"};
};

/// The bytes a piece stands for: "▁" (U+2581) is a space, <0xAB> is one byte, specials are their name.
std::string surface_of(const std::string& piece, int flags) {
  if (flags & CSSM_SPM_BYTE) {
    auto hex = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; };
    CODESSM_REQUIRE(piece.size() == 6 && piece.compare(0, 3, "<0x") == 0 && hex(piece[3]) && hex(piece[4]) &&
                        piece[5] == '>',
                    DataError, "SentencePiece model: byte piece '{}' is not of the form <0xAB>", piece);
    return std::string(1, static_cast<char>(std::stoi(piece.substr(3, 2), nullptr, 16)));
  }
  if (flags & (CSSM_SPM_CONTROL | CSSM_SPM_UNKNOWN)) return piece;
  static const std::string kSpace = "\xE2\x96\x81";
  std::string out;
  for (size_t i = 0; i < piece.size();) {
    if (piece.compare(i, 3, kSpace) == 0) {
      out += ' ';
      i += 3;
    } else {
      out += piece[i++];
    }
  }
  return out;
}

struct EncodeContext {
  std::vector<Token>* out;
  const std::vector<bool>* is_byte;
  uint32_t cursor;
  uint32_t base;
};

void emit_piece(void* ctx_ptr, int id, unsigned /*begin*/, unsigned end) {
  auto* ctx = static_cast<EncodeContext*>(ctx_ptr);
  uint32_t e = (*ctx->is_byte)[id] ? ctx->cursor + 1 : ctx->base + end;
  ctx->out->push_back({id, ctx->cursor, e});
  ctx->cursor = e;
}

}  // namespace

SentencePieceTokenizer::SentencePieceTokenizer(const std::string& model_proto, AddedTokens sentinels)
    : model_proto_(model_proto), sentinels_(std::move(sentinels)) {
  const auto& lib = SpmLibrary::get();
  std::array<char, 512> err{};
  sp_ = lib.load(model_proto_.data(), model_proto_.size(), err.data(), err.size());
  CODESSM_REQUIRE(sp_ != nullptr, DataError, "cannot load SentencePiece model: {}", err.data());
  const int n = lib.piece_size(sp_);
  int32_t size = n;
  for (const auto& t : sentinels_.tokens()) size = std::max(size, t.id + 1);
  id_bytes_.resize(size);
  is_byte_piece_.assign(size, false);
  byte_piece_id_.fill(-1);
  SpecialIds ids;
  std::vector<int32_t> extra;
  std::array<char, 1024> buf{};
  for (int id = 0; id < n; ++id) {
    const int flags = lib.piece(sp_, id, buf.data(), buf.size());
    const std::string piece = buf.data();
    id_bytes_[id] = surface_of(piece, flags);
    is_byte_piece_[id] = (flags & CSSM_SPM_BYTE) != 0;
    if (is_byte_piece_[id]) byte_piece_id_[static_cast<uint8_t>(id_bytes_[id][0])] = id;
    if ((flags & CSSM_SPM_UNKNOWN) && unk_id_ < 0) unk_id_ = id;
    assign_special_by_name(piece, id, ids);
    if ((flags & (CSSM_SPM_CONTROL | CSSM_SPM_UNKNOWN)) || piece == "<mask>") extra.push_back(id);
  }
  for (const auto& t : sentinels_.tokens()) {
    CODESSM_REQUIRE(t.id >= n, DataError, "sentinel '{}' has id {} inside the SentencePiece vocabulary [0, {})",
                    t.content, t.id, n);
    id_bytes_[t.id] = t.content;
    extra.push_back(t.id);
  }
  set_specials(ids, extra);
}

SentencePieceTokenizer::~SentencePieceTokenizer() {
  if (sp_) SpmLibrary::get().free(sp_);
}

std::unique_ptr<SentencePieceTokenizer> SentencePieceTokenizer::train(const SentencePieceTrainOptions& o,
                                                                     const DocumentSource& source) {
  CODESSM_REQUIRE(o.model_type == "bpe" || o.model_type == "unigram", UsageError,
                  "--model-type must be bpe or unigram, got '{}'", o.model_type);
  CODESSM_REQUIRE(o.vocab_size > 262, UsageError,
                  "--vocab-size {} is too small: it must exceed 6 specials + 256 byte pieces", o.vocab_size);
  CODESSM_REQUIRE(o.num_sentinels >= 0, UsageError, "--sentinels must be >= 0, got {}", o.num_sentinels);
  const std::vector<std::pair<std::string, std::string>> kw{
      {"model_type", o.model_type},
      {"vocab_size", std::to_string(o.vocab_size)},
      {"character_coverage", std::to_string(o.character_coverage)},
      {"byte_fallback", "true"},
      {"normalization_rule_name", "identity"},
      {"remove_extra_whitespaces", "false"},
      {"add_dummy_prefix", "false"},
      {"allow_whitespace_only_pieces", "true"},
      {"split_digits", o.split_digits ? "true" : "false"},
      {"pad_id", "0"}, {"bos_id", "1"}, {"eos_id", "2"}, {"unk_id", "3"},
      {"pad_piece", "<pad>"}, {"bos_piece", "<s>"}, {"eos_piece", "</s>"}, {"unk_piece", "<unk>"},
      {"user_defined_symbols", "<mask>,\n"},  // ids 4 and 5
      {"max_sentence_length", std::to_string(o.max_sentence_bytes + 16)},
      {"input_sentence_size", std::to_string(o.input_sentence_size)},
      {"shuffle_input_sentence", "true"},
      {"num_threads", std::to_string(o.num_threads)},
      {"minloglevel", "1"},
  };
  std::vector<const char*> keys, values;
  for (const auto& [k, v] : kw) keys.push_back(k.c_str()), values.push_back(v.c_str());
  ChunkSource chunks(source, static_cast<size_t>(o.max_sentence_bytes));
  const auto& lib = SpmLibrary::get();
  char* proto = nullptr;
  size_t proto_size = 0;
  std::array<char, 1024> err{};
  int rc = lib.train(keys.data(), values.data(), static_cast<int>(kw.size()), &ChunkSource::next, &chunks, &proto,
                     &proto_size, err.data(), err.size());
  CODESSM_REQUIRE(rc == 0, DataError, "SentencePiece training failed: {}{}", err.data(),
                  std::string(err.data()).find("ocabulary size") != std::string::npos
                      ? " (the corpus is too small for this --vocab-size: lower it or add data)"
                      : "");
  std::string model(proto, proto_size);
  lib.free_buffer(proto);
  AddedTokens sentinels;
  for (int i = 0; i < o.num_sentinels; ++i) {
    // T5/CodeT5 order: <extra_id_0> is the last id.
    sentinels.add(AddedToken{fmt::format("<extra_id_{}>", i), o.vocab_size + o.num_sentinels - 1 - i});
  }
  return std::make_unique<SentencePieceTokenizer>(model, std::move(sentinels));
}

std::unique_ptr<SentencePieceTokenizer> SentencePieceTokenizer::load(const fs::path& dir) {
  auto cfg = read_tokenizer_config(dir);
  const fs::path model = dir / cfg["files"].value("model", kModelFile);
  core::require_exists(model, "SentencePiece model", "the tokenizer folder is incomplete; train it again");
  return std::make_unique<SentencePieceTokenizer>(
      core::read_file(model), AddedTokens::from_json(cfg["added_tokens"], (dir / kTokenizerConfigFile).string()));
}

const std::string& SentencePieceTokenizer::token_bytes(int32_t id) const {
  CODESSM_REQUIRE(id >= 0 && id < vocab_size(), UsageError, "token id {} is outside the vocabulary [0, {})", id,
                  vocab_size());
  return id_bytes_[id];
}

void SentencePieceTokenizer::encode_invalid_byte(uint8_t byte, uint32_t offset, std::vector<Token>& out) const {
  const int32_t id = byte_piece_id_[byte] >= 0 ? byte_piece_id_[byte] : unk_id_;
  CODESSM_REQUIRE(id >= 0, DataError, "SentencePiece model has neither byte pieces nor <unk>: cannot encode byte 0x{:02X}",
                  byte);
  out.push_back({id, offset, offset + 1});
}

void SentencePieceTokenizer::encode(std::string_view text, std::vector<Token>& out) const {
  const auto& lib = SpmLibrary::get();
  std::vector<TextSegment> segments;
  sentinels_.split(text, segments);
  std::array<char, 512> err{};
  // SentencePiece replaces bytes that are not valid UTF-8 by U+FFFD (three bytes that were never in the text),
  // so only valid runs go to it and every other byte becomes its byte piece: decode(encode(x)) == x for any x.
  // The same holds for a literal U+2581 "▁" in the text: SentencePiece's own whitespace marker, which its pieces
  // use for a space, so it would decode as ' ' (fuzz/sentencepiece_text); its three bytes become byte pieces.
  auto encode_valid = [&](uint32_t begin, uint32_t end) {
    if (begin == end) return;
    EncodeContext ctx{&out, &is_byte_piece_, begin, begin};
    int rc = lib.encode(sp_, text.data() + begin, end - begin, &emit_piece, &ctx, err.data(), err.size());
    CODESSM_REQUIRE(rc == 0, DataError, "SentencePiece encoding failed: {}", err.data());
    CODESSM_CHECK(ctx.cursor == end, "SentencePiece offsets end at {} instead of {}", ctx.cursor, end);
  };
  for (const auto& seg : segments) {
    if (seg.id >= 0) {
      out.push_back({seg.id, seg.begin, seg.end});
      continue;
    }
    uint32_t run = seg.begin;
    for (uint32_t i = seg.begin; i < seg.end;) {
      const auto c = decode_utf8(text.substr(0, seg.end), i);
      constexpr uint32_t kSpaceMarker = 0x2581;
      if (c.valid && c.cp != 0 && c.cp != kSpaceMarker) {  // NUL ends a C string inside SentencePiece's
        i += c.len;                                        // normalizer: a byte piece too
        continue;
      }
      encode_valid(run, i);
      const uint32_t n = c.valid ? static_cast<uint32_t>(c.len) : 1;
      for (uint32_t k = 0; k < n; ++k, ++i) encode_invalid_byte(static_cast<uint8_t>(text[i]), i, out);
      run = i;
    }
    encode_valid(run, seg.end);
  }
}

void SentencePieceTokenizer::save(const fs::path& dir) const {
  core::ensure_dir(dir);
  core::write_file_atomic(dir / kModelFile, model_proto_);
  write_tokenizer_config(dir, *this, sentinels_, {{"model", kModelFile}});
}

}  // namespace codessm::data
