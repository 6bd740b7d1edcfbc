// `codessm dataset types`: a type-inference set in the ManyTypes4TypeScript format from the annotated
// TypeScript/Python of a corpus (docs/parse.md §"Type-inference dataset builder"); `--source FILE`
// prints the example of one file instead, for a quick look at what is stripped and labelled.
#include <iostream>
#include <nlohmann/json.hpp>

#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "codessm/core/logging.h"
#include "codessm/corpus/type_dataset.h"
#include "codessm/parse/language.h"
#include "commands.h"
#include "common_flags.h"

namespace codessm::cli {
namespace {

// One file → one JSON line on stdout (same fields as the dataset files) and its counts on the log.
void print_source_example(const std::string& file, const corpus::TypeExampleOptions& opts) {
  const auto lang = parse::language_from_path(file);
  if (!lang ||
      (*lang != parse::Language::kTypeScript && *lang != parse::Language::kTsx && *lang != parse::Language::kPython))
    throw UsageError(fmt::format("dataset types: --source '{}' is not a .ts/.tsx/.py file", file));
  const auto r = corpus::make_type_example(core::read_file(file), *lang, file, opts);
  if (!r.ok) throw DataError(fmt::format("dataset types: '{}' was skipped: {}", file, r.skip_reason));
  nlohmann::ordered_json j;
  j["id"] = r.example.id;
  j["tokens"] = r.example.tokens;
  j["labels"] = nlohmann::ordered_json::array();
  for (const auto& l : r.example.labels)
    j["labels"].push_back(l.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(l));
  std::cout << j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
  spdlog::info("{}: {} tokens, {} annotations stripped, {} labelled, {} without a name to label", file,
               r.example.tokens.size(), r.counts.annotations, r.counts.labelled_tokens, r.counts.unlabelled);
}

}  // namespace

void setup_dataset(CLI::App& app) {
  auto o = std::make_shared<corpus::TypeDatasetOptions>();
  auto f = std::make_shared<CommonFlags>();
  auto corpus_in = std::make_shared<std::vector<std::string>>();
  auto source = std::make_shared<std::string>();
  auto split = std::make_shared<std::vector<uint32_t>>(std::vector<uint32_t>{80, 10, 10});
  auto* cmd = app.add_subcommand("dataset", "build fine-tuning datasets from corpora");
  cmd->require_subcommand(1);
  auto* types =
      cmd->add_subcommand("types",
                          "type inference (ManyTypes4TypeScript JSONL) from annotated TypeScript/Python: annotations "
                          "stripped, declaration identifiers labelled with their types");
  auto* c = types->add_option("--corpus", *corpus_in,
                              "corpus JSONL file(s) or `codessm corpus build` folder(s) (their files/ records)");
  auto* s = types->add_option("--source", *source,
                              "one annotated .ts/.tsx/.py file: print its example as a "
                              "JSON line and write nothing");
  c->excludes(s);
  add_common_flags(types, *f, kOut, {"output folder (train/valid/test.jsonl, manifest.json)"});
  types->add_option("--lang", o->languages, "languages to keep: typescript (with tsx), tsx, python")
      ->delimiter(',')
      ->capture_default_str();
  types->add_option("--split", *split, "train,valid,test percentages (sum 100), by hash of repo/path")
      ->delimiter(',')
      ->expected(3)
      ->capture_default_str();
  types->add_option("--max-files", o->max_files, "stop after this many records of the kept languages (0 = all)")
      ->capture_default_str();
  types->add_flag("!--keep-leaks", o->example.strip_leaks,
                  "keep `as T` / `satisfies T` casts, `<T>x` assertions and explicit type arguments");
  types->add_flag("--keep-unannotated", o->example.keep_unannotated,
                  "write files without annotations too (all labels null)");
  types->callback([o, corpus_in, source, split, f] {
    o->out = f->out;
    if (!source->empty()) return print_source_example(*source, o->example);
    if (corpus_in->empty()) throw UsageError("dataset types: give --corpus (or --source FILE for one file)");
    if (o->out.empty()) throw UsageError("dataset types: --out is required with --corpus");
    o->inputs.assign(corpus_in->begin(), corpus_in->end());
    o->train_percent = (*split)[0], o->valid_percent = (*split)[1], o->test_percent = (*split)[2];
    const auto r = corpus::build_type_dataset(*o);
    uint64_t skipped = 0;
    for (const auto& [reason, n] : r.skipped)
      if (reason != "language_not_selected") skipped += n;
    spdlog::info(
        "dataset types: {} examples ({} train / {} valid / {} test) with {} labelled tokens from {} "
        "records of the kept languages; {} skipped (see manifest.json) → {}",
        r.examples_written, r.examples_per_split.count("train") ? r.examples_per_split.at("train") : 0,
        r.examples_per_split.count("valid") ? r.examples_per_split.at("valid") : 0,
        r.examples_per_split.count("test") ? r.examples_per_split.at("test") : 0, r.counts.labelled_tokens,
        r.records_selected, skipped, o->out.string());
  });
}

}  // namespace codessm::cli
