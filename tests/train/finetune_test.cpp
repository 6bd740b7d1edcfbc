// Fine-tuning through the one training loop: every task objective on tiny files in the benchmarks' formats
// (lines of real Python stdlib code as the text), byte tokens, codessm-tiny. Checks: the device ranking of
// retrieval equals the benchmarks::gold_ranks reference; losses fall; a fine-tuning run killed and resumed is
// bit-identical; the clone pair head and the type-inference chunking; malformed lines name file and line;
// zero-shot cloze scores equal a direct log-softmax; staged pretraining switches corpora and resumes across
// the boundary.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "codessm/config/presets.h"
#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "codessm/model/checkpoint.h"
#include "codessm/benchmarks/metrics.h"
#include "codessm/train/cloze.h"
#include "codessm/train/example_order.h"
#include "codessm/train/mlm_objective.h"
#include "codessm/train/model_inputs.h"
#include "codessm/train/finetune_objectives.h"
#include "codessm/train/run_checkpoints.h"
#include "codessm/train/trainer.h"
#include "train_fixtures.h"

namespace codessm::train {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

/// Distinct lines of 25-90 bytes from the first Python stdlib (or repository) sources, in file order.
std::vector<std::string> code_lines(size_t n) {
  const bool py = fs::is_directory("/usr/lib/python3.11");
  const fs::path root = py ? fs::path("/usr/lib/python3.11") : test::source_dir() / "src" / "model";
  std::vector<fs::path> files;
  for (auto& e : fs::directory_iterator(root))
    if (e.path().extension() == (py ? ".py" : ".cpp")) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& f : files) {
    std::istringstream in(core::read_file(f));
    for (std::string line; std::getline(in, line) && out.size() < n;) {
      while (!line.empty() && line.front() == ' ') line.erase(line.begin());
      if (line.size() >= 25 && line.size() <= 90 && line.find('"') == std::string::npos &&
          line.find('\\') == std::string::npos && seen.insert(line).second)
        out.push_back(line);
    }
    if (out.size() >= n) break;
  }
  return out;
}

std::shared_ptr<const data::Tokenizer> byte_tok() { return std::make_shared<test::ByteTokenizer>(); }

model::CodeModel tiny_with_head(const HeadSpec& h, uint64_t seed) {
  tensor::set_seed(seed);
  auto mc = config::make_preset("codessm-tiny");
  mc.head = h.kind;
  if (!h.labels.empty()) mc.num_labels = static_cast<int64_t>(h.labels.size());
  mc.id2label = h.labels;
  return model::CodeModel(mc);
}

/// The task config's files (every fine-tuning objective has them) and the retrieval-only fields.
config::TaskFilesConfig& files(config::TrainConfig& c) { return config::task_files(c.task); }
config::RetrievalTaskConfig& retrieval(config::TrainConfig& c) { return c.task_as<config::RetrievalTaskConfig>(); }

config::TrainConfig tiny_cfg(const std::string& task) {
  auto c = config::TrainConfig::for_objective(config::parse_objective(task));
  c.tokenizer = "(in-memory byte tokenizer)";
  files(c).max_length = 48;
  if (task == "retrieval") retrieval(c).query_length = 32;
  c.optim.batch_size = 4;
  c.optim.max_steps = 6;
  c.optim.lr = 3e-3;
  c.optim.warmup_steps = 0;
  c.optim.schedule = config::Schedule::kConstant;
  c.run.eval_every = 3;
  c.run.save_every = 2;
  c.run.keep_last = 2;
  c.run.log_every = 1;
  c.run.spectral_monitor = false;
  return c;
}

TrainResult run(const config::TrainConfig& cfg, const fs::path& dir, uint64_t seed, bool resume = false,
                int64_t stop_after = 0) {
  auto obj = make_task_objective(cfg, byte_tok());
  auto model = tiny_with_head(obj.head, seed);
  TrainOptions o;
  o.run_dir = dir;
  o.resume = resume;
  o.stop_after_step = stop_after;
  o.progress = false;
  Trainer t(cfg, model, std::move(obj), o);
  return t.run();
}

