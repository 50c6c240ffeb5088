#include "report/prometheus_format.hpp"

namespace kubecert::report {

void append_prometheus_label_value(std::string& out, std::string_view value) {
    out += '"';
    for (char c : value) {
        switch (c) {
        case '\\': out += "\\\\"; break;
        case '"': out += "\\\""; break;
        case '\n': out += "\\n"; break;
        default: out += c;
        }
    }
    out += '"';
}

void append_prometheus_gauge_header(std::string& out, std::string_view name, std::string_view help) {
    out += "# HELP ";
    out += name;
    out += ' ';
    out += help;
    out += "\n# TYPE ";
    out += name;
    out += " gauge\n";
}

} // namespace kubecert::report
