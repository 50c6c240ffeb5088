#pragma once

#include <string>
#include <string_view>

// The two pieces of Prometheus' text exposition format both the node report
// and the fleet view write.
namespace kubecert::report {

// A quoted label value with the format's three escapes (\\, \", \n); anything
// else goes through unchanged, so hostile bytes must be made printable first.
void append_prometheus_label_value(std::string& out, std::string_view value);

// "# HELP" and "# TYPE ... gauge", once per metric as the format requires.
void append_prometheus_gauge_header(std::string& out, std::string_view name, std::string_view help);

} // namespace kubecert::report
