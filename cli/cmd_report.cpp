// `codessm report`: the JSON results under run / study folders as one self-contained HTML page (docs/report.md).
#include <cstdio>
#include <memory>

#include "codessm/core/error.h"
#include "codessm/core/logging.h"
#include "codessm/webreport/html_report.h"
#include "commands.h"
#include "common_flags.h"

namespace codessm::cli {
namespace {

struct ReportFlags {
  std::vector<std::string> inputs;
  CommonFlags common;
  std::string title = "codessm report";
  int max_depth = 6;
};

}  // namespace

void setup_report(CLI::App& app) {
  auto f = std::make_shared<ReportFlags>();
  auto* cmd = app.add_subcommand("report", "one self-contained HTML page (charts, tables) from the JSON results "
                                           "of runs, studies, interpret, probing and benchmarks");
  cmd->add_option("inputs", f->inputs, "run, study or result folders (searched recursively) or result files")
      ->required();
  add_common_flags(cmd, f->common, kOut, {"the HTML file to write", "", /*out_required=*/true});
  cmd->add_option("--title", f->title, "page title")->capture_default_str();
  cmd->add_option("--max-depth", f->max_depth, "folder levels searched below each input")->capture_default_str();
  cmd->callback([f] {
    const std::string out = f->common.out.string();
    std::vector<webreport::fs::path> in(f->inputs.begin(), f->inputs.end());
    webreport::CollectOptions co;
    co.max_depth = f->max_depth;
    webreport::PageOptions po;
    po.title = f->title;
    const auto c = webreport::write_report(in, out, po, co);
    for (auto& p : c.problems) spdlog::warn("report: '{}' {}", p.path, p.message);
    std::printf("wrote %s: %zu result files, %zu problems\n", out.c_str(), c.documents.size(), c.problems.size());
    if (c.documents.empty())
      throw DataError("report: none of the inputs holds a result file (see the warnings above); the page written to " +
                      out + " lists why");
  });
}

}  // namespace codessm::cli
