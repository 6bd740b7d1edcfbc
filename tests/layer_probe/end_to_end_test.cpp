// End to end on a tiny CodeSSM checkpoint and ~20 Python functions: datasets for the three tasks,
// pair vectors of every layer, DirectProbe per layer, per-layer accuracies, JSON + Markdown + figures.
#include <gtest/gtest.h>

#include <fstream>

#include "codessm/config/presets.h"
#include "codessm/core/io.h"
#include "codessm/data/sentencepiece_tokenizer.h"
#include "codessm/model/checkpoint.h"
#include "codessm/layer_probe/dataset.h"
#include "codessm/layer_probe/layer_probe.h"
#include "codessm/layer_probe/representations.h"
#include "codessm/report/figure.h"
#include "test_utils.h"

namespace codessm::layer_probe {
namespace {

// ~20 functions of two small stdlib modules.
const fs::path kSource = "/usr/lib/python3.11/textwrap.py";

TEST(ProbingEndToEnd, TinyCheckpointThreeTasksPerLayer) {
  if (!fs::exists(kSource)) GTEST_SKIP() << kSource << " is absent";
  const fs::path dir = test::temp_dir("probing_e2e");
  auto fns = read_source_functions(kSource, parse::Language::kPython);
  const fs::path shlex = kSource.parent_path() / "shlex.py";
  if (fs::exists(shlex))
    for (auto& f : read_source_functions(shlex, parse::Language::kPython)) fns.push_back(std::move(f));
  ASSERT_GE(fns.size(), 25u);

  // Tokenizer: SentencePiece BPE with 2000 pieces, trained on a few stdlib modules (one file is too
  // little text for SentencePiece); the tiny checkpoint is sized to it, as `--set vocab_size=` does.
  data::SentencePieceTrainOptions to;
  to.vocab_size = 2000;
  to.num_sentinels = 0;
  std::vector<std::string> docs;
  for (const char* m : {"textwrap", "difflib", "pprint", "calendar", "shlex", "argparse", "typing"}) {
    const fs::path p = kSource.parent_path() / (std::string(m) + ".py");
    if (fs::exists(p)) docs.push_back(core::read_file(p));
  }
  size_t next = 0;
  auto tok = data::SentencePieceTokenizer::train(to, [&](std::string& d) {
    if (next >= docs.size()) return false;
    d = docs[next++];
    return true;
  });
  tok->save(dir / "tok");

  torch::manual_seed(0);
  auto cfg = config::make_preset("codessm-tiny");
  cfg.vocab_size = tok->vocab_size();
  model::CodeModel m(cfg);
  model::save_pretrained(m, dir / "model");

  LayerProbeOptions o;
  for (ProbeTask t : {ProbeTask::kDistance, ProbeTask::kSiblings, ProbeTask::kDfg}) {
    DatasetOptions dopt;
    dopt.task = t;
    dopt.seed = 5;
    dopt.max_functions = 20;
    dopt.per_label = 30;
    dopt.max_function_bytes = 1500;  // well inside codessm-tiny's 512 positions
    const ProbeDataset ds = build_probe_dataset(fns, dopt);
    EXPECT_EQ(ds.functions.size(), 20u);
    const fs::path p = dir / (task_name(t) + ".json");
    save_dataset(ds, p);
    o.datasets.push_back(p);
  }
  o.checkpoints = {dir / "model"};
  o.tokenizer = dir / "tok";
  o.out = dir / "out";
  o.progress = false;
  o.probe.progress = false;
  o.probe.threads = 2;
  const auto summary = run_layer_probes(o);

  // codessm-tiny: 2 blocks → layers 0 (embeddings), 1, 2; every task probed at every layer.
  ASSERT_EQ(summary["results"].size(), 9u);
  for (const auto& r : summary["results"]) {
    const double acc = r["mean_over_labels"].get<double>();
    EXPECT_GE(acc, 0.0);
    EXPECT_LE(acc, 1.0);
    EXPECT_TRUE(fs::exists(o.out / r["report"].get<std::string>())) << r["report"];
    if (r["task"] == "distance") EXPECT_EQ(r["per_value"].size(), 5u);
  }
  EXPECT_TRUE(fs::exists(o.out / "summary.json"));
  EXPECT_TRUE(fs::exists(o.out / "model" / "dfg" / "layer-02" / "report.md"));
  const std::string md = core::read_file(o.out / "summary.md");
  EXPECT_NE(md.find("## siblings"), std::string::npos);
  EXPECT_NE(md.find("| model |"), std::string::npos);
  for (const char* stem : {"accuracy_by_layer_distance", "accuracy_by_layer_siblings", "accuracy_by_layer_dfg",
                           "accuracy_by_distance"}) {
    EXPECT_TRUE(fs::exists(o.out / "figures" / (std::string(stem) + ".gp"))) << stem;
    if (!report::find_gnuplot().empty())
      EXPECT_TRUE(fs::exists(o.out / "figures" / (std::string(stem) + ".png"))) << stem;
  }

  // The stored vectors reload in dataset order with the dataset's labels.
  const ProbeDataset sib = load_dataset(o.datasets[1]);
  const VectorSet vs = read_vector_set(o.out / "model" / "siblings" / "vectors");
  EXPECT_EQ(vs.num_layers, 3);
  EXPECT_EQ(vs.dim, 2 * 64);  // concatenation of two d=64 leaf vectors
  const auto test = load_layer(vs, sib, 1, true);
  ASSERT_EQ(test.x.n, static_cast<int64_t>(sib.test.size()));
  for (size_t i = 0; i < sib.test.size(); ++i) EXPECT_EQ(test.labels[i], sib.test[i].label);
}

}  // namespace
}  // namespace codessm::layer_probe
