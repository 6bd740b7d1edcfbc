// `codessm tokenizer train|encode|decode|convert|shard`: thin wrappers over the data module
// (docs/data.md describes the tokenizer folder and the shard format).
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <iostream>
#include <sstream>

#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "codessm/core/logging.h"
#include "codessm/core/progress.h"
#include "codessm/core/timer.h"
#include "codessm/data/corpus_reader.h"
#include "codessm/data/sentencepiece_tokenizer.h"
#include "codessm/data/shard_format.h"
#include "codessm/data/tokenizer.h"
#include "codessm/data/shard_corpus.h"
#include "commands.h"

namespace codessm::cli {

namespace {

namespace fs = std::filesystem;

struct CorpusFlags {
  std::vector<std::string> inputs;
  std::vector<std::string> fields = {"code", "original_string"};
  uint64_t max_doc_bytes = 0;

  void add(CLI::App* app) {
    app->add_option("--input", inputs, "JSONL files, source files or folders (walked recursively)")->required();
    app->add_option("--field", fields, "JSONL fields holding the text, tried in order")->capture_default_str();
    app->add_option("--max-doc-bytes", max_doc_bytes, "skip longer documents (0 = keep all)")->capture_default_str();
  }
  data::CorpusReader reader() const {
    data::CorpusOptions o;
    o.fields = fields;
    o.max_document_bytes = max_doc_bytes;
    return data::CorpusReader(std::vector<fs::path>(inputs.begin(), inputs.end()), o);
  }
};

std::string text_argument(const std::string& text, const std::string& file) {
  CODESSM_REQUIRE(text.empty() != file.empty(), UsageError, "give exactly one of --text and --file");
  return file.empty() ? text : core::read_file(file);
}

void setup_train(CLI::App& parent) {
  auto* app = parent.add_subcommand("train", "train a SentencePiece BPE code tokenizer (32000 + 100 sentinels)");
  auto corpus = std::make_shared<CorpusFlags>();
  auto opts = std::make_shared<data::SentencePieceTrainOptions>();
  auto out = std::make_shared<std::string>();
  corpus->add(app);
  app->add_option("--out", *out, "output tokenizer folder")->required();
  app->add_option("--vocab-size", opts->vocab_size, "SentencePiece pieces, specials and byte pieces included")
      ->capture_default_str();
  app->add_option("--sentinels", opts->num_sentinels, "<extra_id_*> tokens appended after the vocabulary")
      ->capture_default_str();
  app->add_option("--model-type", opts->model_type, "bpe or unigram")->capture_default_str();
  app->add_option("--character-coverage", opts->character_coverage, "rarer characters use byte pieces")
      ->capture_default_str();
  app->add_option("--max-sentences", opts->input_sentence_size, "sample at most this many chunks (0 = all)")
      ->capture_default_str();
  app->add_option("--threads", opts->num_threads, "trainer threads")->capture_default_str();
  app->callback([=] {
    auto reader = corpus->reader();
    core::Timer timer;
    auto tok = data::SentencePieceTokenizer::train(*opts, [&](std::string& doc) { return reader.next(doc); });
    tok->save(*out);
    spdlog::info("trained a {}-id tokenizer on {} documents ({} bytes) in {}; saved to {}", tok->vocab_size(),
                 reader.num_documents(), reader.bytes_read(), core::format_duration(timer.seconds()), *out);
  });
}

void setup_encode(CLI::App& parent) {
  auto* app = parent.add_subcommand("encode", "print the token ids (optionally with byte offsets) of a text");
  struct Flags {
    std::string tokenizer, text, file;
    bool offsets = false;
  };
  auto f = std::make_shared<Flags>();
  app->add_option("--tokenizer", f->tokenizer, "tokenizer folder (codessm or Hugging Face)")->required();
  app->add_option("--text", f->text, "text to encode");
  app->add_option("--file", f->file, "file to encode");
  app->add_flag("--offsets", f->offsets, "print JSON lines {id, begin, end, bytes} instead of ids");
  app->callback([=] {
    auto tok = data::load_tokenizer(f->tokenizer);
    const std::string text = text_argument(f->text, f->file);
    auto tokens = tok->encode_with_offsets(text);
    if (f->offsets) {
      for (const auto& t : tokens) {
        nlohmann::json j{{"id", t.id}, {"begin", t.begin}, {"end", t.end}, {"bytes", text.substr(t.begin, t.end - t.begin)}};
        std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
      }
    } else {
      std::string line;
      for (const auto& t : tokens) line += (line.empty() ? "" : " ") + std::to_string(t.id);
      std::cout << line << "\n";
    }
  });
}

void setup_decode(CLI::App& parent) {
  auto* app = parent.add_subcommand("decode", "print the text of token ids (from --ids or stdin)");
  auto tokenizer = std::make_shared<std::string>();
  auto ids = std::make_shared<std::vector<int32_t>>();
  auto skip = std::make_shared<bool>(false);
  app->add_option("--tokenizer", *tokenizer, "tokenizer folder")->required();
  app->add_option("--ids", *ids, "token ids (space separated); read from stdin when absent");
  app->add_flag("--skip-special", *skip, "drop special tokens");
  app->callback([=] {
    auto tok = data::load_tokenizer(*tokenizer);
    if (ids->empty()) {
      int32_t id;
      while (std::cin >> id) ids->push_back(id);
    }
    std::cout << tok->decode(*ids, *skip);
  });
}

void setup_convert(CLI::App& parent) {
  auto* app = parent.add_subcommand("convert", "save a Hugging Face byte-level BPE folder as a codessm tokenizer folder");
  auto from = std::make_shared<std::string>(), out = std::make_shared<std::string>();
  app->add_option("--from", *from, "folder with tokenizer.json, vocab.json + merges.txt or encoder.json + vocab.bpe")
      ->required();
  app->add_option("--out", *out, "output tokenizer folder")->required();
  app->callback([=] {
    auto tok = data::load_tokenizer(*from);
    tok->save(*out);
    const auto& s = tok->special_ids();
    spdlog::info("saved {} tokenizer ({} ids; pad {} bos {} eos {} unk {} mask {}) to {}", tok->kind(),
                 tok->vocab_size(), s.pad, s.bos, s.eos, s.unk, s.mask, *out);
  });
}

void setup_shard(CLI::App& parent) {
  auto* app = parent.add_subcommand("shard", "tokenize a corpus into versioned token shards for pretraining");
  auto corpus = std::make_shared<CorpusFlags>();
  auto tokenizer = std::make_shared<std::string>(), out = std::make_shared<std::string>();
  auto wopts = std::make_shared<data::ShardWriterOptions>();
  corpus->add(app);
  app->add_option("--tokenizer", *tokenizer, "tokenizer folder")->required();
  app->add_option("--out", *out, "output shard folder (shard-*.bin + manifest.json)")->required();
  app->add_option("--tokens-per-shard", wopts->tokens_per_shard, "close a shard after this many tokens")
      ->capture_default_str();
  app->callback([=] {
    auto tok = data::load_tokenizer(*tokenizer);
    auto reader = corpus->reader();
    core::ProgressBar bar("shard", reader.total_bytes(), "B");
    const auto r = data::shard_corpus(reader, *tok, *tokenizer, corpus->inputs, *out, *wopts, [&](uint64_t b) { bar.set(b); });
    bar.finish(fmt::format("{} docs, {} tokens, {} shards", r.documents, r.tokens, r.shards));
  });
}

}  // namespace

void setup_tokenizer(CLI::App& parent) {
  auto* app = parent.add_subcommand("tokenizer", "train, apply and convert tokenizers; write token shards");
  app->require_subcommand(1);
  setup_train(*app);
  setup_encode(*app);
  setup_decode(*app);
  setup_convert(*app);
  setup_shard(*app);
}

}  // namespace codessm::cli
