#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kubecert::formats::detail {

// Sets the value at `path` (object keys from the top) of a JSON document to the
// JSON text `literal` (a scalar, e.g. "true") by
// editing only the bytes of that value, or inserting one member (and the
// missing objects on the way) after the last member of its parent, indented
// like its siblings. Everything else, including the layout of arrays and
// objects it does not touch, stays byte for byte; the text comes back
// unchanged when the value is already there. Throws formats::ParseError
// (naming `source`, line and column) for malformed JSON or when something on
// the path is not an object.
std::string json_set_in_place(std::string_view text, const std::string& source, const std::vector<std::string>& path,
                              const std::string& literal);

} // namespace kubecert::formats::detail