/// A run of `obj` on `model` in `dir` (no resume, no progress bar).
TrainResult run_objective(const config::TrainConfig& cfg, model::CodeModel model, TrainObjective obj,
                          const fs::path& dir) {
  TrainOptions o;
  o.run_dir = dir;
  o.progress = false;
  return Trainer(cfg, model, std::move(obj), o).run();
}

/// A CodeXGLUE CoSQA-format file: query = the line's first 12 bytes reversed-order words, code = the line.
fs::path write_cosqa(const fs::path& dir, const std::vector<std::string>& lines) {
  json arr = json::array();
  for (size_t i = 0; i < lines.size(); ++i)
    arr.push_back({{"idx", "q-" + std::to_string(i)}, {"doc", lines[i].substr(0, 14)}, {"code", lines[i]}, {"label", 1}});
  core::write_file_atomic(dir / "cosqa.json", arr.dump());
  return dir / "cosqa.json";
}

/// A Devign-format file: target = the line's length parity (arbitrary but fixed, and both labels occur).
fs::path write_devign(const fs::path& dir, const std::vector<std::string>& lines, const std::string& name) {
  std::string s;
  for (size_t i = 0; i < lines.size(); ++i)
    s += json{{"project", "p"}, {"commit_id", "c"}, {"target", static_cast<int>(lines[i].size() % 2)},
              {"func", lines[i]}, {"idx", i}}.dump() + "\n";
  core::write_file_atomic(dir / name, s);
  return dir / name;
}

TEST(ExampleOrder, EveryEpochIsAPermutationAndRestoreIsExact) {
  ExampleOrder a(10, 3, 7, "test"), b(10, 3, 7, "test");
  EXPECT_EQ(a.batches_per_epoch(), 3u);
  std::set<size_t> seen;
  std::vector<std::vector<size_t>> epoch0;
  for (int i = 0; i < 3; ++i) epoch0.push_back(a.next());
  for (auto& v : epoch0) seen.insert(v.begin(), v.end());
  EXPECT_EQ(seen.size(), 9u);  // 3 full batches of distinct indices; the 10th example waits for a later epoch
  auto e1 = a.next();          // epoch 1, batch 0
  EXPECT_EQ(a.position().epoch, 1u);
  EXPECT_NE(e1, epoch0[0]);
  (void)a.next();
  b.restore(StreamPosition{1, 2, 0});
  EXPECT_EQ(b.next(), a.next());  // batch 2 of epoch 1 from a restored order
  EXPECT_THROW_WITH(ExampleOrder(2, 3, 0, "tiny.jsonl"), DataError, "tiny.jsonl: 2 examples");
}

