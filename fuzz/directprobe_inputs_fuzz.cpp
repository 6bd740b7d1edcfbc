// DirectProbe's input files on arbitrary bytes: part 1 is the labels file (one label or "entity<TAB>label"
// per line), part 2 the embeddings (text, one vector per line), part 3 a tags file, part 4 a config.ini.
// Small inputs also run the whole probe (duplicate vectors with different labels, NaN, ragged rows, ...).
#include "codessm/probe/dp_format.h"
#include "codessm/probe/run.h"
#include "fuzz_target.h"
#include "fuzz_util.h"

CODESSM_FUZZ_TARGET(directprobe_inputs) {
  using namespace codessm;
  namespace fs = std::filesystem;
  const auto parts = fuzz::split_parts(data, size, 4);
  const auto& dir = fuzz::fresh_scratch();
  fuzz::write_bytes(dir / "labels.txt", parts[0]);
  fuzz::write_bytes(dir / "emb.txt", parts[1]);
  fuzz::write_bytes(dir / "tags.txt", parts[2]);
  fuzz::write_bytes(dir / "config.ini", parts[3]);
  fs::remove_all(dir / "out");  // run_probe wants a new or empty output folder
  fuzz::expect_clean([&] { (void)probe::read_label_set(dir / "tags.txt"); });
  fuzz::expect_clean([&] { (void)probe::read_labels(dir / "labels.txt", /*require_entity_format=*/true); });
  fuzz::expect_clean([&] { (void)probe::read_embeddings(dir / "emb.txt"); });
  fuzz::expect_clean([&] { (void)probe::read_dp_config(dir / "config.ini", dir); });
  if (size > 512) return 0;  // the probe itself is exact geometry (LPs): keep the executions fast
  fuzz::expect_clean([&] {
    probe::ProbeRunOptions o;
    o.labels = o.test_labels = dir / "labels.txt";
    o.embeddings = o.test_embeddings = dir / "emb.txt";
    if (!parts[2].empty()) o.label_set = dir / "tags.txt";
    o.out = dir / "out";
    o.write_dis = false;
    o.probe.threads = 1;
    o.probe.progress = false;
    (void)probe::run_probe(o);
  });
  return 0;
}
