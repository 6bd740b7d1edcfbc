// `codessm corpus build`: walks source trees and writes de-duplicated, hash-split JSONL corpora of
// files and functions (CodeSearchNet-like fields) plus manifest.json (docs/parse.md §Corpus).
#include "codessm/core/logging.h"
#include "codessm/corpus/corpus_builder.h"
#include "commands.h"
#include "common_flags.h"

namespace codessm::cli {

void setup_corpus(CLI::App& app) {
  auto o = std::make_shared<corpus::CorpusBuildOptions>();
  auto f = std::make_shared<CommonFlags>();
  auto src = std::make_shared<std::vector<std::string>>();
  auto* cmd = app.add_subcommand("corpus", "build code corpora from source trees");
  cmd->require_subcommand(1);
  auto* build = cmd->add_subcommand("build", "source trees → files/ and functions/ JSONL splits + manifest.json");
  build->add_option("--src", *src, "source folders, walked in order (default: /usr/lib/python3.11)");
  build->add_option("--max-file-bytes", o->max_file_bytes, "skip larger files (counted as too_large)")
      ->capture_default_str();
  build->add_flag("--keep-unparsable", o->keep_unparsable,
                  "keep files with syntax errors (flagged parse_error) instead of skipping them");
  build->add_option("--valid-permille", o->valid_permille, "share of files in valid, per mille")->capture_default_str();
  build->add_option("--test-permille", o->test_permille, "share of files in test, per mille")->capture_default_str();
  build->add_option("--min-function-lines", o->min_function_lines, "skip shorter functions")->capture_default_str();
  build->add_option("--languages", o->languages, "only these languages (python,java,...)")->delimiter(',');
  add_common_flags(build, *f, kOut | kProgress, {"output folder", "", /*out_required=*/true});
  build->callback([o, src, f] {
    o->out = f->out;
    o->progress = f->progress;
    if (!src->empty()) o->sources.assign(src->begin(), src->end());
    const auto s = corpus::build_corpus(*o);
    spdlog::info("corpus: {} files and {} functions ({} with docstrings) written to {}; {} files skipped "
                 "(see manifest.json)",
                 s.files_written, s.functions_written, s.functions_with_docstring, o->out.string(),
                 s.files_seen - s.files_written);
  });
}

}  // namespace codessm::cli
