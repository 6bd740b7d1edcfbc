// Results as JSON (the source of truth, schema-versioned) plus human views: Markdown and CSV tables.
// Every command writes its results through here so all reports share one envelope:
//   {"schema": "<name>", "schema_version": N, "codessm_version": "...", "created_utc": "...",
//    "command": "...", "results": {...}}
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace codessm::report {

namespace fs = std::filesystem;

/// Wraps `results` in the common envelope. `schema` names the result kind (e.g. "bench.forward").
nlohmann::json make_envelope(const std::string& schema, int schema_version, const nlohmann::json& results,
                             const std::string& command = "");

/// Writes pretty JSON atomically.
void write_json(const fs::path& path, const nlohmann::json& j);
/// Writes text atomically.
void write_text(const fs::path& path, const std::string& text);

/// A table rendered as Markdown (GitHub pipes, right-aligned numbers) or CSV (RFC 4180 quoting).
struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::string to_markdown() const;
  std::string to_csv() const;
};

/// Formats a number for tables: integers with thousands separators, else `digits` significant digits.
std::string fmt_num(double v, int digits = 4);
std::string fmt_int(long long v);

/// The codessm version string (project version + git describe when built from a checkout).
std::string codessm_version();

}  // namespace codessm::report
