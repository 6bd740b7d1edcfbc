// File compatibility with the original DirectProbe and the run pipeline: its input layout and
// config.ini, its output formats, report.json/.md, error messages.
#include <gtest/gtest.h>

#include <fstream>

#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "codessm/probe/dp_format.h"
#include "codessm/probe/report.h"
#include "codessm/probe/run.h"
#include "synthetic.h"
#include "test_utils.h"

namespace codessm::probe {
namespace {

void write(const fs::path& p, const std::string& s) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << s;
}

/// Writes points in the original's dataset layout (np.savetxt-like %.18e, AN's entities style,
/// no trailing newline on the last line of entities and tags).
void write_dp_split(const fs::path& dir, const std::string& split, const LabeledPoints& p,
                    const std::vector<std::string>& names) {
  std::string emb, ent;
  for (int64_t i = 0; i < p.x.n; ++i) {
    for (int k = 0; k < p.x.d; ++k) emb += fmt::format("{}{:.18e}", k ? " " : "", p.x.row(i)[k]);
    emb += "\n";
    ent += fmt::format("{}('kw', 'id'):tok{}:x\t{}", i ? "\n" : "", i, names[p.labels[i]]);
  }
  write(dir / "embeddings/layers" / split / "7.txt", emb);
  write(dir / "entities" / (split + ".txt"), ent);
}

TEST(DpFormat, ReadsTheOriginalsInputs) {
  const fs::path dir = codessm::test::temp_dir("dp_in");
  write(dir / "tags.txt", "6.0\n2.0\n10.0\n2.0");
  EXPECT_EQ(read_label_set(dir / "tags.txt").names, (std::vector<std::string>{"10.0", "2.0", "6.0"}));
  write(dir / "ent.txt", "('a', 'b'):x:y\t2.0\n('c', 'd'):z:w\t-1");
  EXPECT_EQ(read_labels(dir / "ent.txt", true), (std::vector<std::string>{"2.0", "-1"}));
  write(dir / "bad.txt", "no tab here");
  EXPECT_THROW_WITH(read_labels(dir / "bad.txt", true), DataError, "bad.txt:1: expected 'entity<TAB>label'");
  write(dir / "e.txt", "1.000000000000000000e+00 -2.5e-01\n+3 4\n");
  const Embeddings x = read_embeddings(dir / "e.txt");
  EXPECT_EQ(x.n, 2);
  EXPECT_EQ(x.d, 2);
  EXPECT_EQ(x.values, (std::vector<double>{1.0, -0.25, 3.0, 4.0}));
  write(dir / "ragged.txt", "1 2\n3\n");
  EXPECT_THROW_WITH(read_embeddings(dir / "ragged.txt"), DataError, "ragged.txt:2: 1 values, but line 1 has 2");
  write(dir / "nan.txt", "1 x\n");
  EXPECT_THROW_WITH(read_embeddings(dir / "nan.txt"), DataError, "nan.txt:1: value 2 is not a number");
}

TEST(DpFormat, ReadsNpy) {
  const fs::path dir = codessm::test::temp_dir("dp_npy");
  // numpy.save of np.array([[1.5, -2], [3, 4]], dtype='<f4'): the header is padded so that the
  // data starts at a multiple of 64 bytes.
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }";
  header.append((64 - (10 + header.size() + 1) % 64) % 64, ' ');
  header += '\n';
  std::string data = std::string("\x93NUMPY\x01\x00", 8);
  data += static_cast<char>(header.size());
  data += '\0';
  data += header;
  for (float v : {1.5f, -2.0f, 3.0f, 4.0f}) data.append(reinterpret_cast<const char*>(&v), 4);
  core::write_file_atomic(dir / "x.npy", data);
  const Embeddings x = read_embeddings(dir / "x.npy");
  EXPECT_EQ(x.n, 2);
  EXPECT_EQ(x.values, (std::vector<double>{1.5, -2.0, 3.0, 4.0}));
}

TEST(DpFormat, ConfigIniInterpolation) {
  const fs::path dir = codessm::test::temp_dir("dp_ini");
  write(dir / "config.ini",
        "[run]\noutput_path = results/SS/\n[data]\n# comment\ncommon = data/SS\n"
        "label_set_path = ${common}/labels/tags.txt\nentities_path = ${common}/entities/train.txt\n"
        "embeddings_path = ${common}/embeddings/layers/train/12.txt\n"
        "test_entities_path = ${data:common}/entities/test.txt\n"
        "test_embeddings_path = ${common}/embeddings/layers/test/12.txt\n");
  const DpConfigPaths c = read_dp_config(dir / "config.ini", "/base");
  EXPECT_EQ(c.label_set, fs::path("/base/data/SS/labels/tags.txt"));
  EXPECT_EQ(c.test_entities, fs::path("/base/data/SS/entities/test.txt"));
  EXPECT_EQ(c.embeddings, fs::path("/base/data/SS/embeddings/layers/train/12.txt"));
  EXPECT_EQ(c.output, fs::path("/base/results/SS/"));
}

