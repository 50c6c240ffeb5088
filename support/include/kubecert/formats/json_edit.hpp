#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace kubecert::formats {

// Parses JSON keeping key order; throws ParseError with `source`, line and column.
nlohmann::ordered_json parse_json(std::string_view text, const std::string& source);

// Sets `value` at `path` (object keys from the top, creating missing objects
// at the end of their parent), keeping every other key, its order, and the
// file's indentation (width, tabs or spaces) and final newline. Returns the
// text unchanged when the value is already there. Throws ParseError.
std::string json_set(std::string_view text, const std::string& source, const std::vector<std::string>& path,
                     const nlohmann::ordered_json& value);

// Removes the key at `path` when present (same preservation rules).
std::string json_erase(std::string_view text, const std::string& source, const std::vector<std::string>& path);

} // namespace kubecert::formats
