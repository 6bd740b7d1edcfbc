// The `codessm probe run` pipeline (run.h).
#include "codessm/probe/run.h"

#include <chrono>
#include <ctime>
#include <set>

#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "codessm/core/logging.h"
#include "codessm/core/timer.h"
#include "codessm/probe/dp_format.h"
#include "codessm/probe/invariants.h"
#include "codessm/probe/predict.h"
#include "codessm/probe/report.h"

namespace codessm::probe {

namespace {

/// The five input paths after resolving the three ways to name them.
struct Inputs {
  fs::path label_set, train_labels, train_embeddings, test_labels, test_embeddings;
  bool entity_format = false;  // labels come from the original's entities files
};

Inputs resolve_inputs(const ProbeRunOptions& o) {
  const int ways = !o.embeddings.empty() + !o.dp_config.empty() + !o.dp_data.empty();
  CODESSM_REQUIRE(ways == 1, UsageError,
                  "name the inputs one way: --embeddings/--labels, --dp-config config.ini, or --dp-data DIR --layer L");
  Inputs in;
  if (!o.embeddings.empty()) {
    CODESSM_REQUIRE(!o.labels.empty(), UsageError, "--embeddings needs --labels (one label per training row)");
    CODESSM_REQUIRE(o.test_embeddings.empty() == o.test_labels.empty(), UsageError,
                    "--test-embeddings and --test-labels go together");
    in = {o.label_set, o.labels, o.embeddings, o.test_labels, o.test_embeddings, false};
    return in;
  }
  DpConfigPaths c;
  if (!o.dp_config.empty()) {
    core::require_exists(o.dp_config, "DirectProbe config", "pass the original's config.ini");
    c = read_dp_config(o.dp_config, fs::current_path());
  } else {
    CODESSM_REQUIRE(!o.layer.empty(), UsageError, "--dp-data needs --layer (the file name under embeddings/layers/train)");
    c = dp_layout(o.dp_data, o.layer);
  }
  return {c.label_set, c.entities, c.embeddings, c.test_entities, c.test_embeddings, true};
}

LabeledPoints load_points(const fs::path& emb, const fs::path& lab, const LabelSet& ls, bool entity_format) {
  LabeledPoints p;
  p.x = read_embeddings(emb);
  const std::vector<std::string> names = read_labels(lab, entity_format);
  CODESSM_REQUIRE(static_cast<int64_t>(names.size()) == p.x.n, DataError,
                  "{} has {} labels but {} has {} vectors; the files must have one line per example", lab.string(),
                  names.size(), emb.string(), p.x.n);
  p.labels = label_indices(names, ls, lab);
  return p;
}

void prepare_out_dir(const fs::path& out, bool overwrite) {
  CODESSM_REQUIRE(!out.empty(), UsageError, "--out is required (the folder for report.json and the result files)");
  if (fs::exists(out)) {
    CODESSM_REQUIRE(fs::is_directory(out), UsageError, "--out '{}' exists and is not a folder", out.string());
    CODESSM_REQUIRE(overwrite || fs::is_empty(out), UsageError,
                    "--out '{}' is not empty; pick a new folder or pass --overwrite (the original refuses too)",
                    out.string());
  }
  core::ensure_dir(out);
}

/// The original's log line format: "%(asctime)s-%(filename)s-%(levelname)s: %(message)s".
class DpLog {
 public:
  void info(const std::string& msg) {
    const auto now = std::chrono::system_clock::now();
    const std::time_t t = std::chrono::system_clock::to_time_t(now);
    const int ms = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", std::localtime(&t));
    text_ += fmt::format("{},{:03d}-codessm-INFO: {}\n", buf, ms, msg);
  }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

}  // namespace

nlohmann::json run_probe(const ProbeRunOptions& o) {
  const Inputs in = resolve_inputs(o);
  prepare_out_dir(o.out, o.overwrite);
  core::Timer total;
  nlohmann::json timings = nlohmann::json::object();
  DpLog log;

  // Labels: the tags file, or the sorted union of the labels seen (what sorted(set) gives).
  core::Timer t;
  LabelSet ls;
  if (!in.label_set.empty()) {
    ls = read_label_set(in.label_set);
  } else {
    std::set<std::string> names;
    for (const fs::path& p : {in.train_labels, in.test_labels})
      if (!p.empty())
        for (auto& s : read_labels(p, in.entity_format)) names.insert(s);
    ls.names.assign(names.begin(), names.end());
  }
  const LabeledPoints train = load_points(in.train_embeddings, in.train_labels, ls, in.entity_format);
  log.info(fmt::format("Finish loading {} entities...", train.x.n));
  log.info(fmt::format("Label size={}", ls.size()));
  LabeledPoints test;
  const bool has_test = !in.test_embeddings.empty();
  if (has_test) test = load_points(in.test_embeddings, in.test_labels, ls, in.entity_format);
  timings["load"] = t.seconds();
  spdlog::info("probe: {} training points, {} test points, dimension {}, {} labels", train.x.n, test.x.n, train.x.d,
               ls.size());

  // Clusters: probe, or reuse clusters.txt.
  t.reset();
  DirectProbeResult res;
  std::vector<Cluster> clusters;
  const bool probed = o.clusters.empty();
  if (probed) {
    res = run_directprobe(train, ls.size(), o.probe);
    clusters = res.clusters;
    write_clusters_txt(o.out / "clusters.txt", res.assignment);
    std::string merges = "step\ti\tj\tdistance\taccepted\tnew_id\tconflict\treason\n";
    for (const MergeRecord& m : res.merges)
      merges += fmt::format("{}\t{}\t{}\t{:.17g}\t{}\t{}\t{}\t{}\n", m.step, m.i, m.j, m.distance, m.accepted ? 1 : 0,
                            m.new_id, m.conflict, m.reason);
    if (o.probe.record_merges) core::write_file_atomic(o.out / "merges.tsv", merges);
    timings["probe"] = t.seconds();
  } else {
    clusters = read_clusters_txt(o.clusters, train.labels);
    log.info(fmt::format("Loading the clusters from {}", o.clusters.string()));
  }
  log.info(fmt::format("Final number of clusters: {}", clusters.size()));
  spdlog::info("probe: {} clusters", clusters.size());

  InvariantReport inv;
  if (o.verify) {
    t.reset();
    inv = check_invariants(train, probed ? res : DirectProbeResult{clusters, {}, {}, {}, {}}, o.probe.threads);
    timings["verify"] = t.seconds();
    if (!inv.ok()) spdlog::warn("probe: invariants violated: {}", inv.problems.empty() ? "" : inv.problems[0]);
  }

  Accuracy acc;
  if (has_test) {
    t.reset();
    const std::vector<Prediction> preds = predict(train.x, clusters, test, o.probe.threads, o.probe.progress);
    acc = score(preds, clusters, ls);
    write_prediction_txt(o.out / "prediction.txt", preds, clusters, ls);
    log.info(fmt::format("Acc={}", acc.overall));
    timings["predict"] = t.seconds();
  }
  if (o.write_dis) {
    t.reset();
    const auto dis = cluster_distances(train.x, clusters, o.probe.threads);
    write_dis_txt(o.out / "dis.txt", dis, clusters, ls);
    if (!dis.empty()) {
      double mn = dis[0].distance, mx = mn, sum = 0;
      for (const auto& e : dis) mn = std::min(mn, e.distance), mx = std::max(mx, e.distance), sum += e.distance;
      log.info(fmt::format("MinConvexDistance={}", mn));
      log.info(fmt::format("MaxConvexDistance={}", mx));
      log.info(fmt::format("AverageConvexDistance={}", sum / dis.size()));
    }
    timings["dis"] = t.seconds();
  }
  timings["total"] = total.seconds();

  ReportInputs ri;
  ri.labels = &ls;
  ri.clusters = &clusters;
  ri.probe = probed ? &res : nullptr;
  ri.accuracy = has_test ? &acc : nullptr;
  ri.invariants = o.verify ? &inv : nullptr;
  ri.distance_labels = o.distance_labels;
  ri.inputs = {{"train_embeddings", in.train_embeddings.string()}, {"train_labels", in.train_labels.string()},
               {"test_embeddings", in.test_embeddings.string()},   {"test_labels", in.test_labels.string()},
               {"label_set", in.label_set.string()},               {"clusters", o.clusters.string()},
               {"n_train", train.x.n}, {"n_test", test.x.n}, {"dim", train.x.d}};
  ri.options = {{"threads", o.probe.threads},
                {"duplicates", o.probe.duplicates == DuplicatePolicy::kKeep ? "keep" : "fail"},
                {"caches", o.probe.use_caches},
                {"sep_tol", o.probe.lp.sep_tol},
                {"overlap_tol", o.probe.lp.overlap_tol},
                {"working_set", o.probe.lp.working_set},
                {"precheck_iterations", o.probe.lp.precheck_iterations}};
  ri.timings = timings;
  const nlohmann::json report = make_report(ri);
  // Label names are bytes from the user's files (the text outputs keep them as they are); JSON needs UTF-8, so
  // bytes that are not become U+FFFD here instead of aborting the run (found by fuzz/directprobe_inputs).
  core::write_file_atomic(o.out / "report.json",
                          report.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  core::write_file_atomic(o.out / "report.md", render_markdown(report));
  core::write_file_atomic(o.out / "log.txt", log.text());
  return report;
}

}  // namespace codessm::probe
