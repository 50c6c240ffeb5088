#include "host/process_table.hpp"

#include <algorithm>
#include <cctype>

namespace kubecert::host {

namespace {

// The kernel keeps only this much of a process name in comm (TASK_COMM_LEN - 1).
constexpr std::size_t k_comm_len = 15;

bool all_digits(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

std::vector<std::string> split_cmdline(const std::string& raw) {
    std::vector<std::string> argv;
    std::size_t start = 0;
    while (start < raw.size()) {
        auto end = raw.find('\0', start);
        if (end == std::string::npos) end = raw.size();
        argv.push_back(raw.substr(start, end - start));
        start = end + 1;
    }
    return argv;
}

std::string basename_of(const std::string& path) {
    auto slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

} // namespace

// Linux bounds all arguments together by a quarter of the stack limit (2 MiB
// by default); more than that is not a real command line.
constexpr std::uint64_t k_max_cmdline_bytes = 2u << 20;

util::Result<std::vector<ProcessInfo>> find_processes(const RootFs& fs, const std::string& name) {
    std::vector<ProcessInfo> found;
    auto entries = fs.list_dir("/proc");
    if (!entries) {
        // A node tree without /proc (a copied file system) simply runs nothing.
        if (entries.error().code == util::ErrorCode::not_found) return found;
        return entries.error();
    }
    const std::string short_name = name.substr(0, std::min(name.size(), k_comm_len));
    for (const auto& entry : *entries) {
        if (!all_digits(entry) || entry.size() > 9) continue;
        // A process may end between the listing and the read: then it is simply not there.
        auto cmdline = fs.read_file("/proc/" + entry + "/cmdline", k_max_cmdline_bytes);
        auto comm = fs.read_file("/proc/" + entry + "/comm", 4096);
        if (!cmdline && !comm) continue;
        if (!cmdline && cmdline.error().code == util::ErrorCode::denied) {
            // An oversized command line of the process looked for is an error, not a process without arguments.
            std::string c = comm ? *comm : "";
            while (!c.empty() && (c.back() == '\n' || c.back() == '\0')) c.pop_back();
            if (c == short_name) return cmdline.error();
            continue;
        }
        ProcessInfo info;
        info.pid = std::stoi(entry);
        if (cmdline) info.argv = split_cmdline(*cmdline);
        std::string comm_name = comm ? *comm : "";
        while (!comm_name.empty() && (comm_name.back() == '\n' || comm_name.back() == '\0')) comm_name.pop_back();
        bool match = (!info.argv.empty() && basename_of(info.argv[0]) == name) ||
                     (!comm_name.empty() && comm_name == short_name);
        if (match) found.push_back(std::move(info));
    }
    std::sort(found.begin(), found.end(), [](const ProcessInfo& a, const ProcessInfo& b) { return a.pid < b.pid; });
    return found;
}

} // namespace kubecert::host
