#include "codessm/report/report.h"

#include <fmt/format.h>

#include <cmath>
#include <ctime>

#include "codessm/core/io.h"

#ifndef CODESSM_VERSION_STRING
#define CODESSM_VERSION_STRING "0.1.0"
#endif

namespace codessm::report {

std::string codessm_version() { return CODESSM_VERSION_STRING; }

nlohmann::json make_envelope(const std::string& schema, int schema_version, const nlohmann::json& results,
                             const std::string& command) {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  nlohmann::json j;
  j["schema"] = schema;
  j["schema_version"] = schema_version;
  j["codessm_version"] = codessm_version();
  j["created_utc"] = buf;
  if (!command.empty()) j["command"] = command;
  j["results"] = results;
  return j;
}

void write_json(const fs::path& path, const nlohmann::json& j) { core::write_file_atomic(path, j.dump(2) + "\n"); }
void write_text(const fs::path& path, const std::string& text) { core::write_file_atomic(path, text); }

static bool looks_numeric(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ',' || c == 'e' || c == '+' || c == '%'))
      return false;
  return true;
}

std::string Table::to_markdown() const {
  std::string out = "|";
  for (auto& h : header) out += " " + h + " |";
  out += "\n|";
  for (size_t i = 0; i < header.size(); ++i) {
    bool num = !rows.empty();
    for (auto& r : rows)
      if (i < r.size() && !looks_numeric(r[i])) num = false;
    out += num ? " ---: |" : " --- |";
  }
  out += "\n";
  for (auto& r : rows) {
    out += "|";
    for (size_t i = 0; i < header.size(); ++i) out += " " + (i < r.size() ? r[i] : std::string()) + " |";
    out += "\n";
  }
  return out;
}

static std::string csv_cell(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += (c == '"') ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string Table::to_csv() const {
  std::string out;
  for (size_t i = 0; i < header.size(); ++i) out += (i ? "," : "") + csv_cell(header[i]);
  out += "\n";
  for (auto& r : rows) {
    for (size_t i = 0; i < r.size(); ++i) out += (i ? "," : "") + csv_cell(r[i]);
    out += "\n";
  }
  return out;
}

std::string fmt_int(long long v) {
  std::string s = std::to_string(v < 0 ? -v : v);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<size_t>(i), ",");
  return (v < 0 ? "-" : "") + s;
}

std::string fmt_num(double v, int digits) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) return fmt_int(static_cast<long long>(v));
  return fmt::format("{:.{}g}", v, digits);
}

}  // namespace codessm::report
