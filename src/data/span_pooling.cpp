// Mean pooling of subword vectors per span as one scatter (index_add) rather than S slices.
#include "codessm/data/span_pooling.h"

#include "codessm/core/error.h"

namespace codessm::data {

torch::Tensor pool_spans_mean(const torch::Tensor& hidden_in, const std::vector<TokenRange>& ranges, int64_t offset,
                              std::vector<bool>* valid) {
  torch::Tensor hidden = hidden_in.dim() == 3 && hidden_in.size(0) == 1 ? hidden_in.squeeze(0) : hidden_in;  // (L, D)
  CODESSM_REQUIRE(hidden.dim() == 2, UsageError, "pool_spans_mean wants hidden (L, D) or (1, L, D), got {} dims",
                  hidden_in.dim());
  const int64_t L = hidden.size(0), S = static_cast<int64_t>(ranges.size());
  std::vector<int64_t> rows, span_of_row;
  std::vector<float> counts(S, 0.f);
  if (valid) valid->assign(S, false);
  for (int64_t s = 0; s < S; ++s) {
    const auto& r = ranges[s];
    CODESSM_REQUIRE(r.last + offset <= L, UsageError, "span {} covers tokens up to {} but the sequence has {} (offset {})",
                    s, r.last + offset, L, offset);
    for (uint32_t t = r.first; t < r.last; ++t) rows.push_back(t + offset), span_of_row.push_back(s);
    counts[s] = static_cast<float>(r.last - r.first);
    if (valid) (*valid)[s] = r.last > r.first;
  }
  auto opts_i = torch::TensorOptions().dtype(torch::kLong);
  auto row_idx = torch::tensor(rows, opts_i).to(hidden.device());         // (R,)
  auto span_idx = torch::tensor(span_of_row, opts_i).to(hidden.device());  // (R,)
  auto sums = torch::zeros({S, hidden.size(1)}, hidden.options());         // (S, D)
  if (!rows.empty()) sums.index_add_(0, span_idx, hidden.index_select(0, row_idx));
  auto denom = torch::tensor(counts).clamp_min(1.f).to(hidden.options()).unsqueeze(1);  // (S, 1)
  return sums / denom;                                                                   // (S, D)
}

}  // namespace codessm::data