TEST(Finetune, RetrievalRanksOnTheDeviceEqualTheReferenceTwin) {
  const auto dir = test::temp_dir("ft_retrieval_ranks");
  auto cfg = tiny_cfg("retrieval");
  files(cfg).train_data = write_cosqa(dir, code_lines(24)).string();
  files(cfg).eval_data = files(cfg).train_data;
  for (const std::string sim : {"dot", "cos"}) {
    retrieval(cfg).similarity = config::parse_similarity(sim);
    auto obj = make_task_objective(cfg, byte_tok());
    auto model = tiny_with_head(obj.head, 3);
    const auto r = obj.evaluator->evaluate_with_predictions(model, torch::Device(torch::kCPU), dir / "pred.jsonl");
    // Reference: embeddings one text at a time (no padding), scores in float64, benchmarks::gold_ranks.
    auto tok = byte_tok();
    model->eval();
    torch::NoGradGuard g;
    auto emb = [&](const std::string& t, int64_t len) {
      auto e = sentence_embedding(model, pad_batch({encode_for_model(*tok, t, len)}, 0), config::Pooling::kMean)[0].to(torch::kFloat64);
      return sim == "cos" ? e / e.norm() : e;
    };
    const auto lines = code_lines(24);
    std::vector<torch::Tensor> P;
    for (auto& l : lines) P.push_back(emb(l, files(cfg).max_length));
    std::vector<float> scores;
    std::vector<int64_t> gold;
    for (size_t q = 0; q < lines.size(); ++q) {
      auto qe = emb(lines[q].substr(0, 14), retrieval(cfg).query_length);
      for (auto& p : P) scores.push_back(static_cast<float>(qe.dot(p).item<double>()));
      gold.push_back(static_cast<int64_t>(q));
    }
    const auto ranks = benchmarks::gold_ranks(scores, static_cast<int64_t>(lines.size()), gold);
    EXPECT_NEAR(r.metrics["mrr"].get<double>(), benchmarks::mean_reciprocal_rank(ranks), 1e-9) << sim;
    std::ifstream in(dir / "pred.jsonl");
    size_t i = 0;
    for (std::string line; std::getline(in, line); ++i) EXPECT_EQ(json::parse(line)["rank"].get<int64_t>(), ranks[i]);
    EXPECT_EQ(i, lines.size());
    EXPECT_EQ(r.metrics["pool"].get<int64_t>(), 24);
  }
}

TEST(Finetune, RetrievalEvaluatesTheRealCodeXGlueSamples) {
  CODESSM_REQUIRE_SHARED_DATA();
  const fs::path data = test::shared_data_dir() / "codexglue";
  auto cfg = tiny_cfg("retrieval");
  files(cfg).eval_max_examples = 64;
  auto tok = byte_tok();
  auto model = tiny_with_head({config::HeadKind::kRetrieval, {}}, 8);
  // Code-to-code retrieval on CodeXGLUE's line-aligned Java / C# test pairs, and CoSQA's web queries.
  for (const auto& [file, dataset] : std::vector<std::pair<std::string, std::string>>{
           {(data / "java-cs" / "test.java").string() + ":" + (data / "java-cs" / "test.cs").string(), "aligned"},
           {(data / "cosqa-dev.json").string(), "cosqa"}}) {
    retrieval(cfg).dataset = dataset;
    const auto r = make_task_evaluator(cfg.task, cfg.optim.batch_size, tok, file, {})->evaluate(model, torch::Device(torch::kCPU));
    EXPECT_GT(r.metrics["queries"].get<int64_t>(), 0) << dataset;
    EXPECT_LE(r.metrics["queries"].get<int64_t>(), 64) << dataset;
    const double mrr = r.metrics["mrr"].get<double>();
    const double pool = r.metrics["pool"].get<double>();
    EXPECT_GE(mrr, 1.0 / pool) << dataset;  // every rank is within the pool
    EXPECT_LE(mrr, 1.0) << dataset;
    EXPECT_EQ(r.primary, "mrr");
  }
}

TEST(Finetune, RetrievalTrainingRaisesMrr) {
  const auto dir = test::temp_dir("ft_retrieval_train");
  auto cfg = tiny_cfg("retrieval");
  files(cfg).train_data = write_cosqa(dir, code_lines(16)).string();
  files(cfg).eval_data = files(cfg).train_data;
  cfg.optim.max_steps = 40;
  cfg.run.eval_every = 0;
  cfg.run.save_every = 0;
  auto obj = make_task_objective(cfg, byte_tok());
  auto model = tiny_with_head(obj.head, 5);
  const double before = obj.evaluator->evaluate(model, torch::Device(torch::kCPU)).value;
  const auto r = run_objective(cfg, model, std::move(obj), dir / "run");
  EXPECT_LT(r.last_loss, r.first_loss);
  EXPECT_GT(r.last_eval.value, before + 0.1) << "MRR " << before << " -> " << r.last_eval.value;
  EXPECT_TRUE(fs::exists(dir / "run" / "best" / "config.json"));
}

