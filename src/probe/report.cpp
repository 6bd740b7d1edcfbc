// JSON report and its Markdown rendering (report.h).
#include "codessm/probe/report.h"

#include <algorithm>

#include "codessm/core/error.h"

namespace codessm::probe {

using nlohmann::json;

json make_report(const ReportInputs& in) {
  CODESSM_CHECK(in.labels && in.clusters, "make_report needs labels and clusters");
  const LabelSet& ls = *in.labels;
  json r;
  r["schema"] = kReportSchema;
  r["schema_version"] = kReportSchemaVersion;
  r["inputs"] = in.inputs;
  r["options"] = in.options;
  r["labels"] = ls.names;
  json per_label = json::object();
  std::vector<int> count(ls.size(), 0);
  json sizes = json::array();
  for (const Cluster& c : *in.clusters) {
    ++count[c.label];
    sizes.push_back({{"cluster", sizes.size()}, {"label", ls.names[c.label]}, {"size", c.members.size()}});
  }
  for (int l = 0; l < ls.size(); ++l) per_label[ls.names[l]] = count[l];
  r["clusters"] = {{"count", in.clusters->size()}, {"per_label", per_label}, {"sizes", sizes}};
  if (in.accuracy) {
    const Accuracy& a = *in.accuracy;
    json rows = json::array();
    bool all_numeric = true;
    for (const LabelScore& s : a.per_label) {
      json row = {{"label", s.name}, {"total", s.total}, {"correct", s.correct},
                  {"accuracy", s.total ? json(s.accuracy) : json(nullptr)}, {"clusters", s.clusters}};
      if (s.numeric) row["value"] = s.value;
      all_numeric = all_numeric && s.numeric;
      rows.push_back(row);
    }
    r["accuracy"] = {{"overall", a.overall},     {"mean_over_labels", a.mean_over_labels},
                     {"correct", a.correct},      {"total", a.total},
                     {"per_label", rows}};
    if (in.distance_labels) {
      CODESSM_REQUIRE(all_numeric, DataError,
                      "distance labels requested, but some labels are not numbers; drop --distance-labels");
      // Distance task: labels are tree distances ("2.0" … "6.0"); list them by value, not by string.
      json by_value = rows;
      std::sort(by_value.begin(), by_value.end(),
                [](const json& x, const json& y) { return x["value"].get<double>() < y["value"].get<double>(); });
      r["accuracy"]["per_value"] = by_value;
    }
  }
  if (in.probe) {
    const ProbeStats& s = in.probe->stats;
    r["stats"] = {{"pops", s.pops},
                  {"accepted", s.accepted},
                  {"rejected", s.rejected},
                  {"ball_candidates", s.ball_candidates},
                  {"overlap_tests", s.overlap_tests},
                  {"precheck_separations", s.precheck_separations},
                  {"lp_solves", s.lp_solves},
                  {"lp_fallbacks", s.lp_fallbacks},
                  {"uncertified", s.uncertified},
                  {"blacklist_hits", s.blacklist_hits},
                  {"whitelist_hits", s.whitelist_hits}};
    json groups = json::array();
    for (const auto& g : in.probe->conflicting_duplicates) {
      if (groups.size() >= 100) break;
      groups.push_back(g.rows);
    }
    r["duplicates"] = {{"conflicting_groups", in.probe->conflicting_duplicates.size()},
                       {"groups_first_100", groups}};
  }
  if (in.invariants) {
    const InvariantReport& v = *in.invariants;
    r["invariants"] = {{"ok", v.ok()},
                       {"partition_ok", v.partition_ok},
                       {"overlapping_pairs", v.overlapping_pairs},
                       {"overlapping_explained_by_duplicates", v.overlapping_explained},
                       {"mergeable_pairs", v.mergeable_pairs},
                       {"checked_pairs", v.checked_pairs},
                       {"problems", v.problems}};
  }
  r["timings_s"] = in.timings;
  return r;
}

namespace {

std::string pct(const json& v) { return v.is_null() ? "–" : fmt::format("{:.2f}", 100.0 * v.get<double>()); }

}  // namespace

std::string render_markdown(const json& r) {
  CODESSM_REQUIRE(r.value("schema", "") == kReportSchema, DataError,
                  "report has schema '{}', expected '{}'", r.value("schema", ""), kReportSchema);
  const int version = r.value("schema_version", 0);
  CODESSM_REQUIRE(version <= kReportSchemaVersion, DataError,
                  "report schema_version {} is newer than this build understands ({}); update codessm", version,
                  kReportSchemaVersion);
  std::string md = "# DirectProbe report\n\n";
  // TODO(issue 5): add the accuracy-per-layer and clusters-per-label figures from the report module.
  const json& c = r["clusters"];
  md += fmt::format("Clusters: **{}**", c["count"].get<int64_t>());
  if (r.contains("accuracy")) {
    const json& a = r["accuracy"];
    md += fmt::format(" · accuracy **{}%** ({}/{}) · mean over labels **{}%**", pct(a["overall"]),
                      a["correct"].get<int64_t>(), a["total"].get<int64_t>(), pct(a["mean_over_labels"]));
  }
  md += "\n\n";
  const bool numeric = r.contains("accuracy") && r["accuracy"].contains("per_value");
  md += numeric ? "| distance | test points | correct | accuracy % | clusters |\n|---:|---:|---:|---:|---:|\n"
                : "| label | test points | correct | accuracy % | clusters |\n|---|---:|---:|---:|---:|\n";
  if (r.contains("accuracy")) {
    for (const json& row : r["accuracy"][numeric ? "per_value" : "per_label"])
      md += fmt::format("| {} | {} | {} | {} | {} |\n", row["label"].get<std::string>(), row["total"].get<int64_t>(),
                        row["correct"].get<int64_t>(), pct(row["accuracy"]), row["clusters"].get<int>());
  } else {
    for (const auto& [label, n] : c["per_label"].items())
      md += fmt::format("| {} | – | – | – | {} |\n", label, n.get<int>());
  }
  if (r.contains("stats")) {
    const json& s = r["stats"];
    md += fmt::format(
        "\nMerges: {} accepted, {} rejected of {} pops. Overlap tests: {} ({} settled by the nearest-points "
        "precheck, {} CLP solves, {} fallbacks, {} uncertified); cache hits: {} witness, {} plane.\n",
        s["accepted"].get<int64_t>(), s["rejected"].get<int64_t>(), s["pops"].get<int64_t>(),
        s["overlap_tests"].get<int64_t>(), s["precheck_separations"].get<int64_t>(), s["lp_solves"].get<int64_t>(),
        s["lp_fallbacks"].get<int64_t>(), s["uncertified"].get<int64_t>(), s["blacklist_hits"].get<int64_t>(),
        s["whitelist_hits"].get<int64_t>());
  }
  if (r.contains("duplicates") && r["duplicates"]["conflicting_groups"].get<int64_t>() > 0)
    md += fmt::format("\n**{} groups of identical training vectors carry different labels**; they stay singleton "
                      "clusters (see docs/directprobe.md, duplicates).\n",
                      r["duplicates"]["conflicting_groups"].get<int64_t>());
  if (r.contains("invariants"))
    md += fmt::format("\nInvariants: {}.\n", r["invariants"]["ok"].get<bool>() ? "all hold" : "**VIOLATED**");
  if (r.contains("timings_s") && r["timings_s"].is_object()) {
    md += "\n| phase | seconds |\n|---|---:|\n";
    for (const auto& [k, v] : r["timings_s"].items()) md += fmt::format("| {} | {:.2f} |\n", k, v.get<double>());
  }
  return md;
}

}  // namespace codessm::probe
