// InterpretResult ↔ JSON: the source of truth of `codessm interpret` (schema in docs/interpret.md). Non-finite
// numbers, which JSON cannot hold, are written as the strings "inf", "-inf" and "nan". Everything but the curves
// is read back by --compare. The curves (kernel in time, magnitude and phase per bin) of the first filters go
// into "curves" of each filter, at 6 significant digits, for `codessm report`'s plots.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "codessm/interpret/kernel_analysis.h"

namespace codessm::interpret {

inline constexpr const char* kKernelsSchema = "interpret.kernels";  ///< envelope "schema" of interpret.json
inline constexpr int kKernelsSchemaVersion = 1;

/// The "results" object of interpret.json, with the curves of the first `max_curves` filters that kept them
/// (-1 = all): {"time_start", "time", "frequency_step", "magnitude", "phase"}; the time axis is
/// time_start, time_start + 1, ... and bin k sits at k * frequency_step cycles/sample.
nlohmann::json to_json(const InterpretResult& r, int64_t max_curves = 0);

/// Reads the "results" object back (curves empty). Throws DataError naming `source` and the field.
InterpretResult result_from_json(const nlohmann::json& results, const std::string& source);

/// A number, or "inf"/"-inf"/"nan" for non-finite values.
nlohmann::json json_number(double v);
/// Inverse of json_number; throws DataError naming `what` for anything else.
double number_from_json(const nlohmann::json& j, const std::string& what);

}  // namespace codessm::interpret
