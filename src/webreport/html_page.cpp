// The HTML page of `codessm report`: a skeleton with uPlot, the page script and style inlined (embedded at build
// time, webreport_assets.cpp) and the collected documents as one JSON block that the script draws.
#include <fmt/format.h>

#include <ctime>
#include <string_view>

#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "codessm/report/report.h"
#include "codessm/webreport/html_report.h"

namespace codessm::webreport {

namespace detail {
std::string_view asset(std::string_view name);  // webreport_assets.cpp (generated)
}

using nlohmann::json;

namespace {

std::string_view need_asset(std::string_view name) {
  auto a = detail::asset(name);
  CODESSM_CHECK(!a.empty(), "asset '{}' was not embedded (src/webreport/CMakeLists.txt)", name);
  return a;
}

std::string html_escape(std::string_view s) {
  std::string o;
  for (char ch : s) {
    switch (ch) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      default: o += ch;
    }
  }
  return o;
}

/// JSON that is safe inside <script type="application/json">: no '<' at all (so no "</script>" or "<!--"),
/// written as the JSON escape \u003c, which JSON.parse turns back. Invalid UTF-8 in a file becomes U+FFFD.
std::string script_json(const json& j) {
  const std::string s = j.dump(-1, ' ', false, json::error_handler_t::replace);
  std::string o;
  o.reserve(s.size() + 64);
  for (char ch : s) {
    if (ch == '<') o += "\\u003c";
    else o += ch;
  }
  return o;
}

std::string utc_now() {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

}  // namespace

std::string render_page(const Collection& c, const PageOptions& opts) {
  json docs = json::array();
  for (auto& d : c.documents) docs.push_back({{"path", d.path}, {"root", d.root}, {"kind", d.kind}, {"data", d.data}});
  json problems = json::array();
  for (auto& p : c.problems) problems.push_back({{"path", p.path}, {"message", p.message}});
  const json data = {{"title", opts.title},
                     {"generator", "codessm " + report::codessm_version()},
                     {"created_utc", utc_now()},
                     {"documents", docs},
                     {"problems", problems}};
  std::string page;
  page += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  // Everything is inline; the policy makes sure the page never reaches the network.
  page += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'unsafe-inline'; "
          "style-src 'unsafe-inline'; img-src data: blob:\">\n";
  page += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  page += fmt::format("<meta name=\"generator\" content=\"codessm {}\">\n", html_escape(report::codessm_version()));
  page += fmt::format("<title>{}</title>\n", html_escape(opts.title));
  page += "<style>\n" + std::string(need_asset("uplot.css")) + "\n</style>\n";
  page += "<style>\n" + std::string(need_asset("report.css")) + "\n</style>\n</head>\n<body>\n";
  page += "<main id=\"app\"><noscript>This report draws its tables and charts with JavaScript; enable it to read "
          "the page.</noscript></main>\n";
  page += "<script type=\"application/json\" id=\"codessm-data\">" + script_json(data) + "</script>\n";
  page += "<script>\n" + std::string(need_asset("uplot.js")) + "\n</script>\n";
  page += "<script>\n" + std::string(need_asset("report.js")) + "\n</script>\n</body>\n</html>\n";
  return page;
}

Collection write_report(const std::vector<fs::path>& inputs, const fs::path& out, const PageOptions& page,
                        const CollectOptions& opts) {
  CODESSM_REQUIRE(!inputs.empty(), UsageError, "report: give at least one run, study or result folder");
  CODESSM_REQUIRE(!out.empty(), UsageError, "report: --out FILE.html is required");
  auto c = collect_results(inputs, opts);
  if (out.has_parent_path()) core::ensure_dir(out.parent_path());
  core::write_file_atomic(out, render_page(c, page));
  return c;
}

}  // namespace codessm::webreport
