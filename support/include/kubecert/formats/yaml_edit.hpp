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

// Where a scalar value is written in the text: byte offset and length of its
// content (inside the quotes when it is quoted; length 0 for an empty value).
struct TextSpan {
    size_t offset = 0;
    size_t length = 0;
};

// Locates the scalar value of `key` in `mapping`, a node of parse_yaml(`text`),
// so that callers can replace exactly those bytes (kubeconfig credentials).
// Throws ParseError when the key is absent or its value is not a scalar.
TextSpan yaml_value_span(std::string_view text, const std::string& source, const YAML::Node& mapping,
                         const std::string& key);

} // namespace kubecert::formats
