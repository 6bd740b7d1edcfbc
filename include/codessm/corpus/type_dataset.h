// Type-inference datasets in the ManyTypes4TypeScript format from annotated TypeScript/TSX or Python:
// every type annotation is stripped from the source, the stripped source is re-tokenised (code tokens of
// docs/parse.md §2, comments dropped) and the identifier at each declaration site is labelled with the
// annotation's type. One example per file (or per function record) of a `codessm corpus build` corpus,
// hash-split into train/valid/test. Rules and output: docs/parse.md §"Type-inference dataset builder".
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "codessm/parse/language.h"
#include "codessm/benchmarks/datasets.h"

namespace codessm::corpus {

namespace fs = std::filesystem;

/// Per-call knobs of make_type_example() (recorded in the manifest).
struct TypeExampleOptions {
  /// Also strip TypeScript syntax that states a type outside an annotation: `x as T`, `x satisfies T`,
  /// `<T>x` and the type arguments of calls and `new` (`new Map<string, number>()`).
  bool strip_leaks = true;
  /// Emit an example (all labels null) for a file without annotations instead of skipping it.
  bool keep_unannotated = false;
};

/// Counts of one example or, summed, of a dataset.
struct TypeCounts {
  uint64_t annotations = 0;               ///< annotations stripped (outermost only: `{a: number}` inside a type is one)
  uint64_t labelled_tokens = 0;           ///< tokens that got a label
  uint64_t unlabelled = 0;                ///< annotations without a plain name to label (destructuring, anonymous
                                          ///< functions, `this`, type predicates)
  uint64_t label_lost = 0;                ///< names not found again after re-tokenising (expected 0)
  std::map<std::string, uint64_t> kinds;  ///< "parameter", "variable", "property", "return" -> annotations
  std::map<std::string, uint64_t> leaks;  ///< "cast", "type_arguments" -> spans stripped
  std::map<std::string, uint64_t> kept;   ///< annotations left in place, by parent node type
  void add(const TypeCounts& o);
};

/// The result of make_type_example(): an example, or the reason it was skipped.
struct TypeExampleResult {
  bool ok = false;
  std::string skip_reason;  ///< "parse_error", "no_annotations", "stripped_parse_error"; empty when ok
  benchmarks::TokenExample example;
  std::string stripped_source;  ///< the source without annotations (set whenever parsing succeeded)
  TypeCounts counts;
};

/// Builds one example from annotated source. `lang` must be TypeScript, TSX or Python (UsageError
/// otherwise); `id` becomes the example's id. Syntax errors never throw: they are a skip reason.
TypeExampleResult make_type_example(const std::string& source, parse::Language lang, const std::string& id,
                                    const TypeExampleOptions& opts = {});

/// Per-call options of build_type_dataset() (recorded in the manifest).
struct TypeDatasetOptions {
  /// Corpus JSONL files, or folders: `DIR/files/*.jsonl` when DIR/files exists (a `corpus build` output),
  /// else `DIR/*.jsonl`; files in name order.
  std::vector<fs::path> inputs;
  fs::path out;  ///< output folder (created)
  /// Languages to keep: "typescript" (TSX records included), "tsx", "python".
  std::vector<std::string> languages{"typescript", "python"};
  uint32_t train_percent = 80, valid_percent = 10, test_percent = 10;  ///< must sum to 100
  uint64_t max_files = 0;  ///< stop after this many records of the kept languages; 0 = all
  TypeExampleOptions example;
};

/// Counts of a build, also written to manifest.json.
struct TypeDatasetSummary {
  uint64_t records_read = 0;      ///< JSONL records read
  uint64_t records_selected = 0;  ///< of a kept language
  uint64_t examples_written = 0;
  std::map<std::string, uint64_t> skipped;  ///< reason -> records (language_not_selected, parse_error, ...)
  std::map<std::string, uint64_t> examples_per_split, examples_per_language, labels_per_split;
  TypeCounts counts;
};

/// Reads corpus records (`language`, `content` or `code`, `path`, optional `repo`, `func_name`,
/// `start_line`), builds one example per record, splits them by the SHA-256 of "repo/path" (a file's
/// functions stay together) and writes OUT/{train,valid,test}.jsonl (benchmarks::write_type_inference) and
/// OUT/manifest.json. Throws UsageError for bad options, DataError for a missing input or a malformed line.
TypeDatasetSummary build_type_dataset(const TypeDatasetOptions& opts);

}  // namespace codessm::corpus
