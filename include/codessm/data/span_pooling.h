// Mean pooling of subword vectors into per-span (per-leaf) vectors, given tokens_for_spans() output.
// Shapes: L sequence length, D model width, S number of spans.
#pragma once

#include <torch/torch.h>

#include <vector>

#include "codessm/data/alignment.h"

namespace codessm::data {

/// Mean of the rows `hidden[first:last]` for each range. `hidden`: r(L D) or r(B=1 L D), any float dtype
/// and device. Returns r(S D), same dtype/device; a row is zero where the range is empty (and
/// `valid`, when given, is false there). `offset` shifts every range, e.g. 1 when a <s> precedes the
/// tokens in the model input. Throws UsageError when a range ends past L.
torch::Tensor pool_spans_mean(const torch::Tensor& hidden, const std::vector<TokenRange>& ranges, int64_t offset = 0,
                              std::vector<bool>* valid = nullptr);

}  // namespace codessm::data
