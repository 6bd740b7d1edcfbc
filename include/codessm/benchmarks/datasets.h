// Readers for the public fine-tuning / evaluation benchmarks, each in its own release format, into plain
// example records (strings; tokenisation happens later, in train). Torch-free. Every reader validates at the
// boundary: a malformed line or element is a DataError naming the file, the line (JSONL) or element index
// (JSON arrays), the field and the fix. Formats: docs/finetune.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace codessm::benchmarks {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------------------------------
// Retrieval (bi-encoder): a query and the code that answers it.

struct RetrievalExample {
  std::string id;     ///< idx / url / line number, for reports
  std::string query;  ///< natural-language query (or source code for code-to-code retrieval)
  std::string code;   ///< the answer
  int label = 1;      ///< CoSQA: 1 = the code answers the query, 0 = a negative pair; 1 elsewhere
};

/// Formats: "advtest" (CodeXGLUE NL-code-search-Adv JSONL: docstring_tokens, code_tokens|function_tokens, url),
/// "cosqa" (CodeXGLUE CoSQA JSON array: idx, doc, code, label), "webquery" (JSON array: idx, doc, code),
/// "sqa" (JSONL: question, answer), "aligned" (two line-aligned files, query side and code side, e.g.
/// CodeXGLUE code-to-code-trans test.java / test.cs), "auto" (by extension and the first record's keys).
/// For "aligned", `path` is "QUERY_FILE:CODE_FILE" (or give read_aligned_pairs directly).
std::vector<RetrievalExample> read_retrieval(const fs::path& path, const std::string& format = "auto");
std::vector<RetrievalExample> read_aligned_pairs(const fs::path& query_file, const fs::path& code_file);

/// The evaluation view of a retrieval set: queries are the label-1 examples; the pool is every distinct code
/// string of the set (first occurrence order); gold[q] = the pool index of query q's code.
struct RetrievalPool {
  std::vector<std::string> queries, pool;
  std::vector<std::string> query_ids;
  std::vector<int64_t> gold;
};
RetrievalPool make_pool(const std::vector<RetrievalExample>& examples);

// ---------------------------------------------------------------------------------------------------------
// Sequence classification (single code or a code pair) with string labels.

struct ClassificationExample {
  std::string id;
  std::string text;   ///< the function
  std::string text2;  ///< second function of a pair (clone detection); empty otherwise
  std::string label;  ///< label as written in the file ("0"/"1", "linear", ...)
};

/// Formats: "devign" (CodeXGLUE Defect-detection JSONL: func, target, idx), "diversevul" (JSONL: func, target,
/// optional cwe/project/commit_id), "codecomplex" (JSONL: src, complexity), "jsonl" (generic: fields given by
/// `text_field` / `label_field`), "auto". Labels are the JSON value as text (true/false/0/1 → "0"/"1").
std::vector<ClassificationExample> read_classification(const fs::path& path, const std::string& format = "auto",
                                                       const std::string& text_field = "func",
                                                       const std::string& label_field = "target");

/// The metric a classification format's benchmark selects and reports by (the table beside the readers):
/// diversevul and codecomplex macro F1 (imbalanced classes), every other format (devign, jsonl, auto) accuracy.
std::string classification_selection_metric(const std::string& format);

/// BigCloneBench as in CodeXGLUE Clone-detection-BigCloneBench: `data_jsonl` (func, idx) and a pair list
/// (lines "idx1<TAB>idx2<TAB>label", label 0/1). An idx missing from data.jsonl is a DataError naming the pair
/// file and line. `max_pairs` > 0 keeps the first pairs only (the official runs sample 10 %).
std::vector<ClassificationExample> read_bigclonebench(const fs::path& data_jsonl, const fs::path& pairs_txt,
                                                      int64_t max_pairs = 0);

/// Label vocabulary: sorted distinct labels of a training set (so ids do not depend on file order); an unseen
/// label at evaluation is a DataError naming it.
class LabelMap {
 public:
  LabelMap() = default;
  explicit LabelMap(std::vector<std::string> labels);  ///< de-duplicated and sorted
  static LabelMap from_examples(const std::vector<ClassificationExample>& ex);
  int64_t size() const { return static_cast<int64_t>(labels_.size()); }
  int64_t id(const std::string& label) const;  ///< throws DataError for an unknown label
  bool contains(const std::string& label) const { return index_.count(label) > 0; }
  const std::string& label(int64_t id) const { return labels_.at(static_cast<size_t>(id)); }
  const std::vector<std::string>& labels() const { return labels_; }

 private:
  std::vector<std::string> labels_;
  std::map<std::string, int64_t> index_;
};

// ---------------------------------------------------------------------------------------------------------
// Token classification: type inference in the ManyTypes4TypeScript format.

struct TokenExample {
  std::string id;
  std::vector<std::string> tokens;
  std::vector<std::string> labels;  ///< same length; "" = not a labelled token (null in the file)
};

/// ManyTypes4TypeScript JSONL: {"tokens": [...], "labels": [type | null, ...], optional "id"/"url"/"path"}.
/// Lengths must match (DataError naming file, line and both lengths).
std::vector<TokenExample> read_type_inference(const fs::path& path);
/// Writes the same format (atomically), e.g. for the type-inference builder.
void write_type_inference(const fs::path& path, const std::vector<TokenExample>& examples);

/// The type vocabulary of a training set: the `max_types` most frequent types (ties by name), id 0 = "UNK"
/// for every other type. `top(k)` = the k most frequent (for the top-100 metric).
class TypeVocab {
 public:
  static constexpr const char* kUnk = "UNK";
  static TypeVocab from_examples(const std::vector<TokenExample>& ex, int64_t max_types);
  int64_t size() const { return static_cast<int64_t>(types_.size()); }
  int64_t id(const std::string& type) const;  ///< 0 (UNK) when not in the vocabulary
  const std::string& type(int64_t id) const { return types_.at(static_cast<size_t>(id)); }
  std::vector<std::string> top(int64_t k) const;  ///< most frequent first, UNK excluded
  const std::vector<std::string>& types() const { return types_; }

 private:
  std::vector<std::string> types_;  ///< [UNK, most frequent, ...]
  std::map<std::string, int64_t> index_;
};

// ---------------------------------------------------------------------------------------------------------
// Zero-shot cloze: CodeXGLUE ClozeTest-maxmin.

struct ClozeExample {
  std::string id;                                 ///< "maxmin-1"
  std::vector<std::string> nl_tokens, pl_tokens;  ///< pl_tokens hold exactly one "<mask>"
};
/// The clozeTest.json array (idx, nl_tokens, pl_tokens); an element without exactly one "<mask>" in pl_tokens
/// is a DataError naming the file and element.
std::vector<ClozeExample> read_cloze(const fs::path& path);
/// CodeXGLUE evaluator answers/predictions files: lines "idx<CODESPLIT>word".
std::map<std::string, std::string> read_codesplit(const fs::path& path);
void write_codesplit(const fs::path& path, const std::vector<std::pair<std::string, std::string>>& rows);

}  // namespace codessm::benchmarks
