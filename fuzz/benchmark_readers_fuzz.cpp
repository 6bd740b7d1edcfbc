// Every benchmark reader (JSONL, JSON arrays, TSV, aligned text pairs) on arbitrary bytes. The first byte
// picks the reader and the file name (.jsonl or .json); the rest is the file, split into two files where a
// reader takes two (aligned pairs, BigCloneBench data + pairs).
#include <functional>

#include "codessm/benchmarks/datasets.h"
#include "fuzz_target.h"
#include "fuzz_util.h"

CODESSM_FUZZ_TARGET(benchmark_readers) {
  using namespace codessm;
  namespace fs = std::filesystem;
  if (size == 0) return 0;
  const uint8_t pick = data[0];
  const auto parts = fuzz::split_parts(data + 1, size - 1, 2);
  const auto& dir = fuzz::fresh_scratch();
  const fs::path a = dir / ((pick & 0x80) ? "a.json" : "a.jsonl"), b = dir / "b.txt";
  fuzz::write_bytes(a, parts[0]);
  fuzz::write_bytes(b, parts[1]);
  static const char* kRetrieval[] = {"auto", "advtest", "cosqa", "webquery", "sqa"};
  static const char* kClassification[] = {"auto", "devign", "diversevul", "codecomplex", "jsonl"};
  const std::vector<std::function<void()>> readers = {
      [&] { (void)benchmarks::make_pool(benchmarks::read_retrieval(a, kRetrieval[(pick >> 4) % 5])); },
      [&] { (void)benchmarks::read_aligned_pairs(a, b); },
      [&] {
        auto ex = benchmarks::read_classification(a, kClassification[(pick >> 4) % 5]);
        (void)benchmarks::LabelMap::from_examples(ex);
      },
      [&] { (void)benchmarks::read_bigclonebench(a, b, (pick >> 4) & 3); },
      [&] {
        auto ex = benchmarks::read_type_inference(a);
        auto v = benchmarks::TypeVocab::from_examples(ex, (pick >> 4) & 7);
        (void)v.top(3);
      },
      [&] { (void)benchmarks::read_cloze(a); },
      [&] { (void)benchmarks::read_codesplit(a); },
  };
  fuzz::expect_clean(readers[(pick & 0x0f) % readers.size()]);
  return 0;
}
