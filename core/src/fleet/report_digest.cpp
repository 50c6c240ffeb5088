#include "fleet/report_digest.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include <kubecert/util/time.hpp>

namespace kubecert::fleet {

namespace {

using Json = nlohmann::json;

// Top-level keys of a report the digest reads; the rest is skipped.
enum class Top { other, schema, generated_at, node, command, dry_run, plugins, findings, after, certificates, errors };
// Keys inside node and inside the items of plugins, findings and certificates.
enum class Field { other, name, flavor, id, status, plugin, not_after, is_authority };

Top top_of(const std::string& k) {
    switch (k.size()) {
    case 4: return k == "node" ? Top::node : Top::other;
    case 5: return k == "after" ? Top::after : Top::other;
    case 6: return k == "schema" ? Top::schema : k == "errors" ? Top::errors : Top::other;
    case 7:
        return k == "command" ? Top::command : k == "dry_run" ? Top::dry_run : k == "plugins" ? Top::plugins : Top::other;
    case 8: return k == "findings" ? Top::findings : Top::other;
    case 12: return k == "generated_at" ? Top::generated_at : k == "certificates" ? Top::certificates : Top::other;
    default: return Top::other;
    }
}

Field field_of(const std::string& k) {
    switch (k.size()) {
    case 2: return k == "id" ? Field::id : Field::other;
    case 4: return k == "name" ? Field::name : Field::other;
    case 6: return k == "status" ? Field::status : k == "plugin" ? Field::plugin : k == "flavor" ? Field::flavor : Field::other;
    case 9: return k == "not_after" ? Field::not_after : Field::other;
    case 12: return k == "is_authority" ? Field::is_authority : Field::other;
    default: return Field::other;
    }
}

bool status_of(const std::string& s, report::FindingStatus* out) {
    using report::FindingStatus;
    if (s == "PASS") *out = FindingStatus::pass;
    else if (s == "FAIL") *out = FindingStatus::fail;
    else if (s == "WARN") *out = FindingStatus::warn;
    else if (s == "INFO") *out = FindingStatus::info;
    else if (s == "ERROR") *out = FindingStatus::error;
    else return false;
    return true;
}

// Findings of one list (the audit, or the after-audit of a fix).
struct FindingList {
    std::array<int, 5> counts{};
    std::vector<NodeDigest::Failing> failing;
    int failing_total = 0;
    bool present = false;
};

// A SAX handler that keeps only what NodeDigest needs: no document is built,
// so a report costs its parse time and nothing more in memory.
class DigestHandler {
public:
    using number_integer_t = Json::number_integer_t;
    using number_unsigned_t = Json::number_unsigned_t;
    using number_float_t = Json::number_float_t;
    using string_t = Json::string_t;
    using binary_t = Json::binary_t;

    bool null() { return true; }
    bool boolean(bool v) {
        if (m_depth == 1 && m_top == Top::dry_run) m_digest.dry_run = v;
        else if (m_depth == 3 && m_top == Top::certificates && m_field == Field::is_authority) m_cert.is_authority = v;
        return true;
    }
    bool number_integer(number_integer_t) { return true; }
    bool number_unsigned(number_unsigned_t) { return true; }
    bool number_float(number_float_t, const string_t&) { return true; }
    bool binary(binary_t&) { return true; }

    bool string(string_t& v) {
        if (m_depth == 1) {
            switch (m_top) {
            case Top::schema: m_schema = std::move(v); break;
            case Top::generated_at: m_generated_at = std::move(v); break;
            case Top::command: m_digest.command = std::move(v); break;
            default: break;
            }
        } else if (m_depth == 2) {
            if (m_top == Top::errors) ++m_digest.run_errors;
            else if (m_top == Top::node && m_field == Field::name) m_digest.name = std::move(v);
            else if (m_top == Top::node && m_field == Field::flavor) m_digest.flavor = std::move(v);
        } else if (m_depth == 3 && m_in_item) {
            item_string(v);
        }
        return true;
    }

