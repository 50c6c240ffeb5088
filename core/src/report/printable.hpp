#pragma once

#include <string>
#include <string_view>

#include "report/model.hpp"

// Bytes from hostile peers (a served certificate's subject, a configz answer,
// a command's output) must not reach a terminal as escape sequences nor make
// XML invalid. Writers for people and for XML render a printable copy.
namespace kubecert::report {

// `s` with every control character (C0 but tab, and newline when
// `keep_newlines`; DEL; C1) and every byte that is not valid UTF-8 shown as
// "\xNN". Valid UTF-8 text is returned as it is.
std::string printable(std::string_view s, bool keep_newlines = false);

// A copy of `report` with printable() applied to every string. Multi-line
// details keep their line breaks; with `keep_all_newlines` every string does
// (for a writer that escapes them itself, like Prometheus).
Report printable_copy(const Report& report, bool keep_all_newlines = false);

} // namespace kubecert::report
