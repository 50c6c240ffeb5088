#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

// Targeted text edits of kubelet flags inside one entry of a unit file,
// drop-in or environment file: only the flag's own characters change, so
// every other flag, the quoting, comments and the rest of the file stay.
namespace kubecert::eks {

// Byte range [first, second) of the entry that starts on 1-based `line`,
// continuation lines ('\' at the end) included; (npos, npos) when no such line.
std::pair<size_t, size_t> entry_range(std::string_view text, int line);

// Sets every "--name=..." or bare "--name" inside [begin, end) to "--name=value".
std::string set_flag(std::string_view text, std::pair<size_t, size_t> range, std::string_view name,
                     std::string_view value);

// Removes every "--name[=value]" inside the range (with a following true/false
// word, the "--name true" form), tidying blanks and line continuations.
std::string remove_flag(std::string_view text, std::pair<size_t, size_t> range, std::string_view name);

// Removes "gate=false" from every --feature-gates inside the range; a flag left
// without gates is removed as a whole.
std::string drop_false_feature_gate(std::string_view text, std::pair<size_t, size_t> range, std::string_view gate);

// Appends " flag_word" at the end of the entry (after its last word).
std::string append_flag(std::string_view text, std::pair<size_t, size_t> range, std::string_view flag_word);

} // namespace kubecert::eks
