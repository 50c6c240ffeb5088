#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace kubecert::formats {

// Parses YAML; throws ParseError with `source`, line and column.
YAML::Node parse_yaml(std::string_view text, const std::string& source);

// Sets the scalar at `path` (mapping keys from the top) to `value` (written as
// a plain scalar, e.g. "true") by editing the text, guided by the parsed
// tree: comments, key order, quoting, blank lines and everything else stay
// as they were. Missing mappings along the path are created in block style
// with the indentation the file uses; a flow mapping ({...}) on the path is
// edited in place. Returns the text unchanged when the value is already
// there. Throws ParseError for malformed YAML or when a path element is not a
// mapping.
std::string yaml_set_scalar(std::string_view text, const std::string& source, const std::vector<std::string>& path,
                            const std::string& value);

} // namespace kubecert::formats
