#include "codessm/interpret/run_interpret.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include "codessm/core/logging.h"

#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "codessm/interpret/result_json.h"

namespace codessm::interpret {

InterpretResult load_or_analyze(const std::filesystem::path& path, const AnalysisOptions& opts) {
  if (path.extension() == ".json" && path.filename() != "config.json" &&
      path.string().find(".safetensors.index.json") == std::string::npos) {
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(core::read_file(path));
    } catch (const nlohmann::json::exception& e) {
      throw DataError(fmt::format("{}: not valid JSON ({})", path.string(), e.what()));
    }
    CODESSM_REQUIRE(j.value("schema", "") == kKernelsSchema, DataError,
                    "{}: schema '{}' is not {} (pass a checkpoint or an interpret.json)", path.string(),
                    j.value("schema", ""), kKernelsSchema);
    return result_from_json(j.at("results"), path.string());
  }
  return analyze_checkpoint(path, opts);
}

ReportFiles run_interpret(const InterpretRunOptions& opts) {
  const bool compare = !opts.compare_a.empty() || !opts.compare_b.empty();
  CODESSM_REQUIRE(compare != !opts.checkpoint.empty(), UsageError,
                  "give either a checkpoint to analyse or --compare A B, not both");
  CODESSM_REQUIRE(!opts.out.empty(), UsageError, "--out DIR is required");
  opts.analysis.validate();
  ReportFiles files;
  if (!compare) {
    auto r = analyze_checkpoint(opts.checkpoint, opts.analysis);
    spdlog::info("analysed {} filters of {} layers at L = {} ({}) in {:.3f} s after {:.3f} s of loading",
                 r.filters.size(), r.model.layers, r.length, r.length_source, r.analyze_seconds, r.load_seconds);
    files = write_interpret_report(r, opts.out, opts.report);
  } else {
    CODESSM_REQUIRE(!opts.compare_a.empty() && !opts.compare_b.empty(), UsageError, "--compare needs two paths");
    auto a = load_or_analyze(opts.compare_a, opts.analysis);
    auto b = load_or_analyze(opts.compare_b, opts.analysis);
    auto c = compare_results(a, b, opts.compare);
    for (auto& w : c.warnings) spdlog::warn("{}", w);
    files = write_compare_report(c, a, b, opts.out, opts.report);
    const auto hi = c.layers_toward_high();
    spdlog::info("compared {} filters; layers toward high frequency: {}", c.changes.size(),
                 hi.empty() ? std::string("none") : fmt::format("{}", fmt::join(hi, ", ")));
  }
  spdlog::info("wrote {}, {}, {}{}", files.json.string(), files.markdown.string(), files.csv.string(),
               files.figures.empty() ? "" : fmt::format(" and {} figures ({} rendered)", files.figures.size(),
                                                         files.render.rendered));
  return files;
}

}  // namespace codessm::interpret
