#include "fleet/fleet.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <optional>
#include <thread>

namespace kubecert::fleet {

namespace {

// A report is kilobytes; a file beyond this is not one (and must not cost memory).
constexpr std::uint64_t k_max_report_bytes = 64u << 20;

// Reads `path` into `buffer` (reused between files, so 10,000 reports cost one allocation).
util::Status read_whole(const std::string& path, std::string& buffer) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return util::make_error(util::ErrorCode::io, path + ": " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return util::make_error(util::ErrorCode::io, path + ": not a regular file");
    }
    if (static_cast<std::uint64_t>(st.st_size) > k_max_report_bytes) {
        ::close(fd);
        return util::make_error(util::ErrorCode::io, path + ": larger than 64 MiB, not a kubecert report");
    }
    buffer.resize(static_cast<std::size_t>(st.st_size));
    std::size_t done = 0;
    while (done < buffer.size()) {
        ssize_t n = ::read(fd, buffer.data() + done, buffer.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int e = errno;
            ::close(fd);
            return util::make_error(util::ErrorCode::io, path + ": " + std::strerror(e));
        }
        if (n == 0) break; // shrank while read: parse what is there
        done += static_cast<std::size_t>(n);
    }
    buffer.resize(done);
    ::close(fd);
    return util::ok_status();
}

void add_result(Fleet& fleet, util::Result<NodeDigest> r) {
    if (r)
        fleet.add(std::move(*r));
    else
        fleet.add_unreadable("", r.error().message);
}

// One file's outcome: its digest, or why it could not be read.
struct Outcome {
    std::string path;
    std::optional<NodeDigest> digest;
    std::string reason;
};

void digest_file(Outcome& o, std::string& buffer) {
    if (auto st = read_whole(o.path, buffer); !st) {
        o.reason = st.error().message;
        return;
    }
    auto d = digest_report(buffer, o.path);
    if (d)
        o.digest = std::move(*d);
    else
        o.reason = d.error().message;
}

// Digests `paths` on a few threads (each file is independent; a thread
// reads one file at a time into its own buffer), then adds them in order, so
// the result does not depend on the threads.
void read_files(const std::vector<std::string>& paths, Fleet& fleet) {
    std::vector<Outcome> outcomes(paths.size());
    for (std::size_t i = 0; i < paths.size(); ++i) outcomes[i].path = paths[i];
    const unsigned hw = std::thread::hardware_concurrency();
    const std::size_t threads = std::min<std::size_t>({hw == 0 ? 2 : hw, 4, (paths.size() + 63) / 64});
    std::atomic<std::size_t> next{0};
    auto work = [&] {
        std::string buffer;
        for (std::size_t i; (i = next.fetch_add(1)) < outcomes.size();) digest_file(outcomes[i], buffer);
    };
    std::vector<std::thread> pool;
    for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(work);
    work();
    for (auto& t : pool) t.join();
    for (auto& o : outcomes) {
        if (o.digest)
            fleet.add(std::move(*o.digest));
        else
            fleet.add_unreadable(o.path, std::move(o.reason));
    }
}

} // namespace

void Fleet::add(NodeDigest digest) {
    ++m_reports;
    auto [it, inserted] = m_by_name.try_emplace(digest.name, m_nodes.size());
    if (inserted) {
        m_nodes.push_back(std::move(digest));
        return;
    }
    ++m_superseded;
    NodeDigest& kept = m_nodes[it->second];
    if (digest.generated_at > kept.generated_at) kept = std::move(digest);
}

void Fleet::add_unreadable(std::string source, std::string reason) {
    ++m_reports;
    // Digest errors already start with the source; keep the reason alone.
    if (source.empty()) {
        auto colon = reason.find(": ");
        source = colon == std::string::npos ? "?" : reason.substr(0, colon);
        if (colon != std::string::npos) reason.erase(0, colon + 2);
    } else if (reason.compare(0, source.size() + 2, source + ": ") == 0) {
        reason.erase(0, source.size() + 2);
    }
    m_unreadable.push_back({std::move(source), std::move(reason)});
}

void Fleet::finish() {
    std::sort(m_nodes.begin(), m_nodes.end(), [](const NodeDigest& a, const NodeDigest& b) {
        const CertificateDigest* ca = a.soonest();
        const CertificateDigest* cb = b.soonest();
        if (ca && cb && ca->not_after != cb->not_after) return ca->not_after < cb->not_after;
        if (bool(ca) != bool(cb)) return bool(ca);
        int sa = severity(a.status()), sb = severity(b.status());
        if (sa != sb) return sa > sb;
        return a.name < b.name;
    });
    m_by_name.clear(); // names index the old order
    std::sort(m_unreadable.begin(), m_unreadable.end(),
              [](const Unreadable& a, const Unreadable& b) { return a.source < b.source; });
}

void read_sources(const std::vector<std::string>& sources, Fleet& fleet) {
    namespace fs = std::filesystem;
    std::vector<std::string> files; // the files of the sources so far, digested together
    for (const auto& source : sources) {
        if (source == "-") {
            read_files(files, fleet);
            files.clear();
            digest_stream(std::cin, "-", [&](util::Result<NodeDigest> r) { add_result(fleet, std::move(r)); });
            continue;
        }
        std::error_code ec;
        auto status = fs::status(source, ec);
        if (status.type() == fs::file_type::not_found || ec) {
            read_files(files, fleet);
            files.clear();
            fleet.add_unreadable(source,
                                 status.type() == fs::file_type::not_found ? "no such file or folder" : ec.message());
            continue;
        }
        if (!fs::is_directory(status)) {
            files.push_back(source);
            continue;
        }
        std::vector<std::string> found;
        fs::recursive_directory_iterator it(source, fs::directory_options::skip_permission_denied, ec), end;
        for (; !ec && it != end; it.increment(ec)) {
            const auto& p = it->path();
            if (p.extension() == ".json" && it->is_regular_file(ec)) found.push_back(p.string());
        }
        if (ec) fleet.add_unreadable(source, "cannot list the folder: " + ec.message());
        std::sort(found.begin(), found.end());
        files.insert(files.end(), std::make_move_iterator(found.begin()), std::make_move_iterator(found.end()));
    }
    read_files(files, fleet);
}

bool is_stale(const NodeDigest& node, const MergeSettings& settings) {
    return settings.max_age > 0 && settings.now - node.generated_at > settings.max_age;
}

int exit_status(const Fleet& fleet, const MergeSettings& settings) {
    if (fleet.nodes().empty() || !fleet.unreadable().empty()) return 3;
    bool fail = false;
    for (const auto& n : fleet.nodes()) {
        if (n.status() == report::FindingStatus::error || is_stale(n, settings)) return 3;
        fail = fail || n.status() == report::FindingStatus::fail;
    }
    return fail ? 1 : 0;
}

} // namespace kubecert::fleet