    bool start_object(std::size_t) {
        ++m_depth;
        if (m_depth == 1) m_saw_object = true;
        if (m_depth == 3 && is_list(m_top)) {
            m_in_item = true;
            m_item_name.clear();
            m_item_id.clear();
            m_item_status_seen = false;
            m_cert = CertificateDigest{};
            m_cert_not_after_seen = false;
        }
        m_field = Field::other;
        return true;
    }
    bool end_object() {
        if (m_depth == 3 && m_in_item) {
            m_in_item = false;
            if (!end_item()) return false;
        }
        --m_depth;
        if (m_depth == 0) m_done = true;
        return true;
    }
    bool start_array(std::size_t) {
        ++m_depth;
        return true;
    }
    bool end_array() {
        --m_depth;
        return true;
    }
    bool key(string_t& k) {
        if (m_depth == 1) {
            m_top = top_of(k);
            if (m_top == Top::findings) m_findings.present = true;
            if (m_top == Top::after) m_after.present = true;
        } else if (m_depth == 2 || m_depth == 3) {
            m_field = field_of(k);
        }
        return true;
    }
    bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e) {
        m_error = "not valid JSON at byte " + std::to_string(position);
        // nlohmann's message ("[json.exception.parse_error.101] parse error at line 1, column 9:
        // syntax error while parsing ...") repeats the position: keep the reason after it.
        const std::string what = e.what();
        const auto column = what.find("column ");
        const auto reason = column == std::string::npos ? std::string::npos : what.find(": ", column);
        std::string why = reason == std::string::npos ? what : what.substr(reason + 2);
        // "; last read: '...'" quotes the report's bytes (a long string, maybe a secret): leave it out.
        if (const auto quoted = why.find("; last read: "); quoted != std::string::npos) why.erase(quoted);
        m_error += ": " + why;
        return false;
    }

    bool done() const { return m_done; }
    bool saw_object() const { return m_saw_object; }

    // The digest once the parse succeeded, or what is missing.
    util::Result<NodeDigest> finish(const std::string& source) {
        auto fail = [&](const std::string& why) {
            return util::make_error(util::ErrorCode::parse, source + ": " + why);
        };
        if (!m_error.empty()) return fail(m_error);
        if (!m_saw_object) return fail("not a kubecert report (not a JSON object)");
        if (m_schema != "kubecert/report/v1")
            return fail(m_schema.empty() ? "not a kubecert report (no \"schema\")"
                                         : "not a kubecert/report/v1 report (schema \"" + m_schema.substr(0, 64) + "\")");
        auto at = util::parse_rfc3339(m_generated_at);
        if (!at) return fail("\"generated_at\" is missing or not an RFC 3339 time");
        if (!m_findings.present) return fail("no \"findings\"");
        m_digest.generated_at = *at;
        m_digest.source = source;
        FindingList& now = m_after.present && !m_digest.dry_run ? m_after : m_findings;
        m_digest.counts = now.counts;
        m_digest.failing = std::move(now.failing);
        m_digest.failing_total = now.failing_total;
        if (m_digest.flavor.empty()) {
            for (const auto& p : m_plugins) {
                if (!m_digest.flavor.empty()) m_digest.flavor += '+';
                m_digest.flavor += p;
            }
        }
        if (m_digest.name.empty()) {
            auto slash = source.find_last_of('/');
            std::string base = slash == std::string::npos ? source : source.substr(slash + 1);
            if (base.size() > 5 && base.compare(base.size() - 5, 5, ".json") == 0) base.resize(base.size() - 5);
            m_digest.name = base;
        }
        return std::move(m_digest);
    }

private:
    static bool is_list(Top t) {
        return t == Top::plugins || t == Top::findings || t == Top::after || t == Top::certificates;
    }

    void item_string(string_t& v) {
        switch (m_top) {
        case Top::plugins:
            if (m_field == Field::name) m_item_name = std::move(v);
            break;
        case Top::findings:
        case Top::after:
            if (m_field == Field::id) m_item_id = std::move(v);
            else if (m_field == Field::status) {
                m_item_status_seen = status_of(v, &m_item_status);
                if (!m_item_status_seen) m_error = "finding status \"" + v.substr(0, 16) + "\" is not one of PASS, FAIL, WARN, INFO, ERROR";
            }
            break;
        case Top::certificates:
            if (m_field == Field::name) m_cert.name = std::move(v);
            else if (m_field == Field::plugin) m_cert.plugin = std::move(v);
            else if (m_field == Field::not_after) {
                auto t = util::parse_rfc3339(v);
                m_cert_not_after_seen = t.has_value();
                if (t) m_cert.not_after = *t;
            }
            break;
        default: break;
        }
    }

