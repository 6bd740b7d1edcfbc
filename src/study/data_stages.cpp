// The study's data stages, all on the CPU (tree-sitter and SentencePiece training live here): the corpus, the
// pretraining text (per language, content-hash order, byte caps), the tokenizer, token shards (train, held-out,
// and a small held-out shard shipped with the checkpoints), the type-inference set from the corpus's own
// annotated TypeScript/Python, docstring → code retrieval pairs, the probing datasets (the same functions for
// every model) and a max/min cloze set with answers from held-out functions.
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "codessm/core/logging.h"
#include "codessm/corpus/corpus_builder.h"
#include "codessm/corpus/type_dataset.h"
#include "codessm/data/corpus_reader.h"
#include "codessm/data/sentencepiece_tokenizer.h"
#include "codessm/data/shard_format.h"
#include "codessm/parse/language.h"
#include "codessm/layer_probe/dataset.h"
#include "study_context.h"

namespace codessm::study {

using nlohmann::json;

namespace {

/// Calls `fn(record, line_no)` for every JSONL line of `file`.
template <typename Fn>
void for_each_jsonl(const fs::path& file, Fn fn) {
  std::ifstream in(file);
  CODESSM_REQUIRE(in, DataError, "cannot read '{}'", file.string());
  std::string line;
  for (size_t n = 1; std::getline(in, line); ++n) {
    if (line.empty()) continue;
    json j;
    try {
      j = json::parse(line);
    } catch (const json::exception& e) {  // parse_error, or out_of_range for an overflowing number
      throw DataError(fmt::format("{}:{}: not valid JSON ({})", file.string(), n, e.what()));
    }
    fn(j, n);
  }
}

bool selected(const std::vector<std::string>& langs, const std::string& l) {
  return langs.empty() || std::find(langs.begin(), langs.end(), l) != langs.end();
}

// ---- corpus ----

json corpus_config(const StudyConfig& c) {
  json j{{"sources", c.corpus.sources},
         {"languages", c.corpus.languages},
         {"valid_permille", c.corpus.valid_permille},
         {"test_permille", c.corpus.test_permille}};
  if (!c.corpus.path.empty()) {
    // An existing corpus counts by its manifest, which holds the SHA-256 of every output file.
    const fs::path m = fs::path(c.corpus.path) / "manifest.json";
    core::require_exists(m, "corpus manifest", "build the corpus first: bash scripts/build_corpus.sh");
    j = {{"path", fs::absolute(c.corpus.path).lexically_normal().string()}, {"manifest_sha256", hash_tree({m}, m.parent_path())}};
  }
  return j;
}

json run_corpus(StudyContext& ctx, const fs::path& dir) {
  const auto& c = ctx.cfg.corpus;
  fs::path path = c.path.empty() ? dir / "corpus" : fs::absolute(c.path).lexically_normal();
  if (c.path.empty()) {
    corpus::CorpusBuildOptions o;
    o.sources.assign(c.sources.begin(), c.sources.end());
    o.out = path;
    o.languages = c.languages;
    o.valid_permille = c.valid_permille;
    o.test_permille = c.test_permille;
    o.progress = ctx.opts.progress;
    corpus::build_corpus(o);
  }
  const json manifest = json::parse(core::read_file(path / "manifest.json"));
  core::write_file_atomic(dir / "corpus.json", json{{"path", path.string()}}.dump(2) + "\n");
  return {{"path", path.string()}, {"counts", manifest.value("counts", json::object())}};
}

// ---- pretraining text ----

struct Doc {
  std::string sha, language, content;
};

/// Per language, the files of a split in content-hash order up to `cap` bytes; then all of them in hash order.
std::vector<Doc> select_text(const fs::path& file, const TextSection& t, uint64_t cap, json* info) {
  std::map<std::string, std::vector<Doc>> by_lang;
  for_each_jsonl(file, [&](const json& j, size_t) {
    const std::string lang = j.value("language", "");
    const std::string& content = j.at("content").get_ref<const std::string&>();
    if (!selected(t.languages, lang) || content.size() > t.max_document_bytes || content.empty()) return;
    by_lang[lang].push_back({j.value("sha", ""), lang, content});
  });
  std::vector<Doc> out;
  for (auto& [lang, docs] : by_lang) {
    std::sort(docs.begin(), docs.end(), [](const Doc& a, const Doc& b) { return a.sha < b.sha; });
    uint64_t bytes = 0;
    size_t n = 0;
    for (auto& d : docs) {
      if (cap > 0 && bytes + d.content.size() > cap) continue;  // a smaller file may still fit
      bytes += d.content.size();
      ++n;
      out.push_back(std::move(d));
    }
    (*info)[lang] = {{"files", n}, {"bytes", bytes}, {"available_files", docs.size()}};
  }
  std::sort(out.begin(), out.end(), [](const Doc& a, const Doc& b) { return a.sha < b.sha; });
  return out;
}

void write_text(const fs::path& file, const std::vector<Doc>& docs) {
  core::AtomicFileWriter w(file);
  for (const auto& d : docs) w.write(json{{"code", d.content}, {"language", d.language}}.dump() + "\n");
  w.commit();
}

json run_text(StudyContext& ctx, const fs::path& dir) {
  const fs::path corpus = ctx.corpus_dir();
  json info{{"train", json::object()}, {"valid", json::object()}};
  const auto train = select_text(corpus / "files" / "train.jsonl", ctx.cfg.text, ctx.cfg.text.train_bytes_per_language,
                                 &info["train"]);
  const auto valid = select_text(corpus / "files" / "valid.jsonl", ctx.cfg.text, ctx.cfg.text.valid_bytes_per_language,
                                 &info["valid"]);
  CODESSM_REQUIRE(!train.empty() && !valid.empty(), DataError,
                  "text: no training or held-out files selected from '{}' (languages {}); check text.languages",
                  corpus.string(), json(ctx.cfg.text.languages).dump());
  write_text(dir / "train.jsonl", train);
  write_text(dir / "valid.jsonl", valid);
  return info;
}

// ---- tokenizer ----

json run_tokenizer(StudyContext& ctx, const fs::path& dir) {
  data::SentencePieceTrainOptions o;
  o.vocab_size = ctx.cfg.tokenizer.vocab_size;
  o.num_sentinels = 0;
  o.input_sentence_size = ctx.cfg.tokenizer.max_sentences;
  o.num_threads = ctx.threads();
  data::CorpusOptions co;
  co.fields = {"code"};
  data::CorpusReader reader({ctx.dir("text") / "train.jsonl"}, co);
  auto tok = data::SentencePieceTokenizer::train(o, [&](std::string& doc) { return reader.next(doc); });
  tok->save(dir / "tokenizer");
  return {{"vocab_size", tok->vocab_size()}, {"documents", reader.num_documents()}, {"fingerprint", tok->fingerprint()}};
}

// ---- shards ----

/// Tokenizes `input` (JSONL, field "code") into shards with `threads` encoders; documents keep their order.
/// Stops after `max_tokens` (0 = all). Returns {documents, tokens}.
json write_shards(const data::Tokenizer& tok, const fs::path& input, const fs::path& out, int threads,
                  uint64_t max_tokens = 0) {
  data::CorpusOptions co;
  co.fields = {"code"};
  data::CorpusReader reader({input}, co);
  data::ShardWriter writer(out, static_cast<uint32_t>(tok.vocab_size()), tok.fingerprint());
  const size_t batch = 64;
  std::vector<std::string> docs;
  std::vector<std::vector<int32_t>> ids;
  bool more = true, full = false;
  while (more && !full) {
    docs.clear();
    std::string d;
    while (docs.size() < batch && (more = reader.next(d))) docs.push_back(std::move(d));
    ids.assign(docs.size(), {});
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([&, t] {
        for (size_t i = t; i < docs.size(); i += threads) ids[i] = tok.encode_ids(docs[i]);
      });
    for (auto& th : pool) th.join();
    for (const auto& v : ids) {
      if (max_tokens > 0 && writer.num_tokens() >= max_tokens) {
        full = true;
        break;
      }
      writer.add_document(v);
    }
  }
  writer.finish(json{{"source", input.filename().string()}}.dump());
  return {{"documents", writer.num_docs()}, {"tokens", writer.num_tokens()}};
}

json run_shards(StudyContext& ctx, const fs::path& dir) {
  const auto tok = data::load_tokenizer(ctx.dir("tokenizer") / "tokenizer");
  const fs::path text = ctx.dir("text");
  json info;
  info["train"] = write_shards(*tok, text / "train.jsonl", dir / "train", ctx.threads());
  info["valid"] = write_shards(*tok, text / "valid.jsonl", dir / "valid", ctx.threads());
  info["heldout"] = write_shards(*tok, text / "valid.jsonl", dir / "heldout", ctx.threads(), ctx.cfg.text.heldout_tokens);
  spdlog::info("shards: {} training tokens, {} held-out", info["train"]["tokens"].get<uint64_t>(),
               info["valid"]["tokens"].get<uint64_t>());
  return info;
}

// ---- fine-tuning data ----

json run_types_data(StudyContext& ctx, const fs::path& dir) {
  corpus::TypeDatasetOptions o;
  o.inputs = {ctx.corpus_dir()};
  o.out = dir;
  o.languages = ctx.cfg.types.languages;
  o.max_files = ctx.cfg.types.max_files;
  const auto s = corpus::build_type_dataset(o);
  CODESSM_REQUIRE(s.examples_written > 0, DataError,
                  "types-data: the corpus has no annotated {} file; add TypeScript sources to the corpus",
                  json(o.languages).dump());
  // A few test files that ship with the fine-tuned checkpoint (its held-out check).
  std::string heldout;
  size_t n = 0;
  for_each_jsonl(dir / "test.jsonl", [&](const json& j, size_t) {
    if (n++ < 40) heldout += j.dump() + "\n";
  });
  core::write_file_atomic(dir / "heldout.jsonl", heldout);
  return {{"examples_per_split", s.examples_per_split},
          {"labels_per_split", s.labels_per_split},
          {"examples_per_language", s.examples_per_language}};
}

json run_retrieval_data(StudyContext& ctx, const fs::path& dir) {
  const auto& r = ctx.cfg.retrieval;
  json info;
  for (const char* split : {"train", "valid", "test"}) {
    struct Pair {
      std::string sha;
      json rec;
    };
    std::vector<Pair> pairs;
    for_each_jsonl(ctx.corpus_dir() / "functions" / (std::string(split) + ".jsonl"), [&](const json& j, size_t) {
      if (!selected(r.languages, j.value("language", ""))) return;
      const auto& doc = j.value("docstring_tokens", json::array());
      const auto& code = j.value("code_tokens", json::array());
      if (static_cast<int64_t>(doc.size()) < r.min_docstring_tokens || code.empty()) return;
      pairs.push_back({j.value("sha", ""),
                       {{"url", fmt::format("{}/{}#{}#{}", j.value("repo", ""), j.value("path", ""),
                                            j.value("func_name", ""), j.value("start_line", 0))},
                        {"docstring_tokens", doc},
                        {"code_tokens", code},
                        {"language", j.value("language", "")}}});
    });
    std::sort(pairs.begin(), pairs.end(), [](const Pair& a, const Pair& b) { return a.sha < b.sha; });
    const int64_t cap = std::string(split) == "train" ? r.max_train_pairs : r.max_eval_pairs;
    if (cap > 0 && static_cast<int64_t>(pairs.size()) > cap) pairs.resize(static_cast<size_t>(cap));
    CODESSM_REQUIRE(!pairs.empty(), DataError, "retrieval-data: no function with a docstring of >= {} tokens in the {} split",
                    r.min_docstring_tokens, split);
    core::AtomicFileWriter w(dir / (std::string(split) + ".jsonl"));
    for (const auto& p : pairs) w.write(p.rec.dump() + "\n");
    w.commit();
    info[split] = pairs.size();
  }
  return info;
}

// ---- probing datasets: held-out (test split) functions, never trained on ----

json run_probe_data(StudyContext& ctx, const fs::path& dir) {
  const auto& p = ctx.cfg.probing;
  const auto lang_opt = parse::language_from_name(p.language);
  CODESSM_REQUIRE(lang_opt.has_value(), UsageError, "probing.language: unknown language '{}'", p.language);
  const auto lang = *lang_opt;
  const auto functions = layer_probe::read_source_functions(ctx.corpus_dir() / "functions" / "test.jsonl", lang);
  json info;
  for (const auto& t : p.tasks) {
    layer_probe::DatasetOptions o;
    o.task = layer_probe::task_from_name(t);
    o.language = lang;
    o.seed = ctx.cfg.seed;
    o.max_functions = p.max_functions;
    o.per_label = p.per_label;
    o.max_function_bytes = p.max_function_bytes;
    const auto ds = layer_probe::build_probe_dataset(functions, o);
    layer_probe::save_dataset(ds, dir / (t + ".json"));
    info[t] = {{"functions", ds.functions.size()}, {"train", ds.train.size()}, {"test", ds.test.size()}};
  }
  return info;
}

// ---- cloze: max/min in held-out functions, with answers (CodeXGLUE ClozeTest-maxmin format) ----

json run_cloze_data(StudyContext& ctx, const fs::path& dir) {
  const auto& c = ctx.cfg.cloze;
  std::map<std::string, std::vector<std::pair<std::string, json>>> items;  // lang -> (sha, item)
  std::map<std::string, std::map<std::string, std::string>> answers;
  for_each_jsonl(ctx.corpus_dir() / "functions" / "test.jsonl", [&](const json& j, size_t) {
    const std::string lang = j.value("language", "");
    if (!selected(c.languages, lang)) return;
    auto code = j.value("code_tokens", std::vector<std::string>{});
    for (auto& t : code)
      if (t == "max" || t == "min") {
        const std::string answer = t;
        t = "<mask>";
        items[lang].push_back({j.value("sha", ""),
                               {{"nl_tokens", j.value("docstring_tokens", json::array())}, {"pl_tokens", code},
                                {"answer", answer}}});
        return;  // one mask per function: the first max/min
      }
  });
  json info = json::object();
  for (auto& [lang, v] : items) {
    std::sort(v.begin(), v.end(), [](auto& a, auto& b) { return a.first < b.first; });
    if (static_cast<int64_t>(v.size()) > c.max_items_per_language) v.resize(static_cast<size_t>(c.max_items_per_language));
    json arr = json::array();
    std::string ans;
    for (size_t i = 0; i < v.size(); ++i) {
      const std::string idx = fmt::format("maxmin-{}", i + 1);
      json it = v[i].second;
      ans += idx + "<CODESPLIT>" + it["answer"].get<std::string>() + "\n";
      it.erase("answer");
      it["idx"] = idx;
      arr.push_back(it);
    }
    core::write_file_atomic(dir / (lang + ".json"), arr.dump() + "\n");
    core::write_file_atomic(dir / "answers" / lang / "answers.txt", ans);
    info[lang] = v.size();
  }
  return info;
}

}  // namespace

std::vector<Stage> data_stages(const StudyConfig& c) {
  std::vector<Stage> s;
  s.push_back({"corpus", false, {}, {}, corpus_config(c), run_corpus});
  s.push_back({"text", false, {"corpus"}, {}, json(c.to_json()["text"]), run_text});
  s.push_back({"tokenizer", false, {"text"}, {}, json(c.to_json()["tokenizer"]), run_tokenizer});
  s.push_back({"shards", false, {"tokenizer", "text"}, {}, {{"heldout_tokens", c.text.heldout_tokens}}, run_shards});
  if (!c.types.models.empty())
    s.push_back({"types-data", false, {"corpus"}, {}, {{"languages", c.types.languages}, {"max_files", c.types.max_files}},
                 run_types_data});
  if (!c.retrieval.models.empty()) {
    json r = c.to_json()["retrieval"];
    r.erase("train");
    r.erase("models");
    s.push_back({"retrieval-data", false, {"corpus"}, {}, r, run_retrieval_data});
  }
  if (!c.probing.models.empty()) {
    json p = c.to_json()["probing"];
    p.erase("models");
    p.erase("threads");
    p["seed"] = c.seed;
    s.push_back({"probe-data", false, {"corpus"}, {}, p, run_probe_data});
  }
  s.push_back({"cloze-data", false, {"corpus"}, {}, c.to_json()["cloze"], run_cloze_data});
  return s;
}

}  // namespace codessm::study