TEST(Finetune, ClassificationRunKilledAndResumedIsBitIdentical) {
  const auto dir = test::temp_dir("ft_cls_resume");
  auto cfg = tiny_cfg("classification");
  const auto lines = code_lines(20);
  files(cfg).train_data = write_devign(dir, lines, "train.jsonl").string();
  files(cfg).eval_data = write_devign(dir, {lines.begin(), lines.begin() + 8}, "valid.jsonl").string();
  const auto full = run(cfg, dir / "full", 0);
  const auto part = run(cfg, dir / "resumed", 0, false, 3);
  EXPECT_EQ(part.steps, 3);
  const auto rest = run(cfg, dir / "resumed", 77, /*resume=*/true);
  EXPECT_EQ(rest.steps, 6);
  EXPECT_EQ(full.last_loss, rest.last_loss);
  auto a = test::checkpoint_weights(full.last_checkpoint), b = test::checkpoint_weights(rest.last_checkpoint);
  for (auto& [name, t] : a) EXPECT_TRUE(torch::equal(t, b.at(name))) << name;
  // The head carries the dataset's labels; the metrics agree with the predictions file.
  auto m = model::load_pretrained(full.last_checkpoint);
  EXPECT_EQ(m->config().id2label, (std::vector<std::string>{"0", "1"}));
  auto obj = make_task_evaluator(cfg.task, cfg.optim.batch_size, byte_tok(), files(cfg).eval_data, m->config().id2label);
  const auto r = obj->evaluate_with_predictions(m, torch::Device(torch::kCPU), dir / "pred.jsonl");
  std::ifstream in(dir / "pred.jsonl");
  int n = 0, correct = 0;
  for (std::string line; std::getline(in, line); ++n) {
    auto j = json::parse(line);
    correct += j["label"] == j["prediction"];
  }
  EXPECT_EQ(n, 8);
  EXPECT_DOUBLE_EQ(r.metrics["accuracy"].get<double>(), correct / 8.0);
  EXPECT_TRUE(r.metrics.contains("f1"));  // labels {0, 1}: binary scores of label 1
}

TEST(Finetune, ClassificationLossFallsOnAFixedSet) {
  const auto dir = test::temp_dir("ft_cls_loss");
  auto cfg = tiny_cfg("classification");
  files(cfg).train_data = write_devign(dir, code_lines(8), "train.jsonl").string();
  cfg.optim.batch_size = 8;  // every step sees the same 8 examples
  cfg.optim.max_steps = 30;
  cfg.run.eval_every = 0;
  cfg.run.save_every = 0;
  const auto r = run(cfg, dir / "run", 1);
  EXPECT_LT(r.last_loss, 0.5 * r.first_loss) << r.first_loss << " -> " << r.last_loss;
  EXPECT_GT(r.last_eval.metrics["accuracy"].get<double>(), 0.99);
}

TEST(Finetune, CloneDetectionTrainsThePairHeadOnBigCloneBenchFiles) {
  const auto dir = test::temp_dir("ft_clone");
  const auto lines = code_lines(12);
  std::string data;
  for (size_t i = 0; i < lines.size(); ++i) data += json{{"func", lines[i]}, {"idx", std::to_string(100 + i)}}.dump() + "\n";
  core::write_file_atomic(dir / "data.jsonl", data);
  std::string pairs;
  for (size_t i = 0; i + 1 < lines.size(); ++i)
    pairs += fmt::format("{}\t{}\t{}\n", 100 + i, i % 2 ? 100 + i : 101 + i, i % 2 ? 1 : 0);
  core::write_file_atomic(dir / "train.txt", pairs);
  auto cfg = tiny_cfg("clone");
  cfg.task_as<config::CloneTaskConfig>().clone_data = (dir / "data.jsonl").string();
  files(cfg).train_data = (dir / "train.txt").string();
  files(cfg).eval_data = files(cfg).train_data;
  cfg.optim.max_steps = 4;
  const auto r = run(cfg, dir / "run", 2);
  EXPECT_TRUE(r.finished);
  for (const char* k : {"precision", "recall", "f1", "accuracy"}) EXPECT_TRUE(r.last_eval.metrics.contains(k)) << k;
  EXPECT_EQ(r.last_eval.primary, "f1");
  auto m = model::load_pretrained(r.last_checkpoint);
  EXPECT_EQ(m->config().head, config::HeadKind::kPairClassification);
  EXPECT_EQ(m->named_parameters()["classifier.dense.weight"].sizes(), (std::vector<int64_t>{64, 128}));
  // An unknown idx in a pair list names the file and line.
  core::write_file_atomic(dir / "bad.txt", "100\t101\t1\n100\t999\t0\n");
  files(cfg).train_data = (dir / "bad.txt").string();
  EXPECT_THROW_WITH((void)make_task_objective(cfg, byte_tok()), DataError, "bad.txt:2");
}

