#include <algorithm>
#include <array>
#include <string_view>

#include <kubecert/util/time.hpp>

#include "report/printable.hpp"
#include "report/writers.hpp"

namespace kubecert::report {
namespace {

// kubeadm prints through Go's tabwriter.NewWriter(w, 10, 4, 3, ' ', 0): a
// column is as wide as its widest cell plus 3 spaces, at least 10; the last
// cell of a line is not padded. Matching it lets scripts written for
// `kubeadm certs check-expiration` read our output.
constexpr std::size_t k_min_width = 10;
constexpr std::size_t k_padding = 3;

// Width as tabwriter counts it: in UTF-8 code points, not bytes.
std::size_t display_width(std::string_view s) {
    std::size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
}

// kubeadm's "%-8v" of yes/no: the last cell is left-justified to 8 characters.
std::string yes_no(bool b) {
    return b ? "yes     " : "no      ";
}

// One block of lines aligned together (a tabwriter "column block").
template <std::size_t N> void append_table(std::string& out, const std::vector<std::array<std::string, N>>& rows) {
    std::array<std::size_t, N> widths{};
    for (std::size_t col = 0; col + 1 < N; ++col) {
        std::size_t w = k_min_width;
        for (const auto& row : rows) w = std::max(w, display_width(row[col]) + k_padding);
        widths[col] = w;
    }
    for (const auto& row : rows) {
        for (std::size_t col = 0; col + 1 < N; ++col) {
            out += row[col];
            out.append(widths[col] - display_width(row[col]), ' ');
        }
        out += row[N - 1];
        out += '\n';
    }
}

void append_plugin_tables(std::string& out, const std::vector<const Certificate*>& certs) {
    std::vector<std::array<std::string, 5>> leaves;
    std::vector<std::array<std::string, 4>> authorities;
    leaves.reserve(certs.size() + 1);
    authorities.reserve(certs.size() + 1);
    leaves.push_back({"CERTIFICATE", "EXPIRES", "RESIDUAL TIME", "CERTIFICATE AUTHORITY", "EXTERNALLY MANAGED"});
    authorities.push_back({"CERTIFICATE AUTHORITY", "EXPIRES", "RESIDUAL TIME", "EXTERNALLY MANAGED"});
    for (const Certificate* c : certs) {
        if (c->is_authority) {
            authorities.push_back({c->name, util::format_short_date(c->not_after),
                                   util::format_residual(c->residual_seconds), yes_no(c->externally_managed)});
        } else {
            leaves.push_back({c->name, util::format_short_date(c->not_after),
                              util::format_residual(c->residual_seconds), c->authority, yes_no(c->externally_managed)});
        }
    }
    append_table(out, leaves);
    out += '\n';
    append_table(out, authorities);
}

} // namespace

std::string render_certs_table(const Report& raw) {
    const Report report = printable_copy(raw); // hostile bytes shown as \xNN, never raw
    // Plugins in the order of report.plugins, then any other that reported certificates.
    std::vector<std::string> plugins;
    for (const PluginRef& p : report.plugins) {
        const bool has_certs = std::any_of(report.certificates.begin(), report.certificates.end(),
                                           [&](const Certificate& c) { return c.plugin == p.name; });
        if (has_certs && std::find(plugins.begin(), plugins.end(), p.name) == plugins.end()) {
            plugins.push_back(p.name);
        }
    }
    for (const Certificate& c : report.certificates) {
        if (std::find(plugins.begin(), plugins.end(), c.plugin) == plugins.end()) plugins.push_back(c.plugin);
    }

    std::string out;
    out.reserve(512 + 128 * report.certificates.size());
    if (plugins.empty()) {
        // Nothing known: still the headers, as kubeadm prints on an empty node.
        append_plugin_tables(out, {});
    }
    const bool label_plugins = plugins.size() > 1;
    for (std::size_t i = 0; i < plugins.size(); ++i) {
        std::vector<const Certificate*> certs;
        for (const Certificate& c : report.certificates) {
            if (c.plugin == plugins[i]) certs.push_back(&c);
        }
        if (i > 0) out += '\n';
        if (label_plugins) {
            out += '[';
            out += plugins[i];
            out += "]\n";
        }
        append_plugin_tables(out, certs);
    }
    for (const std::string& e : report.errors) {
        out += "error: ";
        out += e;
        out += '\n';
    }
    return out;
}

} // namespace kubecert::report