    // False (with m_error) when the item lacks what the digest needs.
    bool end_item() {
        switch (m_top) {
        case Top::plugins:
            if (!m_item_name.empty()) m_plugins.push_back(std::move(m_item_name));
            return true;
        case Top::findings:
        case Top::after: {
            if (!m_error.empty()) return false;
            if (!m_item_status_seen) {
                m_error = "a finding has no \"status\"";
                return false;
            }
            FindingList& list = m_top == Top::after ? m_after : m_findings;
            ++list.counts[static_cast<std::size_t>(m_item_status)];
            if (m_item_status == report::FindingStatus::fail || m_item_status == report::FindingStatus::error) {
                ++list.failing_total;
                if (list.failing.size() < NodeDigest::k_max_failing_ids) list.failing.push_back({std::move(m_item_id), m_item_status});
            }
            return true;
        }
        case Top::certificates:
            if (!m_cert_not_after_seen) {
                m_error = "certificate \"" + m_cert.name.substr(0, 64) + "\" has no RFC 3339 \"not_after\"";
                return false;
            }
            m_digest.certificates.push_back(std::move(m_cert));
            return true;
        default: return true;
        }
    }

    int m_depth = 0;
    Top m_top = Top::other;
    Field m_field = Field::other;
    bool m_saw_object = false;
    bool m_done = false;
    bool m_in_item = false;
    std::string m_error;
    std::string m_schema;
    std::string m_generated_at;
    std::vector<std::string> m_plugins;
    FindingList m_findings;
    FindingList m_after;
    std::string m_item_name;
    std::string m_item_id;
    report::FindingStatus m_item_status = report::FindingStatus::pass;
    bool m_item_status_seen = false;
    CertificateDigest m_cert;
    bool m_cert_not_after_seen = false;
    NodeDigest m_digest;
};

} // namespace

int severity(report::FindingStatus s) {
    switch (s) {
    case report::FindingStatus::info: return 0;
    case report::FindingStatus::pass: return 1;
    case report::FindingStatus::warn: return 2;
    case report::FindingStatus::fail: return 3;
    case report::FindingStatus::error: return 4;
    }
    return 4;
}

report::FindingStatus NodeDigest::status() const {
    using report::FindingStatus;
    if (run_errors > 0 || counts[static_cast<std::size_t>(FindingStatus::error)] > 0) return FindingStatus::error;
    for (FindingStatus s : {FindingStatus::fail, FindingStatus::warn, FindingStatus::pass})
        if (counts[static_cast<std::size_t>(s)] > 0) return s;
    return FindingStatus::info;
}

const CertificateDigest* NodeDigest::soonest() const {
    const CertificateDigest* best = nullptr;
    for (const auto& c : certificates)
        if (!best || c.not_after < best->not_after) best = &c;
    return best;
}

util::Result<NodeDigest> digest_report(std::string_view text, const std::string& source) {
    DigestHandler handler;
    // strict: text after the report (a second report, garbage) is an error here.
    Json::sax_parse(text.begin(), text.end(), &handler, nlohmann::detail::input_format_t::json, true, false);
    return handler.finish(source);
}

void digest_stream(std::istream& in, const std::string& source,
                   const std::function<void(util::Result<NodeDigest>)>& on_report) {
    int index = 0;
    for (;;) {
        // Skip the whitespace between reports; the end of input ends the stream.
        int c = in.peek();
        while (c != EOF && (c == ' ' || c == '\n' || c == '\r' || c == '\t')) {
            in.get();
            c = in.peek();
        }
        if (c == EOF) return;
        ++index;
        const std::string name = index == 1 ? source : source + " (report " + std::to_string(index) + ")";
        DigestHandler handler;
        Json::sax_parse(in, &handler, nlohmann::detail::input_format_t::json, false, false);
        auto digest = handler.finish(name);
        const bool ok = digest.ok();
        if (!ok && !handler.done()) {
            on_report(util::make_error(digest.error().code,
                                       digest.error().message + "; the rest of " + source + " is not read"));
            return;
        }
        on_report(std::move(digest));
    }
}

} // namespace kubecert::fleet