TEST(Finetune, TypeInferenceChunksKeepEveryLabelledWordAndLearn) {
  const auto dir = test::temp_dir("ft_types");
  // 40 words of real code, every 4th labelled with one of three types (ManyTypes4TypeScript JSONL).
  std::vector<std::string> words;
  for (auto& l : code_lines(30)) {
    std::istringstream in(l);
    for (std::string w; in >> w && words.size() < 40;) words.push_back(w);
  }
  json labels = json::array();
  int labelled = 0;
  for (size_t i = 0; i < words.size(); ++i) {
    if (i % 4 == 1) {
      labels.push_back(std::vector<std::string>{"number", "string", "boolean"}[i % 3]);
      ++labelled;
    } else {
      labels.push_back(nullptr);
    }
  }
  std::string file;
  for (int k = 0; k < 4; ++k) file += json{{"id", "f" + std::to_string(k)}, {"tokens", words}, {"labels", labels}}.dump() + "\n";
  core::write_file_atomic(dir / "train.jsonl", file);
  auto cfg = tiny_cfg("types");
  files(cfg).train_data = (dir / "train.jsonl").string();
  files(cfg).eval_data = files(cfg).train_data;
  files(cfg).max_length = 24;  // forces several chunks per file
  cfg.optim.max_steps = 30;
  cfg.run.eval_every = 0;
  cfg.run.save_every = 0;
  auto obj = make_task_objective(cfg, byte_tok());
  auto names = obj.head.labels;  // UNK, then by training frequency
  ASSERT_EQ(names.size(), 4u);
  EXPECT_EQ(names[0], "UNK");
  std::sort(names.begin() + 1, names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"UNK", "boolean", "number", "string"}));
  auto model = tiny_with_head(obj.head, 4);
  const auto before = obj.evaluator->evaluate(model, torch::Device(torch::kCPU));
  EXPECT_EQ(before.metrics["labelled"].get<int64_t>(), 4 * labelled);  // no labelled word lost to the chunking
  const auto r = run_objective(cfg, model, std::move(obj), dir / "run");
  EXPECT_LT(r.last_loss, r.first_loss);
  EXPECT_GT(r.last_eval.metrics["accuracy"].get<double>(), before.metrics["accuracy"].get<double>());
  EXPECT_TRUE(r.last_eval.metrics.contains("top100_f1"));
}

TEST(Finetune, MalformedDatasetLineNamesTheFileAndLine) {
  const auto dir = test::temp_dir("ft_bad");
  core::write_file_atomic(dir / "bad.jsonl", "{\"func\": \"int f();\", \"target\": 0}\n"
                                             "{\"func\": \"int g();\", \"target\": 1}\n"
                                             "{\"func\": \"int h();\", \"target\": \n");
  auto cfg = tiny_cfg("classification");
  files(cfg).train_data = (dir / "bad.jsonl").string();
  EXPECT_THROW_WITH((void)make_task_objective(cfg, byte_tok()), DataError, "bad.jsonl:3");
}

