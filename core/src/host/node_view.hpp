// NodeView: the one view of the node's files that every reader uses (host
// services' read_file, stat_file, lstat_file, list_dir, resolve_path): the
// files under --root as the changes of a fix so far leave them (the dry-run
// overlay, or the staged writes of a real fix), or the files alone outside a fix.
#pragma once

#include <string>
#include <vector>

#include "host/root_fs.hpp"
#include "util/result.hpp"

namespace kubecert::host {

class Transaction;

class NodeView {
public:
    // `transaction` may be null (no fix running); both must outlive the view.
    explicit NodeView(const RootFs& fs, const Transaction* transaction = nullptr)
        : m_fs(fs), m_transaction(transaction) {}

    const RootFs& fs() const { return m_fs; }

    // The node path `path` leads to, symlinks followed inside the root (the last
    // one too when `follow_last`), planned link swaps included; a parked file
    // is absent: its path is not followed further.
    util::Result<ResolvedPath> resolve(const std::string& path, bool follow_last = true) const;
    // A whole regular file; error not_found when absent (parked included).
    util::Result<std::string> read_file(const std::string& path) const;
    // stat (follow_last) / lstat. A missing file is a success with Type::missing.
    util::Result<FileStat> stat(const std::string& path, bool follow_last = true) const;
    // Sorted names, no "." / "..": files the fix created are there, parked ones and
    // the fix's temporary files are not. Error not_found when absent.
    util::Result<std::vector<std::string>> list_dir(const std::string& path) const;

private:
    // Whether any pending write or planned link lies below the folder `node_folder`.
    bool pending_below(const std::string& node_folder) const;

    const RootFs& m_fs;
    const Transaction* m_transaction;
};

} // namespace kubecert::host