TEST(ProbeRun, OriginalLayoutEndToEnd) {
  const fs::path data = codessm::test::temp_dir("dp_data");
  test::MixtureSpec spec;
  spec.n = 300;
  spec.d = 6;
  spec.labels = 3;
  const std::vector<std::string> names{"-1", "0", "1"};  // DFG-style labels, "3--1" items in prediction.txt
  write_dp_split(data, "train", test::make_mixture(spec), names);
  spec.n = 50;
  spec.seed = 2;
  write_dp_split(data, "test", test::make_mixture(spec), names);
  write(data / "labels/tags.txt", "1\n0\n-1");

  ProbeRunOptions o;
  o.dp_data = data;
  o.layer = "7";
  o.out = codessm::test::temp_dir("dp_out") / "run";
  o.verify = true;
  o.probe.progress = false;
  const nlohmann::json rep = run_probe(o);
  EXPECT_FALSE(rep["accuracy"].contains("per_value"));  // numeric labels, but not distances
  EXPECT_EQ(rep["schema"], kReportSchema);
  EXPECT_EQ(rep["schema_version"], kReportSchemaVersion);
  EXPECT_TRUE(rep["invariants"]["ok"].get<bool>());
  EXPECT_EQ(rep["accuracy"]["total"], 50);
  for (const char* f : {"clusters.txt", "prediction.txt", "dis.txt", "log.txt", "merges.tsv", "report.json", "report.md"})
    EXPECT_TRUE(fs::exists(o.out / f)) << f;
  // prediction.txt: gold, then every cluster as "cid-label,d.dddd", by increasing distance.
  std::ifstream pred(o.out / "prediction.txt");
  std::string line;
  std::getline(pred, line);
  const int k = rep["clusters"]["count"].get<int>();
  EXPECT_EQ(static_cast<int>(std::count(line.begin(), line.end(), '\t')), k);
  EXPECT_NE(line.find(','), std::string::npos);
  // The same run in prediction mode (reusing clusters.txt) gives the same accuracy.
  ProbeRunOptions again = o;
  again.clusters = o.out / "clusters.txt";
  again.out = o.out.parent_path() / "again";
  again.verify = false;
  const nlohmann::json rep2 = run_probe(again);
  EXPECT_EQ(rep2["accuracy"]["overall"], rep["accuracy"]["overall"]);
  EXPECT_EQ(core::read_file(again.out / "prediction.txt"), core::read_file(o.out / "prediction.txt"));
  // The original refuses a non-empty output folder; so do we.
  EXPECT_THROW_WITH(run_probe(o), UsageError, "is not empty");
  const std::string md = render_markdown(rep);
  EXPECT_NE(md.find("| label | test points |"), std::string::npos);
}

TEST(ProbeRun, NativeInputsDistanceTable) {
  const fs::path dir = codessm::test::temp_dir("native");
  write(dir / "x.txt", "0 0\n1 0\n0 1\n5 5\n6 5\n5 6\n");
  write(dir / "y.txt", "2.0\n2.0\n2.0\n10.0\n10.0\n10.0\n");
  write(dir / "tx.txt", "0.2 0.2\n5.5 5.5\n");
  write(dir / "ty.txt", "2.0\n2.0\n");
  ProbeRunOptions o;
  o.embeddings = dir / "x.txt";
  o.labels = dir / "y.txt";
  o.test_embeddings = dir / "tx.txt";
  o.test_labels = dir / "ty.txt";
  o.out = dir / "out";
  o.distance_labels = true;
  o.probe.progress = false;
  const nlohmann::json rep = run_probe(o);
  EXPECT_EQ(rep["labels"], (std::vector<std::string>{"10.0", "2.0"}));  // byte-wise, as the original
  EXPECT_EQ(rep["accuracy"]["per_value"][0]["label"], "2.0");            // numeric order for distances
  EXPECT_DOUBLE_EQ(rep["accuracy"]["overall"].get<double>(), 0.5);
  EXPECT_EQ(core::read_file(o.out / "clusters.txt"), "0\n0\n0\n1\n1\n1\n");
  EXPECT_NE(render_markdown(rep).find("| distance |"), std::string::npos);
  ProbeRunOptions bad = o;
  bad.out = dir / "out2";
  bad.dp_data = dir;
  EXPECT_THROW_WITH(run_probe(bad), UsageError, "name the inputs one way");
  write(dir / "ty2.txt", "2.0\n7.0\n");
  bad = o;
  bad.out = dir / "out3";
  bad.label_set = dir / "y.txt";
  bad.test_labels = dir / "ty2.txt";
  EXPECT_THROW_WITH(run_probe(bad), DataError, "ty2.txt:2: label '7.0' is not in the label set");
}

TEST(Report, RejectsNewerSchema) {
  nlohmann::json r = {{"schema", kReportSchema}, {"schema_version", kReportSchemaVersion + 1}};
  EXPECT_THROW_WITH(render_markdown(r), DataError, "newer than this build");
}

}  // namespace
}  // namespace codessm::probe
