#include "host/live_system.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

namespace kubecert::host {

namespace {

// Whether ROOT/proc is a procfs of this process's PID namespace.
LiveSystem from_proc(const RootFs& fs) {
    auto fd = fs.open("/proc", O_RDONLY | O_DIRECTORY);
    if (!fd) return {false, "no " + fs.root() + "/proc: a mounted image or a copy of a node, not the running system"};
    LiveSystem out{false,
                   fs.root() + "/proc is not a procfs: a mounted image or a copy of a node, not the running system"};
    struct statfs sfs {};
    if (::fstatfs(*fd, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC) {
        // Inside a verified procfs, "self" and "ns/pid" are the kernel's own links.
        struct stat theirs {
        }, ours{};
        if (::fstatat(*fd, "self/ns/pid", &theirs, 0) == 0 && ::stat("/proc/self/ns/pid", &ours) == 0 &&
            theirs.st_dev == ours.st_dev && theirs.st_ino == ours.st_ino)
            out = {true, fs.root() +
                             "/proc shows this process's PID namespace: the node's processes are visible "
                             "(a pod with hostPID and the host mounted at " +
                             fs.root() + ")"};
        else
            out.reason = fs.root() + "/proc is another PID namespace's procfs: not the running system";
    }
    ::close(*fd);
    return out;
}

} // namespace

bool parse_live_system_mode(const std::string& text, LiveSystemMode& out) {
    if (text == "auto")
        out = LiveSystemMode::automatic;
    else if (text == "yes")
        out = LiveSystemMode::yes;
    else if (text == "no")
        out = LiveSystemMode::no;
    else
        return false;
    return true;
}

LiveSystem decide_live_system(const RootFs& fs, LiveSystemMode mode) {
    if (mode == LiveSystemMode::yes)
        return {true, "--live-system yes: the node under --root is taken as the running system"};
    if (mode == LiveSystemMode::no) return {false, "--live-system no: no command runs and no port is probed"};
    if (fs.root().empty()) return {true, "--root is /"};
    return from_proc(fs);
}

} // namespace kubecert::host
