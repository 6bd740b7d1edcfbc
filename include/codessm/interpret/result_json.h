// InterpretResult ↔ JSON: the source of truth of `codessm interpret` (schema in docs/interpret.md). Non-finite
// numbers, which JSON cannot hold, are written as the strings "inf", "-inf" and "nan". Curves are not part of
// the JSON (they live in the figure data files); everything else is, so --compare can read a result back.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "codessm/interpret/kernel_analysis.h"

namespace codessm::interpret {

inline constexpr const char* kKernelsSchema = "interpret.kernels";  ///< envelope "schema" of interpret.json
inline constexpr int kKernelsSchemaVersion = 1;

/// The "results" object of interpret.json.
nlohmann::json to_json(const InterpretResult& r);

/// Reads the "results" object back (curves empty). Throws DataError naming `source` and the field.
InterpretResult result_from_json(const nlohmann::json& results, const std::string& source);

/// A number, or "inf"/"-inf"/"nan" for non-finite values.
nlohmann::json json_number(double v);
/// Inverse of json_number; throws DataError naming `what` for anything else.
double number_from_json(const nlohmann::json& j, const std::string& what);

}  // namespace codessm::interpret
