// The check every shipped checkpoint must pass: loaded here, on the CPU, its held-out figure (masked-token
// accuracy, or type-inference F1/accuracy for the fine-tuned one) equals the figure its training run recorded in
// heldout.json, on the data and with the settings recorded there. Used on the repository's models/ and on a
// folder the tiny study ships.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "codessm/core/io.h"
#include "codessm/pipelines/finetune_ops.h"

namespace codessm::test {

/// Checks every <models>/<name>/heldout.json; returns how many checkpoints were checked. `tolerance` covers the
/// GPU-vs-CPU difference of the fp32 forward pass (a few argmax ties among tens of thousands of tokens).
inline int check_shipped_models(const std::filesystem::path& models, double tolerance) {
  namespace fs = std::filesystem;
  using nlohmann::json;
  int checked = 0;
  for (const auto& e : fs::directory_iterator(models)) {
    const fs::path h = e.path() / "heldout.json";
    if (!fs::exists(h)) continue;
    const json j = json::parse(core::read_file(h));
    pipelines::EvalOptions o;
    o.objective = j.at("task");
    o.model = e.path();
    o.tokenizer = models / "tokenizer";
    o.data = {(models / j.at("data").get<std::string>()).string()};
    pipelines::add_eval_settings(o, j.at("set"));
    const json r = pipelines::run_eval(o).at("results").begin().value();
    const json& rec = j.at("recorded");
    for (const char* metric : {"eval_accuracy", "f1", "accuracy"})
      if (rec.contains(metric)) {
        EXPECT_NEAR(r.at(metric).get<double>(), rec.at(metric).get<double>(), tolerance) << e.path() << " " << metric;
      }
    ++checked;
  }
  return checked;
}

}  // namespace codessm::test
