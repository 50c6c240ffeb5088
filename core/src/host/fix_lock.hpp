#pragma once

#include <chrono>
#include <string>

#include "util/result.hpp"

namespace kubecert::host {

// One fix at a time per root: an flock() (the kernel drops it when the holder
// dies, so a killed run never blocks). On a lock file, the holder's pid and
// command line are written into it for the message; on a folder (kubecert
// locks the root folder itself, so that nothing is created on the node) the
// holder is found in /proc/locks.
class FixLock {
public:
    FixLock() = default;
    FixLock(const FixLock&) = delete;
    FixLock& operator=(const FixLock&) = delete;
    ~FixLock();

    // Waits up to `wait` for the lock; then fails naming the holder.
    util::Status acquire(const std::string& lock_path, std::chrono::milliseconds wait);
    void release();

private:
    int m_fd = -1;
    bool m_folder = false;
};

} // namespace kubecert::host
