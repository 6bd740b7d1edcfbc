// Label and type vocabularies. Both are ordered by content (sorted labels; types by frequency, then name),
// never by file order, so a model's class ids survive a reshuffled training file.
#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

#include "codessm/core/error.h"
#include "codessm/benchmarks/datasets.h"

namespace codessm::benchmarks {

LabelMap::LabelMap(std::vector<std::string> labels) : labels_(std::move(labels)) {
  std::sort(labels_.begin(), labels_.end());
  labels_.erase(std::unique(labels_.begin(), labels_.end()), labels_.end());
  for (size_t i = 0; i < labels_.size(); ++i) index_[labels_[i]] = static_cast<int64_t>(i);
}

LabelMap LabelMap::from_examples(const std::vector<ClassificationExample>& ex) {
  std::vector<std::string> labels;
  labels.reserve(ex.size());
  for (const auto& e : ex) labels.push_back(e.label);
  return LabelMap(std::move(labels));
}

int64_t LabelMap::id(const std::string& label) const {
  const auto it = index_.find(label);
  if (it == index_.end()) {
    std::string known;
    for (const auto& l : labels_) known += (known.empty() ? "" : ", ") + l;
    throw DataError(
        fmt::format("label '{}' is not among the training labels ({}). Fix: evaluate on a split of the "
                    "same dataset, or add the label to the training set",
                    label, known));
  }
  return it->second;
}

TypeVocab TypeVocab::from_examples(const std::vector<TokenExample>& ex, int64_t max_types) {
  CODESSM_REQUIRE(max_types >= 0, UsageError, "max_types must be >= 0 (0 keeps every type), got {}", max_types);
  std::unordered_map<std::string, int64_t> counts;
  for (const auto& e : ex) {
    for (const auto& l : e.labels) {
      // "" marks an unlabelled token; a literal "UNK" type would collide with id 0, so it is not counted.
      if (!l.empty() && l != kUnk) ++counts[l];
    }
  }
  std::vector<std::pair<std::string, int64_t>> ranked(counts.begin(), counts.end());
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  if (max_types > 0 && static_cast<int64_t>(ranked.size()) > max_types) ranked.resize(static_cast<size_t>(max_types));
  TypeVocab v;
  v.types_.push_back(kUnk);
  for (auto& r : ranked) v.types_.push_back(std::move(r.first));
  for (size_t i = 0; i < v.types_.size(); ++i) v.index_[v.types_[i]] = static_cast<int64_t>(i);
  return v;
}

int64_t TypeVocab::id(const std::string& type) const {
  const auto it = index_.find(type);
  return it == index_.end() ? 0 : it->second;
}

std::vector<std::string> TypeVocab::top(int64_t k) const {
  CODESSM_REQUIRE(k >= 0, UsageError, "top(k) needs k >= 0, got {}", k);
  // types_[0] is UNK; the rest are already most frequent first.
  const auto n = std::min<size_t>(static_cast<size_t>(k), types_.empty() ? 0 : types_.size() - 1);
  return {types_.begin() + 1, types_.begin() + 1 + static_cast<std::ptrdiff_t>(n)};
}

}  // namespace codessm::benchmarks