TEST(Cloze, ScoresEqualADirectLogSoftmaxAndAccuracyCountsAnswers) {
  auto tok = byte_tok();
  tensor::set_seed(11);
  model::CodeModel model(config::make_preset("codessm-tiny"));
  std::vector<benchmarks::ClozeExample> ex{{"maxmin-1", {"largest", "value"}, {"return", "<mask>", "(", "a", ")"}},
                                      {"maxmin-2", {"smallest"}, {"x", "=", "<mask>", "(", "b", ",", "c", ")"}},
                                      {"maxmin-3", {}, {"<mask>"}}};
  const std::map<std::string, std::string> answers{{"maxmin-1", "max"}, {"maxmin-2", "min"}};
  const auto r = run_cloze(model, *tok, ex, answers, torch::Device(torch::kCPU));
  ASSERT_EQ(r.scores.size(), 3u);
  // Reference for example 1, candidate "min": <s> "largest value return" + 4 masks (" min" is 4 bytes) + " ( a )" </s>.
  std::vector<int32_t> ids{tok->special_ids().bos};
  for (auto id : tok->encode_ids("largest value return")) ids.push_back(id);
  const size_t at = ids.size();
  const auto cand = tok->encode_ids(" min");
  ids.insert(ids.end(), cand.size(), tok->special_ids().mask);
  for (auto id : tok->encode_ids(" ( a )")) ids.push_back(id);
  ids.push_back(tok->special_ids().eos);
  model->eval();
  torch::NoGradGuard g;
  auto logp = torch::log_softmax(model->forward(pad_batch({ids}, 0)).logits[0].to(torch::kFloat64), -1);
  double ref = 0;
  for (size_t k = 0; k < cand.size(); ++k) ref += logp[at + k][cand[k]].item<double>();
  EXPECT_NEAR(r.scores[0][1], ref, 1e-4);
  EXPECT_EQ(r.answered, 2);
  int correct = 0;
  for (size_t i = 0; i < 2; ++i) correct += r.predictions[i].second == answers.at(r.predictions[i].first);
  EXPECT_EQ(r.correct, correct);
  EXPECT_EQ(r.to_json()["examples"].get<int64_t>(), 3);
}

TEST(StagedPretraining, SwitchesCorporaByStepAndResumesAcrossTheBoundary) {
  auto tok = std::make_shared<test::ByteTokenizer>();
  const auto a = test::write_python_shards(test::temp_dir("stage_a"), *tok, 6);
  const auto b = test::write_python_shards(test::temp_dir("stage_b"), *tok, 12);
  auto cfg = test::tiny_train_config(a);
  cfg.mlm.train_shards = "";
  cfg.mlm.stages = {{a.string(), 3}, {b.string(), 3}};
  cfg.run.save_every = 0;
  cfg.validate();
  auto go = [&](const fs::path& dir, uint64_t seed, bool resume, int64_t stop) {
    TrainOptions o;
    o.run_dir = dir;
    o.resume = resume;
    o.stop_after_step = stop;
    o.progress = false;
    return Trainer(cfg, test::tiny_model(seed), make_mlm_objective(cfg, tok), o).run();
  };
  const auto full = go(test::temp_dir("stage_full"), 0, false, 0);
  EXPECT_EQ(read_train_state(full.last_checkpoint).data.stage, 1u);
  const auto resumed_dir = test::temp_dir("stage_resumed");
  go(resumed_dir, 0, false, 4);
  const auto rest = go(resumed_dir, 9, true, 0);
  EXPECT_EQ(full.last_loss, rest.last_loss);
  auto wa = test::checkpoint_weights(full.last_checkpoint), wb = test::checkpoint_weights(rest.last_checkpoint);
  for (auto& [name, t] : wa) EXPECT_TRUE(torch::equal(t, wb.at(name))) << name;
  cfg.mlm.stages = {{a.string(), 2}, {b.string(), 3}};
  EXPECT_THROW_WITH(cfg.validate(), UsageError, "add up to 5 but max_steps is 6");
}

}  // namespace
}  // namespace codessm::train
