#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "util/result.hpp"

namespace kubecert::host {

// A resolved location: the node path (as seen inside the root, normalised,
// symlinks followed) and the host path (root + node path) to open.
struct ResolvedPath {
    std::string node_path; // "/etc/kubernetes/pki/ca.crt"
    std::string host_path; // "/tmp/node/etc/kubernetes/pki/ca.crt"
};

struct FileStat {
    enum class Type { missing, regular, directory, symlink, other } type = Type::missing;
    std::uint32_t mode = 0;
    std::uint32_t uid = 0;
    std::uint32_t gid = 0;
    std::uint64_t size = 0;
    std::int64_t mtime = 0;
};

// The node's file system seen through --root, like chroot: every path is
// resolved inside the root; ".." never climbs above it and an absolute
// symlink target is taken relative to the root. Paths that would leave the
// root anyway (a relative link climbing out is clamped) never do.
//
// The kernel does the resolution: every open goes through openat2() with
// RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS relative to a descriptor of the
// root, so a folder swapped for a symlink while kubecert runs cannot lead out
// of it. Where the kernel refuses openat2 (before Linux 5.6, or a seccomp
// filter), the same rules are applied in user space (resolve()), with a small
// race left, and kernel_confined() says so.
class RootFs {
public:
    // `root` is a host folder ("/" for the real node). Throws when it is not a folder.
    explicit RootFs(std::string root);
    // A tree rooted at the open folder `dir_fd` (taken over), e.g. a backup
    // folder opened inside the node's root: what it holds is reached through
    // that descriptor, never through a host path that a link could redirect.
    static std::unique_ptr<RootFs> adopt(int dir_fd);
    ~RootFs();
    RootFs(const RootFs&) = delete;
    RootFs& operator=(const RootFs&) = delete;

    const std::string& root() const { return m_root; }
    // Whether paths are resolved by the kernel (openat2), not the user-space fallback.
    bool kernel_confined() const { return m_openat2; }

    // Opens `node_path` inside the root (flags as for open(2); O_CLOEXEC is
    // added; O_NOFOLLOW for the last component unless `follow_last`). The
    // caller closes the descriptor.
    util::Result<int> open(const std::string& node_path, int flags, std::uint32_t mode = 0,
                           bool follow_last = true) const;

    // Opens the folder `node_path` (O_RDONLY | O_DIRECTORY, so it can be
    // fsynced) for *at() calls with one name. With CreateMissing::yes, missing
    // folders are made one at a time with mkdirat() in their confined parent,
    // mode `mode`; their node paths are appended to `made` (outermost first).
    enum class CreateMissing { no, yes };
    util::Result<int> open_folder(const std::string& node_path, CreateMissing create = CreateMissing::no,
                                  std::uint32_t mode = 0755, std::vector<std::string>* made = nullptr) const;

    // When `node_path` is missing because a folder on its way is a symbolic
    // link whose target cannot be found inside the root (an absolute target or
    // one climbing above it), a sentence naming that link; else nothing.
    std::optional<std::string> link_out_of_root(const std::string& node_path) const;

    // Resolves `node_path` (must be absolute; NUL bytes refused), following
    // symlinks in every component (the last one too when `follow_last`), at
    // most 40 links. Missing trailing components are fine (for new files).
    util::Result<ResolvedPath> resolve(const std::string& node_path, bool follow_last = true) const;

    // The most kubecert reads of one node file. Certificates, kubeconfigs,
    // configs and units are kilobytes; the bound keeps a broken or hostile
    // file (a 1 GB sparse file, a command line of 16 MB) from costing memory.
    static constexpr std::uint64_t k_max_file_bytes = 4u << 20;

    // Reads a whole regular file. Error code not_found when absent; denied,
    // naming the file, for anything else than a regular file (a FIFO would
    // block, a device never ends) and for a file over `max_bytes`.
    util::Result<std::string> read_file(const std::string& node_path, std::uint64_t max_bytes = k_max_file_bytes) const;
    // stat (follow_last) / lstat. A missing file is a success with Type::missing.
    util::Result<FileStat> stat(const std::string& node_path, bool follow_last = true) const;
    // Sorted names, no "." / "..". Error not_found when absent.
    util::Result<std::vector<std::string>> list_dir(const std::string& node_path) const;

private:
    RootFs() = default;
    // open() without naming a folder link out of the root when the path is missing.
    util::Result<int> open_unchecked(const std::string& node_path, int flags, std::uint32_t mode,
                                     bool follow_last) const;
    std::string m_root; // absolute, no trailing slash ("" for "/")
    int m_root_fd = -1; // O_PATH descriptor of the root, what openat2 resolves against
    bool m_openat2 = false;
};

} // namespace kubecert::host
