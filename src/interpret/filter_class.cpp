#include "codessm/interpret/filter_class.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <sstream>

#include "codessm/core/error.h"

namespace codessm::interpret {

std::string to_string(FilterClass c) {
  switch (c) {
    case FilterClass::kLow: return "low";
    case FilterClass::kBand: return "band";
    case FilterClass::kHigh: return "high";
    case FilterClass::kUndefined: return "undefined";
  }
  return "undefined";
}

FilterClass parse_filter_class(const std::string& s) {
  for (auto c : {FilterClass::kLow, FilterClass::kBand, FilterClass::kHigh, FilterClass::kUndefined})
    if (s == to_string(c)) return c;
  throw UsageError(fmt::format("unknown filter class '{}': expected low, band, high or undefined", s));
}

void ClassThresholds::validate() const {
  auto finite = [](double v, const char* name) {
    CODESSM_REQUIRE(std::isfinite(v), UsageError, "threshold {} = {} is not a finite number", name, v);
  };
  finite(sc_low, "sc_low");
  finite(sc_high, "sc_high");
  finite(lhfr_low, "lhfr_low");
  finite(lhfr_high, "lhfr_high");
  CODESSM_REQUIRE(sc_low > 0 && sc_high < 0.5, UsageError,
                  "SC thresholds must lie inside (0, 0.5) cycles/sample: sc_low = {}, sc_high = {}", sc_low, sc_high);
  CODESSM_REQUIRE(sc_low < sc_high, UsageError,
                  "SC thresholds overlap: sc_low = {} must be below sc_high = {} (low-pass is SC < sc_low, high-pass "
                  "SC > sc_high)",
                  sc_low, sc_high);
  CODESSM_REQUIRE(lhfr_high > 0, UsageError, "LHFR threshold lhfr_high = {} must be > 0 (LHFR is a ratio of sums of "
                  "magnitudes)", lhfr_high);
  CODESSM_REQUIRE(lhfr_high < lhfr_low, UsageError,
                  "LHFR thresholds overlap: lhfr_high = {} must be below lhfr_low = {} (low-pass is LHFR > lhfr_low, "
                  "high-pass LHFR < lhfr_high)",
                  lhfr_high, lhfr_low);
}

ClassThresholds ClassThresholds::parse(const std::string& spec) {
  ClassThresholds t;
  std::stringstream ss(spec);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item.empty()) continue;
    auto eq = item.find('=');
    CODESSM_REQUIRE(eq != std::string::npos, UsageError,
                    "--thresholds item '{}' is not key=value (keys: sc_low, sc_high, lhfr_low, lhfr_high)", item);
    const std::string key = item.substr(0, eq), val = item.substr(eq + 1);
    char* end = nullptr;
    const double v = std::strtod(val.c_str(), &end);
    CODESSM_REQUIRE(!val.empty() && end && *end == '\0', UsageError, "--thresholds {}: '{}' is not a number", key, val);
    if (key == "sc_low") t.sc_low = v;
    else if (key == "sc_high") t.sc_high = v;
    else if (key == "lhfr_low") t.lhfr_low = v;
    else if (key == "lhfr_high") t.lhfr_high = v;
    else throw UsageError(fmt::format("--thresholds: unknown key '{}' (keys: sc_low, sc_high, lhfr_low, lhfr_high)", key));
  }
  t.validate();
  return t;
}

static FilterClass by_frequency(double f, const ClassThresholds& t) {
  if (!std::isfinite(f)) return FilterClass::kUndefined;
  if (f < t.sc_low) return FilterClass::kLow;
  if (f > t.sc_high) return FilterClass::kHigh;
  return FilterClass::kBand;
}

FilterClass classify_sc(double sc, const ClassThresholds& t) { return by_frequency(sc, t); }
FilterClass classify_dominant(double f_dom, const ClassThresholds& t) { return by_frequency(f_dom, t); }

FilterClass classify_lhfr(double lhfr, const ClassThresholds& t) {
  if (std::isnan(lhfr)) return FilterClass::kUndefined;
  if (lhfr > t.lhfr_low) return FilterClass::kLow;  // +inf (no magnitude in the high band) is low-pass
  if (lhfr < t.lhfr_high) return FilterClass::kHigh;
  return FilterClass::kBand;
}

FilterClass combine_classes(FilterClass by_sc, FilterClass by_lhfr) {
  if (by_sc == FilterClass::kUndefined || by_lhfr == FilterClass::kUndefined) return FilterClass::kUndefined;
  if (by_sc == by_lhfr) return by_sc;
  const bool contradiction = (by_sc == FilterClass::kLow && by_lhfr == FilterClass::kHigh) ||
                             (by_sc == FilterClass::kHigh && by_lhfr == FilterClass::kLow);
  return contradiction ? FilterClass::kBand : by_sc;
}

const char* combine_rule_text() {
  return "agree -> that class; low vs high contradiction -> band; otherwise (one of them says band) -> the SC class";
}

}  // namespace codessm::interpret
