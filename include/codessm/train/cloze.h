// Zero-shot cloze with any MLM checkpoint (CodeXGLUE ClozeTest-maxmin): the text is nl_tokens + pl_tokens
// joined by spaces (as CodeXGLUE's run_cloze.py); each candidate word is scored by the sum of the log-probabilities
// of its sub-tokens placed on as many <mask> tokens (one token for a vocabulary that has the word whole, as
// RoBERTa has " max"/" min"; several otherwise), and the best-scoring candidate is the prediction.
#pragma once

#include <torch/torch.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "codessm/data/tokenizer.h"
#include "codessm/model/code_model.h"
#include "codessm/benchmarks/datasets.h"

namespace codessm::train {

struct ClozeOptions {
  std::vector<std::string> candidates{"max", "min"};
  int64_t max_length = 512;  ///< a longer text keeps the window of this many tokens centred on the mask
  int64_t batch_size = 16;
};

struct ClozeResult {
  std::vector<std::pair<std::string, std::string>> predictions;  ///< (idx, word), file order
  std::vector<std::vector<double>> scores;                       ///< per example, per candidate: Σ log p
  int64_t answered = 0, correct = 0;                             ///< over examples with an answer
  double accuracy() const { return answered ? static_cast<double>(correct) / answered : 0.0; }
  nlohmann::json to_json() const;  ///< counts, accuracy and the prediction distribution (no per-example rows)
};

/// Scores every example; `answers` (idx -> word, may be empty) gives the accuracy.
ClozeResult run_cloze(model::CodeModel& model, const data::Tokenizer& tok, const std::vector<benchmarks::ClozeExample>& ex,
                      const std::map<std::string, std::string>& answers, const torch::Device& device,
                      const ClozeOptions& options = {});

}  // namespace codessm::train
